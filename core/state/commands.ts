/**
 * @fileoverview Events that do not come from a check: startup, ack, disable
 * (mon's startupalert, ackalert, disablealert) and test alerts.
 */
import { doAlert, linesOf, redistribute } from './alert.ts';
import { deliveriesFor, makeEvent, refMatchesExit } from './events.ts';
import { recount } from './init.ts';
import { cloneState } from './clone.ts';
import type { AlertKind, Delivery, ServiceState, StateContext } from './types.ts';
import type { EventType } from '../types.ts';

type Outcome = { state: ServiceState; deliveries: Delivery[] };

/** Daemon start: every period's startupalerts. Counted in alertsSent/numalerts as mon does (QUIRK). */
export function startup(prev: ServiceState, ctx: StateContext): Outcome {
  const state = cloneState(prev);
  const fields = quietFields(state, '');
  const deliveries = [...redistribute(state, 'startup', fields, ctx), ...doAlert(state, { kind: 'startupalert', fields }, ctx)];
  recount(state, ctx.service);
  return { state, deliveries };
}

/**
 * Acknowledge a failing service: failure alerts stop until it recovers (or,
 * with unack_summary, until the summary changes). ackalerts go to the periods
 * that sent a down alert (any in-period one with no_comp_alerts). A service
 * that is not failing is returned unchanged: the caller reports "not failing".
 * `comment` is what the ackalert gets on stdin (mon: "user: comment").
 */
export function acknowledge(prev: ServiceState, comment: string, ctx: StateContext): Outcome {
  if (prev.status !== 'fail') return { state: prev, deliveries: [] };
  const state = cloneState(prev);
  state.ack = { at: ctx.now, comment };
  // mon leaves MON_RETVAL unset for ackalerts: no exit code.
  const fields = { ...quietFields(state, comment, false), summary: state.lastFailSummary, comment };
  const deliveries = [...redistribute(state, 'ack', fields, ctx), ...doAlert(state, { kind: 'ackalert', fields }, ctx)];
  recount(state, ctx.service);
  return { state, deliveries };
}

/**
 * The service was just disabled: its disablealerts fire (mon never fired them:
 * BUG). Call it after marking the service disabled; `ctx.disabled` is ignored here.
 */
export function disableAlerts(prev: ServiceState, ctx: StateContext): Outcome {
  const state = cloneState(prev);
  const fields = quietFields(state, '');
  const deliveries = [...redistribute(state, 'disable', fields, ctx), ...doAlert(state, { kind: 'disablealert', fields }, ctx)];
  return { state, deliveries };
}

const TEST_TYPE: Record<AlertKind, EventType> = {
  alert: 'test',
  upalert: 'up',
  startupalert: 'startup',
  ackalert: 'ack',
  disablealert: 'disable',
};

/**
 * mon's `test alert|upalert|... G S RETVAL PERIOD`: run that period's lines of
 * that kind now, with "test\ntest detail\n" as output. Nothing is counted and
 * no throttle applies. The event has `test: true`; its type is `test` for
 * failure alerts and the kind's own type otherwise (a test upalert is an `up`,
 * as in mon). Throws when the period does not exist.
 */
export function testAlert(
  state: ServiceState,
  kind: AlertKind,
  periodKey: string,
  ctx: StateContext,
  exitCode = kind === 'alert' ? 1 : 0,
): Delivery[] {
  const period = ctx.service.periods.find((p) => p.key === periodKey);
  if (!period) {
    const known = ctx.service.periods.map((p) => JSON.stringify(p.key)).join(', ') || 'none';
    throw new RangeError(
      `period ${JSON.stringify(periodKey)} is not defined for ${ctx.service.watch}/${ctx.service.name}; its periods are: ${known}`,
    );
  }
  // A copy: the sequence number is not advanced by a test, so no later real event id is taken.
  const scratch = cloneState(state);
  const event = makeEvent(scratch, ctx, TEST_TYPE[kind], {
    summary: 'test',
    detail: 'test detail',
    output: 'test\ntest detail\n',
    exitCode,
    count: 0,
    failedHosts: [],
    period: period.key,
    test: true,
  });
  event.id = `${event.id}/test`;
  return deliveriesFor(event, period, linesOf(period, kind).filter((r) => refMatchesExit(r, exitCode)));
}

function quietFields(state: ServiceState, output: string, withExit = true) {
  return {
    summary: state.summary,
    detail: '',
    output,
    ...(withExit ? { exitCode: 0 } : {}),
    ...(state.firstFailure !== undefined ? { since: state.firstFailure } : {}),
    count: state.consecutiveFailures,
    failedHosts: [] as string[],
  };
}
