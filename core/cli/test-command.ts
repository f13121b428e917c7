/**
 * @fileoverview `vigil test -c FILE WATCH/SERVICE`: one check now, each host's result printed.
 */
import { Engine } from '../engine/engine.ts';
import { createLogger } from '../log.ts';
import { ConfigError, errorMessage, formatProblem } from '../errors.ts';
import { CONFIG_OPTION, UsageError, parse, requireConfig, withUsage } from './args.ts';

const USAGE = `Usage: vigil test -c FILE WATCH/SERVICE [--json]

Runs the monitor of one service once, now, and prints each host's result
(state, latency, summary). Sends no alerts and changes no saved state.
Exit status 0 when every host is up, 1 when any failed.`;

export function testCommand(argv: string[]): Promise<number> {
  return withUsage(async () => {
    const { values, positionals } = parse(argv, { ...CONFIG_OPTION, json: { type: 'boolean' } }, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const file = requireConfig(values, USAGE);
    const target = positionals[0] ?? '';
    const slash = target.indexOf('/');
    if (slash < 1) throw new UsageError(`name the service as WATCH/SERVICE, e.g. web/http\n\n${USAGE}`);
    const watch = target.slice(0, slash);
    const service = target.slice(slash + 1);
    let engine: Engine;
    try {
      engine = await Engine.start({ configFile: file, log: createLogger({ level: 'warn' }), persist: false, probeOnly: true });
    } catch (err) {
      console.error(err instanceof ConfigError ? err.problems.map(formatProblem).join('\n') : `vigil: ${errorMessage(err)}`);
      return 1;
    }
    try {
      const { hosts, result } = await engine.probe(watch, service);
      if (!result) {
        console.log(hosts.length ? `${watch}/${service} has no monitor (a trap-only service)` : `${watch}/${service}: no hosts to check (all disabled or excluded)`);
        return 0;
      }
      if (values.json) {
        console.log(JSON.stringify({ watch, service, ok: result.ok, summary: result.summary, exitCode: result.exitCode, hosts: result.hosts }, null, 2));
      } else {
        for (const h of hosts) {
          const r = result.hosts[h];
          if (!r) continue;
          const state = r.ok ? (r.degraded ? 'DEGRADED' : 'UP') : 'DOWN';
          const lat = r.latencyMs !== undefined ? `${r.latencyMs.toFixed(1)} ms` : '';
          console.log(`${state.padEnd(8)} ${h.padEnd(24)} ${lat.padStart(10)}  ${r.summary}`);
          if (r.detail) console.log(r.detail.replace(/^/gm, '         '));
        }
        console.log(`${watch}/${service}: ${result.ok ? 'ok' : `FAILED: ${result.summary}`} (${result.durationMs.toFixed(0)} ms)`);
      }
      return result.ok ? 0 : 1;
    } catch (err) {
      console.error(`vigil: ${errorMessage(err)}`);
      return 1;
    } finally {
      await engine.close(1000);
    }
  });
}
