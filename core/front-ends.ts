/**
 * @fileoverview Starts the network front ends a config asks for (HTTP API and
 * status page, mon client protocol and traps) around a running engine.
 */
import type { Logger } from './types.ts';
import type { Engine } from './engine/engine.ts';
import { errorMessage } from './errors.ts';
import { startControlServer } from './control/http-server.ts';
import { startSelfWatch } from './control/self-watch.ts';
import { startMonProtocol } from './mon-protocol/index.ts';

export interface FrontEnds {
  close(): Promise<void>;
  reload?(): void;
}

export async function startFrontEnds(engine: Engine, log: Logger): Promise<FrontEnds> {
  const closers: Array<() => Promise<void>> = [];
  const control = engine.config().control;
  if (control) {
    try {
      const server = await startControlServer({ engine, log: log.child({ part: 'control' }), control });
      closers.push(() => server.close());
    } catch (err) {
      // Checks and alerts matter more than the API: keep monitoring, say so loudly.
      log.error({ part: 'control', err: errorMessage(err) }, 'control API not started; monitoring and alerts go on without it');
    }
  }
  try {
    const mon = await startMonProtocol(engine, log.child({ part: 'mon-protocol' }));
    if (mon) closers.push(() => mon.close());
  } catch (err) {
    log.error({ part: 'mon-protocol', err: errorMessage(err) }, 'mon client protocol not started; monitoring and alerts go on without it');
  }
  // Last, so systemd hears READY=1 only once every front end listens.
  const selfWatch = startSelfWatch(() => engine.status(), log.child({ part: 'systemd' }));
  closers.push(() => selfWatch.close());
  return {
    async close() {
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}
