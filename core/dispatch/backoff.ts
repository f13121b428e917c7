/**
 * @fileoverview Retry timing of the dispatcher: exponential backoff with jitter.
 * Pure: the random source is passed in.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; then the delivery is given up. @default 10 */
  maxAttempts: number;
  /** Wait after the first failure. @default 2000 */
  baseMs: number;
  /** The wait never grows past this. @default 300000 */
  maxMs: number;
  /** 0..1: the wait is drawn from [delay * (1 - jitter), delay], so restarts do not retry in lockstep. @default 0.5 */
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseMs: 2000, maxMs: 300_000, jitter: 0.5 };

/** Milliseconds to wait after `failures` failed attempts (1 = the first failure). */
export function backoffDelay(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.max(0, Math.round(exp * (1 - jitter * random())));
}

/** Fill a partial policy with the defaults, rejecting values that would loop or never retry. */
export function retryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY, ...partial };
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1) throw new RangeError(`retry.maxAttempts must be a whole number >= 1, got ${p.maxAttempts}`);
  if (!(p.baseMs >= 0) || !(p.maxMs >= p.baseMs)) throw new RangeError(`retry needs 0 <= baseMs <= maxMs, got ${p.baseMs} and ${p.maxMs}`);
  return p;
}
