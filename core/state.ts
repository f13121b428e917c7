/**
 * @fileoverview The state machine, public entry: a pure function of (previous
 * state, result, time) that turns check results into mon's service events
 * (down, still-down, up, startup, ack, disable) and vigil's host events.
 * No timers, no I/O, no clock: time comes in through `StateContext.now`.
 * The rules and their order are documented in core/state/alert.ts and in
 * docs/alerting.md.
 */
export type {
  AlertKind,
  Delivery,
  HostMemory,
  PeriodMemory,
  RunResult,
  ServiceState,
  StateContext,
} from './state/types.ts';
export { initialState, adoptState } from './state/init.ts';
export { applyResult, applyResultInPlace, failureSummary, NO_SUMMARY, type Transition } from './state/service.ts';
export { startup, acknowledge, disableAlerts, testAlert } from './state/commands.ts';
export { serviceEventId, incidentKey } from './state/events.ts';
export { REDISTRIBUTE } from './state/alert.ts';
export { hostResults, hostStateOf } from './state/hosts.ts';
