/**
 * @fileoverview How far V8 lets the old generation grow past what survived the last
 * full collection. V8's default adapts between 1.1x and 4x and, with thousands of
 * check results replaced every interval, settles high: at 20,000 hosts the heap grew
 * to about 4 times its live size before each full collection. A monitoring daemon
 * should be frugal, so the daemon asks for 1.5x unless node was started with its own
 * --heap-growing-percent. Measured on tcp with 20,000 hosts (docs/performance.md):
 * peak RSS 216-228 MiB -> 185-195 MiB, CPU within run-to-run noise (1.3x saved a few
 * MiB more for about 9% more CPU). V8 reads this flag at every full collection, so
 * setting it at start-up takes effect.
 */
import { setFlagsFromString } from 'node:v8';

export const DAEMON_HEAP_GROWING_PERCENT = 50;

/** True when the flag was set here (false: node's command line already has one). */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return false;
  setFlagsFromString(`--heap-growing-percent=${DAEMON_HEAP_GROWING_PERCENT}`);
  return true;
}
