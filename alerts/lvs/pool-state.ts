/**
 * @fileoverview Pool hysteresis per host, separate from notification thresholds:
 * a host leaves the pool after `fall` consecutive failures and returns after
 * `rise` consecutive successes. Pure: a state in, a state out.
 */
import type { PoolState } from './model.ts';

export interface HostPool {
  state: PoolState;
  failures: number;
  successes: number;
}

export type Outcome = 'ok' | 'degraded' | 'failed';

/** Next pool state of one host after one check result. */
export function stepPool(prev: HostPool, outcome: Outcome, fall: number, rise: number): HostPool {
  if (outcome === 'failed') {
    const failures = prev.failures + 1;
    return { state: failures >= fall ? 'down' : prev.state, failures, successes: 0 };
  }
  const successes = prev.successes + 1;
  const serving = prev.state === 'up' || prev.state === 'degraded';
  // a serving host changes between up and degraded at once; an outside host needs `rise` successes
  const state = serving || successes >= rise ? (outcome === 'degraded' ? 'degraded' : 'up') : prev.state;
  return { state, failures: 0, successes };
}

/** Pool entry for a state the engine reports (start, reload): counters start afresh. */
export function poolFromState(state: PoolState): HostPool {
  return { state, failures: 0, successes: 0 };
}
