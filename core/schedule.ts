/**
 * @fileoverview Scheduling maths, pure: when is a service due next.
 *
 * Fixed-rate, like mon's `_next_check += interval`: each run's base time is the
 * previous base plus the interval, so a service checked every 10 s is checked
 * every 10 s for hours, whatever each run cost. randskew jitters each run around
 * its base without moving the base, so jitter never accumulates into drift.
 */

export interface Cadence {
  intervalMs: number;
  /** Each run starts at base ± up to this. */
  randskewMs?: number;
}

/** Random source in [0, 1); injected so tests are deterministic. */
export type Rand = () => number;

/**
 * Base time of the first run. mon waits a whole interval (or random within
 * randstart); vigil checks soon after start so an operator sees state at once:
 * spread over randstart when set, else over min(interval, 2 s) so thousands of
 * services do not all start in the same millisecond.
 */
export function firstBase(now: number, c: Cadence, randstartMs: number | undefined, rand: Rand): number {
  const spread = randstartMs ?? Math.min(c.intervalMs, 2000);
  return now + Math.floor(rand() * spread);
}

/** Base of the run after the one whose base was `base`, skipping slots already past. */
export function nextBase(base: number, now: number, intervalMs: number): number {
  let next = base + intervalMs;
  if (next <= now) {
    // Overran (a slow check, a suspended process): skip the missed slots, keep the phase.
    next += Math.ceil((now - next + 1) / intervalMs) * intervalMs;
  }
  return next;
}

/** When a run with this base actually starts: base ± randskew, never before `now`. */
export function jittered(base: number, now: number, c: Cadence, rand: Rand): number {
  const skew = c.randskewMs ? Math.round((rand() * 2 - 1) * c.randskewMs) : 0;
  return Math.max(now, base + skew);
}
