/**
 * @fileoverview mon's per-period throttles for failure alerts, in mon's exact
 * order (do_alert step 7.3): alertexitrange, numalerts, alertevery, alertafter.
 * A later gate only runs (and only updates its counters) when the earlier ones
 * passed, as in mon: an `alertafter N TIMEVAL` window counts only the failures
 * that got that far.
 */
import type { AlertEvery, Period } from '../model.ts';
import type { PeriodMemory } from './types.ts';

/** What a failing run looks like to the throttles. */
export interface FailureFacts {
  now: number;
  /** Exit code for range tests; a native check without one counts as 1 (a failure). */
  exitCode: number;
  /** Service-wide consecutive failures, this one included. */
  consecutiveFailures: number;
  summary: string;
  output: string;
  /** Summary and output of the previous failing run ("(NO SUMMARY)" / "" when none). */
  prevSummary: string;
  prevOutput: string;
}

export type GateVerdict = 'send' | 'exitrange' | 'numalerts' | 'alertevery' | 'alertafter';

/** Decide one period for one failure; updates the alertafter counters in `mem`. */
export function failureGate(period: Period, mem: PeriodMemory, f: FailureFacts): GateVerdict {
  const r = period.exitRange;
  if (r && (f.exitCode < r[0] || f.exitCode > r[1])) return 'exitrange';
  if (period.numalerts > 0 && mem.alertSent >= period.numalerts) return 'numalerts';
  if (period.alertevery && withinAlertevery(period.alertevery, mem, f)) return 'alertevery';
  return alertafterMet(period, mem, f) ? 'send' : 'alertafter';
}

/**
 * True when alertevery suppresses this failure. Inside the window a changed
 * summary (default/summary) or a changed output (observe_detail) alerts anyway;
 * strict and ignore_summary never make an exception.
 */
export function withinAlertevery(every: AlertEvery, mem: PeriodMemory, f: FailureFacts): boolean {
  if (mem.lastAlert === undefined || f.now - mem.lastAlert >= every.ms) return false;
  switch (every.mode) {
    case 'strict':
    case 'ignore_summary':
      return true;
    case 'observe_detail':
      return f.output === f.prevOutput;
    default:
      return f.summary === f.prevSummary;
  }
}

/** mon's three alertafter forms; no alertafter means every failure may alert. */
export function alertafterMet(period: Period, mem: PeriodMemory, f: FailureFacts): boolean {
  const a = period.alertafter;
  if (!a) return true;
  if (a.kind === 'count') return f.consecutiveFailures >= a.count;
  if (a.kind === 'duration') {
    mem.firstFailTime ??= f.now;
    // mon: "more than TIMEVAL" (`<=` suppresses), so exactly TIMEVAL still waits.
    return f.now - mem.firstFailTime > a.durationMs;
  }
  // N failures within TIMEVAL; the window restarts with the first failure after it expired.
  mem.failCount += 1;
  const expired = mem.windowStart === undefined || f.now - mem.windowStart > a.withinMs;
  if (!expired && mem.failCount < a.count) return false;
  if (expired) mem.failCount = 1;
  if (mem.failCount === 1) mem.windowStart = f.now;
  return mem.failCount >= a.count;
}
