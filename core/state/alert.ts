/**
 * @fileoverview mon's `do_alert`: whether an event reaches the alerts of each
 * period, in mon's exact order (mon-reference.md a.8):
 *
 *   1. scheduler stopped                     -> drop everything
 *   2. watch/service disabled                -> drop (disablealerts excepted: mon BUG fixed)
 *   3. alert dependency not OK               -> drop failure and ack alerts
 *   4. unack_summary and the summary changed -> forget the ack
 *   5. acknowledged                          -> drop failure and startup alerts
 *   6. per period (config order):
 *        not in period                              -> skip
 *        up/ack and no down alert sent (no_comp_alerts off) -> skip
 *          (vigil pairs with a real down alert; mon's counter also counts startup alerts)
 *        up and no_comp_alerts and an upalert already sent  -> skip
 *        up and the outage was shorter than upalertafter    -> skip (mon BUG fixed)
 *        failure: exitrange, numalerts, alertevery, alertafter (policy.ts)
 *        run the period's lines of that kind whose exit= matches;
 *        if any ran: up resets alertSent/lastAlert, the others count one event.
 *
 * Works on a state the caller already cloned; returns the deliveries.
 * `redistribute` (below) runs beside it, before step 2, on every status event.
 */
import type { EventType } from '../types.ts';
import type { Period, PluginRef } from '../model.ts';
import { deliveriesFor, makeEvent, refMatchesExit, type EventFields } from './events.ts';
import { periodMemory } from './init.ts';
import { failureGate, type FailureFacts } from './policy.ts';
import type { AlertKind, Delivery, ServiceState, StateContext } from './types.ts';

export interface AlertRequest {
  kind: AlertKind;
  /** Event fields shared by every period (the period key is added per period). */
  fields: Omit<EventFields, 'period'>;
  /** For `alert` only: what the throttles look at. */
  facts?: FailureFacts;
}

/** Delivery.period of redistribute deliveries (no period selects them). */
export const REDISTRIBUTE = '(redistribute)';

/**
 * mon's `redistribute`: called on every status event (each failure, each
 * success even ok->ok, startup, ack, disable) before the disabled, dependency,
 * ack and period checks; not counted. Only a stopped scheduler drops it.
 */
export function redistribute(
  state: ServiceState,
  type: EventType,
  fields: Omit<EventFields, 'period'>,
  ctx: StateContext,
): Delivery[] {
  const ref = ctx.service.redistribute;
  if (!ref || ctx.schedulerStopped) return [];
  return [{ event: makeEvent(state, ctx, type, fields), period: REDISTRIBUTE, ref }];
}

export function doAlert(state: ServiceState, req: AlertRequest, ctx: StateContext): Delivery[] {
  const { kind } = req;
  if (ctx.schedulerStopped) return [];
  if (ctx.disabled && kind !== 'disablealert') return [];
  if ((kind === 'alert' || kind === 'ackalert') && !ctx.alertDependOk) return [];
  if (kind === 'alert' && req.facts) maybeUnack(state, req.facts, ctx);
  if (state.ack && (kind === 'alert' || kind === 'startupalert')) return [];

  const out: Delivery[] = [];
  for (const period of ctx.service.periods) {
    if (period.spec !== '' && !ctx.inPeriod(period.spec, ctx.now)) continue;
    const mem = periodMemory(state, period.key);
    if (!pairingAllows(period, state, kind, ctx.now)) continue;
    if (kind === 'alert' && req.facts && failureGate(period, mem, req.facts) !== 'send') continue;
    const exit = req.fields.exitCode ?? (kind === 'alert' ? 1 : 0);
    const refs = linesOf(period, kind).filter((r) => refMatchesExit(r, exit));
    if (refs.length === 0) continue;
    const type = eventType(kind, mem.downSent);
    const event = makeEvent(state, ctx, type, { ...req.fields, period: period.key });
    out.push(...deliveriesFor(event, period, refs));
    recordSent(period, state, kind, req, ctx.now);
  }
  return out;
}

/** Upalerts and ackalerts pair with a down alert of the same period, unless no_comp_alerts. */
function pairingAllows(period: Period, state: ServiceState, kind: AlertKind, now: number): boolean {
  const mem = periodMemory(state, period.key);
  if (kind !== 'upalert' && kind !== 'ackalert') return true;
  if (!period.noCompAlerts && !mem.downSent) return false;
  if (kind !== 'upalert') return true;
  if (period.noCompAlerts && mem.upSent) return false;
  const since = state.firstFailure;
  return period.upalertafterMs === undefined || since === undefined || now - since >= period.upalertafterMs;
}

function recordSent(period: Period, state: ServiceState, kind: AlertKind, req: AlertRequest, now: number): void {
  const mem = periodMemory(state, period.key);
  if (kind === 'upalert') {
    mem.alertSent = 0;
    mem.downSent = false;
    delete mem.lastAlert;
    if (period.noCompAlerts) mem.upSent = true;
    return;
  }
  // A disable alert is a notice, not a down alert: it must not arm an upalert.
  if (kind === 'disablealert') return;
  // mon counts startup and ack alerts too (QUIRK): they show in alerts_sent and eat into numalerts.
  mem.alertSent += 1;
  // Unlike mon, a startup notice does not start the alertevery timer: with
  // `strict` it would silence a real outage in the first TIMEVAL after a restart.
  if (kind !== 'startupalert') mem.lastAlert = now;
  if (period.noCompAlerts) mem.upSent = false;
  if (kind === 'alert') {
    mem.downSent = true;
    mem.lastAlertSummary = req.fields.summary;
    mem.lastAlertOutput = req.fields.output;
  }
}

/** unack_summary: a failure whose summary differs (ignoring whitespace) from the previous one ends the ack. */
function maybeUnack(state: ServiceState, f: FailureFacts, ctx: StateContext): void {
  if (!state.ack || !ctx.service.unackSummary) return;
  if (f.summary.replace(/\s/g, '') === f.prevSummary.replace(/\s/g, '')) return;
  delete state.ack;
  state.consecutiveFailures = 1;
  f.consecutiveFailures = 1;
  for (const p of ctx.service.periods) {
    const m = periodMemory(state, p.key);
    delete m.lastAlert;
    delete m.firstFailTime;
    delete m.windowStart;
    m.failCount = 0;
  }
}

export function linesOf(period: Period, kind: AlertKind): PluginRef[] {
  switch (kind) {
    case 'alert':
      return period.alerts;
    case 'upalert':
      return period.upalerts;
    case 'startupalert':
      return period.startupalerts;
    case 'ackalert':
      return period.ackalerts;
    case 'disablealert':
      return period.disablealerts;
  }
}

/** `down` opens an outage in a period, `still-down` repeats it. */
function eventType(kind: AlertKind, downSent: boolean): EventType {
  switch (kind) {
    case 'alert':
      return downSent ? 'still-down' : 'down';
    case 'upalert':
      return 'up';
    case 'startupalert':
      return 'startup';
    case 'ackalert':
      return 'ack';
    case 'disablealert':
      return 'disable';
  }
}
