/**
 * @fileoverview `vigil run --heap-growth PERCENT`: how far V8 lets the old generation
 * grow past what survived the last full collection. V8's default adapts between 1.1x
 * and 4x and, with thousands of check results replaced every interval, settles high.
 * Measured at 20,000 hosts (docs/performance.md, Memory): with 50, peak RSS 216-228 ->
 * 181-195 MiB for tcp at no measurable CPU cost, 296-314 -> 198-199 MiB for http at
 * about 20% more CPU per check. Off by default: CPU per check is the figure that
 * matters most on a director. V8 reads the flag at every full collection, so setting
 * it at start-up takes effect; node's own --heap-growing-percent wins over this one.
 */
import { setFlagsFromString } from 'node:v8';
import { UsageError } from './args.ts';

/** Parses the option's value; throws a message for the operator when it is not 1-400. */
export function parseHeapGrowth(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 400) {
    throw new UsageError(`--heap-growth ${value}: give a whole number of percent from 1 to 400 (50 lets the heap grow to 1.5 times what is live)`);
  }
  return n;
}

/** True when the flag was set here (false: node's command line already has one). */
export function limitHeapGrowth(percent: number, execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return false;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return true;
}
