/**
 * @fileoverview One run's result -> new service state + deliveries + host
 * events: mon's `process_event` (mon-reference.md a.8), pure.
 *
 *   previous \ run   failure                              success
 *   untested         fail; alerts as usual (first fail)   ok; nothing sent
 *   ok               fail; first failure = now; alerts    ok; nothing sent
 *   fail             fail; alerts (throttled)             ok; upalerts where a down alert went out;
 *                                                          outage counters cleared
 */
import type { Service } from '../model.ts';
import type { AlertEvent } from '../types.ts';
import { doAlert, redistribute } from './alert.ts';
import { applyHosts } from './hosts.ts';
import { periodMemory, recount } from './init.ts';
import type { FailureFacts } from './policy.ts';
import type { Delivery, RunResult, ServiceState, StateContext } from './types.ts';
import { cloneState } from './clone.ts';

export const NO_SUMMARY = '(NO SUMMARY)';

/** mon: the first output line, or "(NO SUMMARY)" when it is blank. */
export function failureSummary(result: Pick<RunResult, 'summary' | 'output'>): string {
  const first = result.summary.trim() ? result.summary : (result.output.split('\n')[0] ?? '');
  return first.trim() ? first : NO_SUMMARY;
}

/** Full output as a mon alert gets it on stdin; built from summary and detail when the plugin gave none. */
export function fullOutput(result: Pick<RunResult, 'summary' | 'detail' | 'output'>): string {
  if (result.output) return result.output;
  return result.detail ? `${result.summary}\n${result.detail}\n` : `${result.summary}\n`;
}

export interface Transition {
  state: ServiceState;
  deliveries: Delivery[];
  hostEvents: AlertEvent[];
}

/** Pure: the transition runs on a copy of `prev`, which is left as it was. */
export function applyResult(prev: ServiceState, result: RunResult, ctx: StateContext): Transition {
  return applyResultInPlace(cloneState(prev), result, ctx);
}

/**
 * The engine's form: `state` itself is updated and returned. A copy per run meant a
 * new memory for every host of the service on every run, each living one interval:
 * at 20,000 hosts most of the old generation's garbage.
 */
export function applyResultInPlace(state: ServiceState, result: RunResult, ctx: StateContext): Transition {
  const previous = state.status;
  state.lastStatus = previous;
  state.lastCheck = result.at;
  if (result.exitCode !== undefined) state.exitCode = result.exitCode;
  else delete state.exitCode;
  const deliveries = result.ok ? onSuccess(state, result, ctx) : onFailure(state, result, ctx);
  if (state.status !== previous) state.lastChange = ctx.now;
  const hostEvents = applyHosts(state, result, ctx);
  recount(state, ctx.service);
  return { state, deliveries, hostEvents };
}

function onFailure(state: ServiceState, result: RunResult, ctx: StateContext): Delivery[] {
  const { now } = ctx;
  const previous = state.status;
  const summary = failureSummary(result);
  const output = fullOutput(result);
  state.failureCount += 1;
  state.consecutiveFailures += 1;
  state.lastFailure = now;
  if (state.status !== 'fail') state.firstFailure = now;
  state.status = 'fail';
  state.summary = summary;
  state.detail = result.detail;
  state.output = output;

  const facts: FailureFacts = {
    now,
    exitCode: result.exitCode ?? 1,
    consecutiveFailures: state.consecutiveFailures,
    summary,
    output,
    prevSummary: state.lastFailSummary.trim() ? state.lastFailSummary : NO_SUMMARY,
    prevOutput: state.lastFailOutput,
  };
  const fields = {
    summary,
    detail: result.detail,
    output,
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    since: state.firstFailure ?? now,
    // read when an event is built: unack_summary may have reset the counter
    get count() {
      return state.consecutiveFailures;
    },
    failedHosts: result.failedHosts,
    source: result.source,
  };
  const deliveries = [
    ...redistribute(state, previous === 'fail' ? 'still-down' : 'down', fields, ctx),
    ...doAlert(state, { kind: 'alert', facts, fields }, ctx),
  ];
  // Compared by the next failure (alertevery, unack_summary), so set after do_alert as in mon.
  state.lastFailSummary = summary;
  state.lastFailOutput = output;
  state.lastFailDetail = result.detail;
  return deliveries;
}

function onSuccess(state: ServiceState, result: RunResult, ctx: StateContext): Delivery[] {
  const wasFailing = state.status === 'fail';
  // redistribute gets every success, with the previous run's output (mon).
  let deliveries: Delivery[] = redistribute(
    state,
    'up',
    {
      summary: state.summary,
      detail: state.detail,
      output: state.output,
      exitCode: 0,
      ...(state.firstFailure !== undefined ? { since: state.firstFailure } : {}),
      count: state.consecutiveFailures,
      failedHosts: result.failedHosts,
      source: result.source,
    },
    ctx,
  );
  if (wasFailing && hasUpalerts(ctx.service)) {
    // mon sends the output of the last failing run with the upalert, not this one's.
    deliveries = deliveries.concat(doAlert(
      state,
      {
        kind: 'upalert',
        fields: {
          summary: state.lastFailSummary,
          detail: state.lastFailDetail,
          output: state.lastFailOutput,
          exitCode: 0,
          ...(state.firstFailure !== undefined ? { since: state.firstFailure } : {}),
          count: state.consecutiveFailures,
          failedHosts: result.failedHosts,
          source: result.source,
        },
      },
      ctx,
    ));
  }
  state.status = 'ok';
  state.summary = result.summary;
  state.detail = result.detail;
  state.output = result.output;
  state.lastSuccess = ctx.now;
  state.consecutiveFailures = 0;
  delete state.ack;
  delete state.firstFailure;
  for (const p of ctx.service.periods) {
    const m = periodMemory(state, p.key);
    m.alertSent = 0;
    m.downSent = false;
    m.failCount = 0;
    delete m.firstFailTime;
    delete m.windowStart;
    // alertevery strict: a recovery does not restart the timer.
    if (p.alertevery?.mode !== 'strict') delete m.lastAlert;
  }
  return deliveries;
}

function hasUpalerts(service: Service): boolean {
  return service.periods.some((p) => p.upalerts.length > 0);
}
