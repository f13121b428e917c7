/**
 * @fileoverview `vigil run --heap-room KIB`: the old generation's working room, in
 * proportion to the hosts vigil checks. After each full collection V8 lets the old
 * generation grow by the larger of --heap-growth and 8 MB, plus the young
 * generation's size, before it collects again (`BoundAllocationLimit` in V8's
 * heap-controller.cc). 8 MB is little at 20,000 hosts but 1.6 KiB a host at 5,000.
 * So when V8's room is larger than KIB a host (default 0.75, at least 2 MiB), vigil has V8 start
 * its next collection earlier, at that share of its room, through
 * `--incremental-marking-hard-trigger` (a percent V8 reads each time it considers
 * starting to mark). The collection is V8's own, incremental and concurrent.
 *
 * Not gc(): a collection started that way is atomic, and measured at http-20000 it
 * threw away most optimized code each time ("embedded weak objects cleared" in
 * --trace-deopt: about 3,000 deoptimizations a minute, and 80% more CPU).
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { UsageError } from './args.ts';
import { nodeHasFlag } from './node-flags.ts';

/**
 * Three quarters of a KiB a host (sixteenth pass): against 1, in five alternating
 * pairs of runs at dns-5000, 1.3 MiB less settled (about 0.27 KiB a host) for a CPU
 * cost within the runs' noise (0.051 against 0.050 ms a check on average, medians
 * 0.052 and 0.047). Half a KiB (fifteenth pass) had cost dns 15-50% in some rounds
 * and was reverted.
 */
export const DEFAULT_HEAP_ROOM_KIB = 0.75;
/** Below this a collection would come before it has anything to free. */
export const MIN_ROOM_BYTES = 2 * 1024 * 1024;
/** V8's least growth of the old generation's limit after a full collection (heap-controller.cc). */
export const V8_MIN_STEP_BYTES = 8 * 1024 * 1024;
/** V8's own growth policy (--heap-growth 0) grows by at least 10%. */
const V8_MIN_GROWTH_PERCENT = 10;

/** Parses the option's value; throws a message for the operator when it is not 0-64. */
export function parseHeapRoom(value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 64)) {
    throw new UsageError(`--heap-room ${value}: give KiB a host from 0 to 64, such as 1 or 0.5 (0 leaves it to V8, at least 8 MB)`);
  }
  return n;
}

/** Room in bytes for `hosts` at `kib` a host. */
export function roomFor(hosts: number, kib: number): number {
  return Math.max(MIN_ROOM_BYTES, hosts * kib * 1024);
}

/**
 * The trigger for a room of `room` bytes: the percent of V8's own room (its next
 * limit less what survived, `base`) at which V8 should start marking; 0 (V8's
 * own pace) when V8's room is no larger.
 */
export function hardTriggerPercent(base: number, room: number, growthPercent: number, youngCapacity: number): number {
  const growth = growthPercent > 0 ? growthPercent : V8_MIN_GROWTH_PERCENT;
  const v8Room = Math.max((base * growth) / 100, V8_MIN_STEP_BYTES) + youngCapacity;
  if (room >= v8Room) return 0;
  return Math.max(1, Math.floor((100 * room) / v8Room));
}

/** True when node was started with its own trigger. */
export function nodeSetsTrigger(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return nodeHasFlag(/^--incremental[-_]marking[-_](hard|soft)[-_]trigger/, execArgv, nodeOptions);
}

/** Old-generation bytes in use, and one half of the young generation (what V8 adds to the limit). */
function heapNow(): { old: number; young: number } {
  let old = 0;
  let young = 0;
  for (const s of getHeapSpaceStatistics()) {
    if (s.space_name === 'new_space') young = s.space_size / 2;
    else if (s.space_name !== 'new_large_object_space' && s.space_name !== 'read_only_space') old += s.space_used_size;
  }
  return { old, young };
}

export interface HeapRoom {
  /** The hosts checked changed (a reload). */
  setHosts(hosts: number): void;
  /** The trigger now set, in percent (0: V8's own pace). */
  trigger(): number;
  stop(): void;
}

/**
 * Keeps the room from now on, set again after each full collection. Undefined when
 * it is not done: 0 KiB, or node's command line sets a trigger of its own.
 */
export function keepHeapRoom(
  kib: number,
  hosts: number,
  growthPercent: number,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): HeapRoom | undefined {
  if (kib === 0 || nodeSetsTrigger(execArgv, nodeOptions)) return undefined;
  let room = roomFor(hosts, kib);
  let base = 0;
  let trigger = 0;
  const set = (percent: number) => {
    if (percent === trigger) return;
    trigger = percent;
    setFlagsFromString(`--incremental-marking-hard-trigger=${percent}`);
  };
  const adjust = () => {
    const { young } = heapNow();
    if (base > 0) set(hardTriggerPercent(base, room, growthPercent, young));
  };
  const observer = new PerformanceObserver((list) => {
    const major = list.getEntries().some((e) => ((e as { detail?: { kind?: number } }).detail?.kind ?? -1) === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major) return;
    // Reported after the task that ran the collection: close enough to what survived.
    base = heapNow().old;
    adjust();
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    setHosts(n) {
      room = roomFor(n, kib);
      adjust();
    },
    trigger: () => trigger,
    stop() {
      observer.disconnect();
      set(0);
    },
  };
}
