/**
 * @fileoverview Creating a service's state, and carrying it over a reload.
 */
import { hostRecord } from './host-record.ts';
import type { Service } from '../model.ts';
import type { HostMemory, PeriodMemory, ServiceState } from './types.ts';

export function freshHost(): HostMemory {
  // Every field present from the start: fields added later would live outside the object
  // (a property array per host memory, copied on every run).
  return { state: 'unknown', since: undefined, lastCheck: undefined, consecutiveFailures: 0, consecutiveSuccesses: 0, last: undefined };
}

export function freshPeriod(): PeriodMemory {
  return { alertSent: 0, downSent: false, failCount: 0, upSent: false };
}

/** State of a service that has never been checked (mon: UNTESTED). */
export function initialState(service: Service, hosts: string[]): ServiceState {
  const state: ServiceState = {
    status: 'untested',
    lastStatus: 'untested',
    consecutiveFailures: 0,
    failureCount: 0,
    summary: '',
    detail: '',
    output: '',
    lastFailSummary: '',
    lastFailOutput: '',
    lastFailDetail: '',
    alertsSent: 0,
    seq: 0,
    hosts: hostRecord(),
    periods: {},
  };
  for (const h of hosts) state.hosts[h] = freshHost();
  for (const p of service.periods) state.periods[p.key] = freshPeriod();
  return state;
}

/**
 * Reload: keep what the old state knew about hosts and periods that still
 * exist (so a down alert already sent is never sent again), start the new
 * ones fresh, drop the ones that are gone.
 */
export function adoptState(old: ServiceState, service: Service, hosts: string[]): ServiceState {
  const next: ServiceState = { ...structuredClone(old), hosts: hostRecord(), periods: {} };
  for (const h of hosts) next.hosts[h] = old.hosts[h] ? structuredClone(old.hosts[h]) : freshHost();
  for (const p of service.periods) {
    const kept = old.periods[p.key];
    // A state saved before downSent existed: a sent alert this outage was a down alert.
    next.periods[p.key] = kept
      ? { ...freshPeriod(), ...structuredClone(kept), downSent: kept.downSent ?? kept.alertSent > 0 }
      : freshPeriod();
  }
  recount(next, service);
  return next;
}

/**
 * mon's `alerts_sent` (sum over the periods without alerts_dont_count) and
 * `last_alert` (latest over all periods) are derived, never counted twice.
 */
export function recount(state: ServiceState, service: Service): void {
  let sent = 0;
  let last: number | undefined;
  for (const p of service.periods) {
    const m = state.periods[p.key];
    if (!m) continue;
    if (!p.alertsDontCount) sent += m.alertSent;
    if (m.lastAlert !== undefined && (last === undefined || m.lastAlert > last)) last = m.lastAlert;
  }
  state.alertsSent = sent;
  if (last === undefined) delete state.lastAlert;
  else state.lastAlert = last;
}

/** The period memory for a key, created when missing (a state loaded from an older config). */
export function periodMemory(state: ServiceState, key: string): PeriodMemory {
  return (state.periods[key] ??= freshPeriod());
}
