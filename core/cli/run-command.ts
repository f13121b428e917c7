/**
 * @fileoverview `vigil run -c FILE`: the daemon. SIGHUP reloads, SIGTERM/SIGINT
 * stop cleanly (in-flight checks aborted, running alerts given a grace period).
 */
import { Engine } from '../engine/engine.ts';
import { createLogger } from '../log.ts';
import { ConfigError, errorMessage, formatProblem } from '../errors.ts';
import { startFrontEnds } from '../front-ends.ts';
import { CONFIG_OPTION, parse, requireConfig, withUsage } from './args.ts';
import { DEFAULT_HEAP_GROWTH_PERCENT, limitHeapGrowth, parseHeapGrowth } from './heap-growth.ts';
import { DEFAULT_YOUNG_GENERATION, capYoungGeneration, parseYoungGeneration, youngGenerationForHosts } from './young-generation.ts';
import { autoYoungGeneration, type AutoYoungGeneration } from './young-survival.ts';
import { DEFAULT_HEAP_ROOM_KIB, keepHeapRoom, parseHeapRoom, roomFor, type HeapRoom } from './heap-room.ts';
import { hostsChecked } from '../model.ts';

const USAGE = `Usage: vigil run -c FILE [--stopped] [--log-level debug|info|warn|error] [--json-log]
                 [--heap-growth PERCENT] [--heap-room KIB] [--young-generation MIB|auto]

Runs vigil on FILE (vigil.yaml, JSON, or a mon.cf as it is) in the foreground.
Logs go to stderr: readable text on a terminal, one JSON object per line otherwise.
  --stopped        start with the scheduler stopped (mon -S); start it from the API
  --heap-growth P  let the JS heap grow only P% past what is live (default
                   ${DEFAULT_HEAP_GROWTH_PERCENT}; less saves memory for CPU, 0 leaves V8's own policy)
  --heap-room KIB  have V8 collect the JS heap once it has grown KIB a host checked
                   past what is live (default ${DEFAULT_HEAP_ROOM_KIB}, at least 2 MiB; 0 leaves it to
                   V8, which lets it grow at least 8 MB: more memory at a few thousand hosts)
  --young-generation MIB|auto
                   cap the JS heap's young generation (default ${DEFAULT_YOUNG_GENERATION}: 2 MiB below
                   10,000 hosts checked, 4 below 20,000, 8 from there, and doubled up to
                   8 when most of what its collections see survives them, as with
                   thousands of http checks; 0 lets V8 grow it to 32 MiB, for a little
                   less CPU and more memory)
SIGHUP reloads FILE (a bad config is reported and the running one kept);
SIGTERM or SIGINT stop cleanly.`;

const GRACE_MS = 10_000;

export function runCommand(argv: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parse(
      argv,
      { ...CONFIG_OPTION, stopped: { type: 'boolean' }, 'log-level': { type: 'string' }, 'json-log': { type: 'boolean' }, 'heap-growth': { type: 'string' }, 'heap-room': { type: 'string' }, 'young-generation': { type: 'string' } },
      USAGE,
    );
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const file = requireConfig(values, USAGE);
    const growth = values['heap-growth'] === undefined ? DEFAULT_HEAP_GROWTH_PERCENT : parseHeapGrowth(values['heap-growth'] as string);
    // node's own --heap-growing-percent wins; the heap room then assumes V8's least growth.
    const growthSet = limitHeapGrowth(growth) ? growth : 0;
    const young = values['young-generation'] === undefined ? DEFAULT_YOUNG_GENERATION : parseYoungGeneration(values['young-generation'] as string);
    const roomKib = values['heap-room'] === undefined ? DEFAULT_HEAP_ROOM_KIB : parseHeapRoom(values['heap-room'] as string);
    // Before the config is read: loading 20,000 hosts alone would grow it to the full 32 MiB.
    // (auto starts at its smallest size until the hosts are known.)
    const youngCap = capYoungGeneration(young === 'auto' ? youngGenerationForHosts(0) : young);
    let heapRoom: HeapRoom | undefined;
    let autoYoung: AutoYoungGeneration | undefined;
    const level = values['log-level'] as 'debug' | 'info' | 'warn' | 'error' | undefined;
    const log = createLogger({ level, json: values['json-log'] ? true : undefined });
    // Both follow the hosts checked, at start and after each reload; the log says what
    // was chosen (null: node's own flags or 0 leave it to V8).
    let sized = '';
    const sizeHeap = (hosts: number) => {
      const youngMiB = autoYoung ? autoYoung.size(hosts) : youngCap && typeof young === 'number' ? young : null;
      heapRoom?.setHosts(hosts);
      const roomMiB = heapRoom ? Math.round((roomFor(hosts, roomKib) / (1024 * 1024)) * 10) / 10 : null;
      const now = JSON.stringify([hosts, youngMiB, roomMiB]);
      if (now !== sized) log.info({ hostsChecked: hosts, youngGenerationMiB: youngMiB, heapRoomMiB: roomMiB }, 'JS heap sized for the hosts checked');
      sized = now;
    };
    // Signal handlers go in first: a SIGHUP during start-up must not kill the daemon
    // (the default action), and a SIGTERM then stops it as soon as it can.
    let engine: Engine | undefined;
    let frontEnds: Awaited<ReturnType<typeof startFrontEnds>> | undefined;
    let stopping = false;
    let finish: (code: number) => void = () => {};
    const done = new Promise<number>((r) => (finish = r));
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      if (!engine) return; // start-up sees `stopping` and exits
      await frontEnds?.close().catch(() => {});
      await engine.close(GRACE_MS);
      finish(0);
    };
    let reloadPending = false;
    const reload = () => {
      if (stopping) return;
      if (!engine) {
        reloadPending = true; // done once start-up has finished
        return;
      }
      // The front ends follow on their own (startFrontEnds listens for the reload).
      engine.reload().catch((err) => {
        const detail = err instanceof ConfigError ? err.problems.map(formatProblem).join('; ') : errorMessage(err);
        log.error({ config: file, err: detail }, 'reload failed; still running the previous config');
      });
    };
    const onTerm = () => void stop('SIGTERM');
    const onInt = () => void stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('SIGHUP', reload);
    // A plugin's stray promise (a floating rejection in a check) must not take the
    // daemon down with it: say so loudly and keep monitoring.
    const onRejection = (reason: unknown) =>
      log.error({ err: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) }, 'unhandled promise rejection (a bug in vigil or a plugin); monitoring goes on');
    process.on('unhandledRejection', onRejection);
    try {
      engine = await Engine.start({ configFile: file, log, stopped: !!values.stopped });
      const hosts = hostsChecked(engine.config());
      heapRoom = keepHeapRoom(roomKib, hosts, growthSet);
      youngCap?.release();
      if (youngCap && young === 'auto') {
        autoYoung = autoYoungGeneration(youngCap, (mib, s) =>
          log.info(
            { youngGenerationMiB: mib, survivedPercent: Math.round((100 * s.survivedBytes) / s.seenBytes), youngCollections: s.scavenges },
            'young generation grown to hold the checks in flight: most of what its collections saw was still in use (memory tuning; nothing to do)',
          ),
        );
      }
      sizeHeap(hosts);
      engine.on('reload', () => sizeHeap(hostsChecked(engine!.config())));
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(`vigil: cannot start, the config has problems:\n${err.problems.map(formatProblem).join('\n')}`);
      } else {
        console.error(`vigil: cannot start: ${errorMessage(err)}`);
      }
      autoYoung?.stop();
      youngCap?.stop();
      return 1;
    }
    frontEnds = await startFrontEnds(engine, log);
    if (stopping) {
      stopping = false;
      void stop('SIGTERM');
    } else if (reloadPending) reload();
    const code = await done;
    autoYoung?.stop();
    youngCap?.stop();
    heapRoom?.stop();
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', reload);
    process.off('unhandledRejection', onRejection);
    return code;
  });
}
