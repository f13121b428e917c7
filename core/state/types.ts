/**
 * @fileoverview Data of the state machine: what it remembers per service, host
 * and period, what it is fed (one run's result plus a context), and what it
 * hands back (deliveries for the dispatcher). Everything here is plain,
 * JSON-serialisable data: the store persists it and a reload keeps it.
 * Times are ms since the epoch.
 */
import type { AlertEvent, HostCheckResult } from '../types.ts';
import type { PluginRef, Service } from '../model.ts';
import type { HostState, ServiceStatus } from '../runtime.ts';

/** What the engine remembers about one host of one service. */
export interface HostMemory {
  state: HostState;
  /** When `state` was entered. */
  since?: number;
  lastCheck?: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  last?: HostCheckResult;
}

/** mon's per-period alert bookkeeping (`_alert_sent`, `_last_alert`, `_1stfailtime`, `_failcount`). */
export interface PeriodMemory {
  /** Alert events sent this outage (mon `_alert_sent`): drives numalerts, upalert/ackalert pairing. */
  alertSent: number;
  /** Last alert of this period (mon `_last_alert`): the alertevery timer. */
  lastAlert?: number;
  /** `alertafter TIMEVAL`: first failure this period considered. */
  firstFailTime?: number;
  /** `alertafter N TIMEVAL`: failures counted in the current window. */
  failCount: number;
  /** `alertafter N TIMEVAL`: start of the current window. */
  windowStart?: number;
  /**
   * A failure alert went out this outage. Pairs upalerts/ackalerts with it and tells
   * `down` from `still-down`; unlike alertSent, startup and ack alerts do not set it.
   */
  downSent: boolean;
  /** no_comp_alerts: an upalert was sent and no down alert since (mon `_no_comp_alerts_upalert_sent`). */
  upSent: boolean;
  lastAlertSummary?: string;
  lastAlertOutput?: string;
}

/** Everything the engine remembers about one service. Persisted; kept across reloads. */
export interface ServiceState {
  status: ServiceStatus;
  /** Status before the latest result (mon `last_opstatus`). */
  lastStatus: ServiceStatus;
  consecutiveFailures: number;
  /** Failures since start (mon `failure_count`). */
  failureCount: number;
  /** First failure of the current outage. */
  firstFailure?: number;
  lastFailure?: number;
  lastSuccess?: number;
  /** Start of the latest run (mon `last_check`). */
  lastCheck?: number;
  /** When `status` last changed. */
  lastChange?: number;
  /** Of the latest run, success or failure. */
  summary: string;
  detail: string;
  output: string;
  exitCode?: number;
  /** Of the latest failing run (mon `_failure_output`): up alerts carry it, alertevery compares with it. */
  lastFailSummary: string;
  lastFailOutput: string;
  lastFailDetail: string;
  ack?: { at: number; comment: string };
  /** mon `alerts_sent`: alert events this outage over the periods that count. */
  alertsSent: number;
  /** Latest alert over all periods. */
  lastAlert?: number;
  /** Sequence of events of this service; part of every event id. */
  seq: number;
  hosts: Record<string, HostMemory>;
  /** Keyed by `Period.key`. */
  periods: Record<string, PeriodMemory>;
}

/** One run of the monitor (or one trap), as the scheduler hands it over. */
export interface RunResult {
  /** Start of the run. */
  at: number;
  durationMs: number;
  ok: boolean;
  /** First output line. Blank on a failure becomes "(NO SUMMARY)". */
  summary: string;
  detail: string;
  /** Full output, as a mon alert gets it on stdin. */
  output: string;
  exitCode?: number;
  source: 'monitor' | 'trap' | 'traptimeout';
  /** Per-host results where the plugin gave them. */
  hosts: Record<string, HostCheckResult>;
  failedHosts: string[];
  degradedHosts: string[];
}

/** What the state machine needs to know besides the state and the result. */
export interface StateContext {
  service: Service;
  /** Non-disabled hosts of the group (mon's `-h`). */
  groupHosts: string[];
  /** Decision time: periods, alertevery and alertafter are judged at this moment. */
  now: number;
  /** Time::Period test, injected (core/period.ts). */
  inPeriod(spec: string, now: number): boolean;
  /** Result of `alertdepend` / `depend` with dep_behavior `a`; true when there is none. */
  alertDependOk: boolean;
  /** Watch or service disabled: alerts are dropped, state is still updated. */
  disabled: boolean;
  /** mon's `stop`: every alert is dropped. */
  schedulerStopped?: boolean;
}

/** One alert plugin to call with one event. */
export interface Delivery {
  event: AlertEvent;
  /** Key of the period that selected this alert. */
  period: string;
  ref: PluginRef;
}

/** The alert kinds of a period (mon's `alert`, `upalert`, ...). */
export type AlertKind = 'alert' | 'upalert' | 'startupalert' | 'ackalert' | 'disablealert';
