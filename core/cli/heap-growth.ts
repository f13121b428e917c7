/**
 * @fileoverview `vigil run --heap-growth PERCENT`: how far V8 lets the old generation
 * grow past what survived the last full collection. V8's own policy adapts between
 * 1.1x and 4x and, with thousands of check results replaced every interval, settles
 * high. vigil sets 50 (1.5x) by default: with probe sockets that leave no garbage of
 * their own and the young generation capped (fifth pass in docs/performance.md), a
 * full collection is cheap. At 20,000 hosts it took the peak RSS of http from 226
 * to 155 MiB and of tcp from 161 to 142 MiB, for 1.39x and 1.05x the bare-Node CPU
 * (100: 170 and 151 MiB at 1.22x and 1.06x). 0 leaves V8's own policy. V8 reads the
 * flag at every full collection, so setting it at start-up takes effect; node's own
 * --heap-growing-percent wins over this one.
 */
import { setFlagsFromString } from 'node:v8';
import { UsageError } from './args.ts';
import { nodeHasFlag } from './node-flags.ts';

export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

/** Parses the option's value; throws a message for the operator when it is not 0-400. */
export function parseHeapGrowth(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 400)) {
    throw new UsageError(`--heap-growth ${value}: give a whole number of percent from 0 to 400 (50 lets the heap grow to 1.5 times what is live; 0 leaves V8's own policy)`);
  }
  return n;
}

/** True when the flag was set here (false: 0, or node's command line already has one). */
export function limitHeapGrowth(percent: number, execArgv: readonly string[] = process.execArgv): boolean {
  if (percent === 0) return false;
  // node refuses this flag in NODE_OPTIONS: only its command line can have it.
  if (nodeHasFlag(/^--heap[-_]growing[-_]percent/, execArgv, undefined)) return false;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return true;
}
