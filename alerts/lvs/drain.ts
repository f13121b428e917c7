/**
 * @fileoverview An operator's drain of one host, as a pure state machine:
 * `draining` (weight 0, established connections finish) until the host's real
 * servers have no active connection or the timeout passes, then `drained`
 * (removed). It stays drained until undrain; then health decides again.
 */

export interface DrainState {
  phase: 'draining' | 'drained';
  /** When the operator asked (ms). */
  since: number;
  /** When draining gives up waiting for connections (ms). */
  deadline: number;
  /** Why it became drained, for the log and the status. */
  why?: string;
}

export function startDrain(now: number, timeoutMs: number): DrainState {
  return { phase: 'draining', since: now, deadline: now + timeoutMs };
}

/**
 * Next state after one look at the table. `active` is the host's ActiveConn summed
 * over its real servers (undefined when the counters could not be read: only the
 * timeout ends the drain then).
 */
export function stepDrain(d: DrainState, active: number | undefined, now: number): DrainState {
  if (d.phase === 'drained') return d;
  if (active === 0) return { ...d, phase: 'drained', why: 'no active connections left' };
  if (now >= d.deadline) return { ...d, phase: 'drained', why: `timeout passed with ${active ?? 'an unknown number of'} active connection(s)` };
  return d;
}
