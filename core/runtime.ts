/**
 * @fileoverview What the running daemon exposes to its front ends (HTTP API,
 * status page, metrics, mon client protocol, CLI). Front ends depend on this
 * interface, never on the engine's internals.
 */
import type { AlertEvent, HostCheckResult } from './types.ts';
import type { Config } from './model.ts';

export type HostState = 'up' | 'down' | 'degraded' | 'unknown';
/** mon's opstatus names for a service. */
export type ServiceStatus = 'ok' | 'fail' | 'untested';

export interface HostStatus {
  host: string;
  state: HostState;
  /** When the state last changed (ms). */
  since?: number;
  lastCheck?: number;
  latencyMs?: number;
  summary?: string;
  detail?: string;
  disabled: boolean;
  /** Excluded from this service by exclude_hosts. */
  excluded: boolean;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  metrics?: Record<string, number>;
}

export interface ServiceStatusView {
  watch: string;
  service: string;
  description?: string;
  status: ServiceStatus;
  /** mon opstatus number: 0 fail, 1 ok, 7 untested. */
  opstatus: number;
  lastOpstatus: number;
  exitCode?: number;
  lastCheck?: number;
  lastSuccess?: number;
  lastFailure?: number;
  firstFailure?: number;
  /** When the service entered its current status. */
  since?: number;
  nextCheck?: number;
  intervalMs?: number;
  durationMs?: number;
  running: boolean;
  /** Overdue by more than two intervals. */
  overdue: boolean;
  summary: string;
  detail: string;
  consecutiveFailures: number;
  failureCount: number;
  alertsSent: number;
  lastAlert?: number;
  disabled: boolean;
  acked: boolean;
  ackComment?: string;
  ackAt?: number;
  depend?: string;
  dependOk?: boolean;
  /** Last trap received for the service (mon's last_trap), and from where. */
  lastTrap?: number;
  lastTrapHost?: string;
  monitor: string;
  hosts: HostStatusView[];
  /**
   * What each alert instance with `describe()` manages (lvs: per virtual service,
   * which real servers are in, out or quiescent, with weights). Absent when none does.
   */
  alertStates?: AlertStateView[];
}

export interface AlertStateView {
  /** Plugin name (`lvs`). */
  plugin: string;
  /** Target key: `watch/service/period/list/index`. */
  target: string;
  /** The plugin's own JSON-able view (lvs: alerts/lvs/view.ts ServiceView[]). */
  state: unknown;
}
export type HostStatusView = HostStatus;

export interface WatchStatusView {
  watch: string;
  disabled: boolean;
  hosts: string[];
  services: ServiceStatusView[];
}

export interface StatusSnapshot {
  startedAt: number;
  now: number;
  schedulerRunning: boolean;
  configFile: string;
  watches: WatchStatusView[];
  disabledHosts: string[];
}

/** One record of history as the store keeps it. */
export interface HistoryRecord {
  id: string;
  kind: 'alert' | 'failure' | 'event';
  at: number;
  watch: string;
  service: string;
  type: string;
  host?: string;
  summary: string;
  detail?: string;
  /** For alerts: plugin and its arguments as mon's alerthist shows them. */
  plugin?: string;
  args?: string;
}

export interface OutboxEntry {
  id: string;
  eventId: string;
  target: string;
  plugin: string;
  watch: string;
  service: string;
  type: string;
  state: 'pending' | 'delivered' | 'given-up';
  attempts: number;
  nextAttemptAt?: number;
  lastError?: string;
  createdAt: number;
  deliveredAt?: number;
}

export interface HistoryQuery {
  watch?: string;
  service?: string;
  since?: number;
  until?: number;
  limit?: number;
  kind?: HistoryRecord['kind'];
}

export type EngineEventName = 'event' | 'result' | 'reload' | 'state';

/** Control surface of a running daemon. Every mutating call is audited by the caller. */
export interface Runtime {
  config(): Config;
  status(): StatusSnapshot;
  history(q: HistoryQuery): HistoryRecord[];
  outbox(q: { state?: OutboxEntry['state']; limit?: number }): OutboxEntry[];
  disableHost(host: string): void;
  enableHost(host: string): void;
  disableService(watch: string, service: string): void;
  enableService(watch: string, service: string): void;
  disableWatch(watch: string): void;
  enableWatch(watch: string): void;
  /** Throws RuntimeError('not-failing') when the service is not failing. */
  ack(watch: string, service: string, comment: string, user?: string): void;
  /** Runs the check now (mon's `test monitor`). */
  testNow(watch: string, service: string): Promise<void>;
  /** Re-reads the config file; keeps the running one on error and throws it. */
  reload(): Promise<void>;
  stopScheduler(): void;
  startScheduler(): void;
  /**
   * Optional: a mon trap arrived (UDP, already authenticated) for `watch`/`service`:
   * process it like a monitor exit with status `status` (0 = ok) and output
   * `summary\n\ndetail`. Throws RuntimeError('unknown-watch'|'unknown-service').
   * `fromHost` is the sender's address (mon's last_traphost).
   */
  trap?(watch: string, service: string, status: number, summary: string, detail: string, fromHost?: string): void;
  /**
   * Optional: mon's `test alert|upalert|startupalert|ackalert|disablealert G S RETVAL PERIOD`:
   * runs that period's alerts of that kind with stdin "test\ntest detail\n"; not counted.
   * Throws RuntimeError('unknown-watch'|'unknown-service'|'config' (no such period)).
   */
  testAlert?(kind: 'alert' | 'upalert' | 'startupalert' | 'ackalert' | 'disablealert', watch: string, service: string, periodKey: string, exitCode?: number): void;
  /**
   * Optional: drain `host` out of every load-balancer pool that manages it (lvs:
   * weight 0 at once, removed once it has no active connections or after
   * `timeoutMs`; it stays out until undrainHost). Throws RuntimeError('unknown-host')
   * when no alert manages that host.
   */
  drainHost?(host: string, timeoutMs: number): Promise<void>;
  /** Optional: ends a drain; health decides again. Throws RuntimeError('unknown-host') like drainHost. */
  undrainHost?(host: string): Promise<void>;
  /** Subscribe to events as they are produced; returns an unsubscribe function. */
  on(name: 'event', fn: (e: AlertEvent) => void): () => void;
  on(name: 'result', fn: (r: { watch: string; service: string; at: number; hosts: Record<string, HostCheckResult> }) => void): () => void;
  on(name: 'state', fn: () => void): () => void;
}

export class RuntimeError extends Error {
  constructor(
    readonly code: 'unknown-watch' | 'unknown-service' | 'unknown-host' | 'not-failing' | 'config' | 'busy',
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}
