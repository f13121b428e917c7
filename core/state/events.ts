/**
 * @fileoverview Building events: stable ids (so a delivery is deduplicated across
 * restarts, and later across instances) and the fields every alert gets.
 */
import type { AlertEvent, EventType, HostCheckResult } from '../types.ts';
import type { Period, PluginRef } from '../model.ts';
import type { Delivery, ServiceState, StateContext } from './types.ts';

/** `${watch}/${service}/${host ?? '-'}/${incidentStart}/${seq}`: unique per event, stable across restarts. */
export function serviceEventId(
  watch: string,
  service: string,
  host: string | undefined,
  incidentStart: number,
  seq: number,
): string {
  return `${watch}/${service}/${host ?? '-'}/${incidentStart}/${seq}`;
}

/** Incident key: `${watch}/${service}/${since}` (host events add the host). */
export function incidentKey(watch: string, service: string, since: number, host?: string): string {
  return host === undefined ? `${watch}/${service}/${since}` : `${watch}/${service}/${host}/${since}`;
}

export interface EventFields {
  summary: string;
  detail: string;
  output: string;
  exitCode?: number;
  /** First failure of the incident; absent for events outside an outage (startup). */
  since?: number;
  count: number;
  failedHosts: string[];
  period?: string;
  source?: AlertEvent['source'];
  comment?: string;
  host?: string;
  result?: HostCheckResult;
  test?: boolean;
}

/** A new event of this service; takes the next sequence number from `state`. */
export function makeEvent(state: ServiceState, ctx: StateContext, type: EventType, f: EventFields): AlertEvent {
  const { service: svc, now } = ctx;
  state.seq += 1;
  const start = f.since ?? now;
  const event: AlertEvent = {
    id: serviceEventId(svc.watch, svc.name, f.host, start, state.seq),
    type,
    watch: svc.watch,
    service: svc.name,
    // Shared, not copied: every event of a run has the same group (events are read-only;
    // a copy per event was 20,000 copies of a 100-host list at start).
    hosts: ctx.groupHosts,
    failedHosts: [...f.failedHosts],
    summary: f.summary,
    detail: f.detail,
    output: f.output,
    at: now,
    count: f.count,
    incident: incidentKey(svc.watch, svc.name, start, f.host),
    source: f.source ?? 'monitor',
    env: svc.env,
  };
  if (svc.description !== undefined) event.description = svc.description;
  if (f.exitCode !== undefined) event.exitCode = f.exitCode;
  if (f.since !== undefined) event.since = f.since;
  if (f.period !== undefined) event.period = f.period;
  if (f.comment !== undefined) event.comment = f.comment;
  if (f.host !== undefined) event.host = f.host;
  if (f.result !== undefined) event.result = f.result;
  if (f.test) event.test = true;
  // mon's MON_LAST_FAILURE / MON_LAST_SUCCESS for alert scripts.
  if (state.lastFailure !== undefined) event.lastFailure = state.lastFailure;
  if (state.lastSuccess !== undefined) event.lastSuccess = state.lastSuccess;
  return event;
}

/** mon's `alert exit=N-M`: a ref with a range only runs for exit codes inside it. */
export function refMatchesExit(ref: PluginRef, exitCode: number): boolean {
  return !ref.exitRange || (exitCode >= ref.exitRange[0] && exitCode <= ref.exitRange[1]);
}

/** One delivery per alert line of the period, all sharing the event. */
export function deliveriesFor(event: AlertEvent, period: Period, refs: PluginRef[]): Delivery[] {
  return refs.map((ref) => ({ event, period: period.key, ref }));
}
