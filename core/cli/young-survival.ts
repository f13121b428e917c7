/**
 * @fileoverview The `auto` young generation, learned from what survives it. The size
 * by the hosts checked (young-generation.ts) assumes a check's objects die before
 * the next young collection. When a check makes more garbage while in flight than
 * that (an http check holds about 28 KB: a service run of 100 of them is 2.8 MB, a
 * 2 MiB young generation collects every 1 MB), each young collection finds the
 * checks still running and copies most of what it sees; the copies are promoted and
 * the old generation then fills, so full collections come every second or so.
 * Measured at http-5000 with 2 MiB (fourteenth pass in docs/performance.md): 59% of
 * what each young collection saw survived it, 0.17-0.19 ms per check; with 4 MiB:
 * 20%, almost no full collection, 0.084-0.088 ms. tcp and dns at 5,000 hosts: 6-20%.
 *
 * So while the cap is below the most `auto` gives, V8's GC profiler is read in
 * windows of 5 s, and two busy windows in a row in which more than 40% of what the
 * young collections saw survived double the cap. It is only ever raised.
 */
import { GCProfiler, type GCProfilerResult } from 'node:v8';
import { AUTO_MAX_MIB, youngGenerationForHosts, type YoungGenerationCap } from './young-generation.ts';

export const SURVIVAL_WINDOW_MS = 5_000;
/** More than this share of what young collections saw survived them: too small. */
export const GROW_ABOVE = 0.4;
/** Fewer young collections than this in a window say nothing (an idle vigil). */
export const MIN_SCAVENGES = 10;
/** Busy windows above the line in a row before the cap is doubled (start-up and reloads make one). */
const WINDOWS_TO_GROW = 2;

export interface Survival {
  scavenges: number;
  /** Bytes the young collections found in use (new space, before each). */
  seenBytes: number;
  /** Of them, still in new space after it or promoted to the old generation. */
  survivedBytes: number;
}

type GcStatistic = GCProfilerResult['statistics'][number];

function used(g: GcStatistic['beforeGC'], space: string): number {
  return g.heapSpaceStatistics.find((s) => s.spaceName === space)?.spaceUsedSize ?? 0;
}

/** What the young collections (V8's scavenges) of one profiler window kept. */
export function youngSurvival(statistics: readonly GcStatistic[]): Survival {
  const s: Survival = { scavenges: 0, seenBytes: 0, survivedBytes: 0 };
  for (const e of statistics) {
    if (e.gcType !== 'Scavenge') continue;
    const promoted = Math.max(0, used(e.afterGC, 'old_space') - used(e.beforeGC, 'old_space'));
    s.scavenges++;
    s.seenBytes += used(e.beforeGC, 'new_space');
    s.survivedBytes += used(e.afterGC, 'new_space') + promoted;
  }
  return s;
}

/** The survived share, or undefined when the window was too quiet to tell. */
export function survivedShare(s: Survival): number | undefined {
  return s.scavenges >= MIN_SCAVENGES && s.seenBytes > 0 ? s.survivedBytes / s.seenBytes : undefined;
}

/** Counts busy windows above the line in a row and says when to double the cap. */
export class GrowthRule {
  private above = 0;

  /** True when this window makes it time to grow (then it counts again from zero). */
  observe(share: number | undefined): boolean {
    if (share === undefined) return false; // a quiet window neither counts nor resets
    this.above = share > GROW_ABOVE ? this.above + 1 : 0;
    if (this.above < WINDOWS_TO_GROW) return false;
    this.above = 0;
    return true;
  }
}

/** Hands each window's survival to `onWindow` until stopped. */
export function watchYoungSurvival(onWindow: (s: Survival) => void, windowMs = SURVIVAL_WINDOW_MS): { stop(): void } {
  let profiler = new GCProfiler();
  profiler.start();
  const timer = setInterval(() => {
    const result = profiler.stop();
    profiler = new GCProfiler();
    profiler.start();
    onWindow(youngSurvival(result.statistics));
  }, windowMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      profiler.stop();
    },
  };
}

export interface AutoYoungGeneration {
  /** Caps the young generation for this many hosts, or at what was learned if larger; returns the cap in MiB. */
  size(hosts: number): number;
  stop(): void;
}

/**
 * `--young-generation auto` on a cap: sized by the hosts, doubled by the rule above
 * (up to AUTO_MAX_MIB, where the watch stops). `onGrow` is told each doubling.
 */
export function autoYoungGeneration(
  cap: YoungGenerationCap,
  onGrow: (mib: number, survived: Survival) => void,
  windowMs = SURVIVAL_WINDOW_MS,
): AutoYoungGeneration {
  let learned = 0;
  let current = 0;
  let watch: { stop(): void } | undefined;
  const rule = new GrowthRule();
  const follow = () => {
    if (current >= AUTO_MAX_MIB) {
      watch?.stop();
      watch = undefined;
    } else if (!watch) {
      watch = watchYoungSurvival((s) => {
        if (!rule.observe(survivedShare(s))) return;
        learned = Math.min(AUTO_MAX_MIB, current * 2);
        current = learned;
        cap.setCap(current);
        onGrow(current, s);
        follow();
      }, windowMs);
    }
  };
  return {
    size(hosts) {
      current = Math.max(youngGenerationForHosts(hosts), learned);
      cap.setCap(current);
      follow();
      return current;
    },
    stop() {
      watch?.stop();
      watch = undefined;
    },
  };
}
