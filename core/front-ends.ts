/**
 * @fileoverview Starts the network front ends a config asks for (HTTP API and
 * status page, mon client protocol and traps) around a running engine.
 */
import type { Logger } from './types.ts';
import type { Engine } from './engine/engine.ts';

export interface FrontEnds {
  close(): Promise<void>;
  reload?(): void;
}

export async function startFrontEnds(_engine: Engine, _log: Logger): Promise<FrontEnds> {
  const closers: Array<() => Promise<void>> = [];
  return {
    async close() {
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}
