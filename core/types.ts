/**
 * @fileoverview The public plugin contract: the only module a plugin imports.
 * Built-in plugins in monitors/ and alerts/ use exactly this, as a third-party
 * plugin would.
 */

/** A JSON Schema object (draft-07 / 2019-09 as ajv accepts it). */
export type JsonSchema = Record<string, unknown>;

/** Structured logger handed to plugins: fields first, short message last. */
export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
  child(fields: Record<string, unknown>): Logger;
}

/** What core hands every plugin's `create`: no globals, everything injected. */
export interface PluginContext {
  log: Logger;
  /** Current time in ms since the epoch (fake in tests). */
  now(): number;
  /** Directory of the config file; relative paths in options resolve against it. */
  configDir: string;
  /** Directory vigil keeps its state in (a plugin may keep files below `plugins/NAME`). */
  stateDir: string;
  /** The watch and service this instance belongs to, when created for one. */
  watch?: string;
  service?: string;
  /** Hosts of the watched hostgroup, in config order. */
  hosts?: string[];
  /** Environment for child processes: mon's `VAR=value` service lines. */
  env?: Record<string, string>;
}

// ---------------------------------------------------------------- monitors

/** Result of checking one host. Return `ok: false` for a wrong answer; throw only for "could not check". */
export interface HostCheckResult {
  ok: boolean;
  /** Works but not well (Nagios WARNING, latency over a limit): alerts and lvs may act on it. @default false */
  degraded?: boolean;
  /** One line: what is wrong, or what was seen. */
  summary: string;
  detail?: string;
  /** Measured by the plugin where it knows better (e.g. time to first byte); else core measures. */
  latencyMs?: number;
  /** Numeric figures (perfdata, cert days left...) exposed with the check. */
  metrics?: Record<string, number>;
}

/** Result of checking a whole hostgroup at once (mon scripts, fping). */
export interface GroupCheckResult {
  ok: boolean;
  /** Hosts that failed; with `ok: false` and no list, every host counts as failed. */
  failedHosts?: string[];
  /** Hosts that are degraded but not failed. */
  degradedHosts?: string[];
  /** First output line (mon: the failing hosts). */
  summary: string;
  /** Rest of the output. */
  detail?: string;
  /** Full raw output, as a mon alert gets it on stdin. Defaults to summary + "\n" + detail. */
  output?: string;
  /** Exit status of a script (mon's MON_RETVAL, `exit=` ranges). */
  exitCode?: number;
  /** Per-host details where the plugin knows them. */
  hosts?: Record<string, HostCheckResult>;
}

/** Environment of one run that group-scope plugins (mon scripts) pass on as MON_* variables. */
export interface RunInfo {
  watch: string;
  service: string;
  description?: string;
  lastSummary?: string;
  lastOutput?: string;
  lastFailure?: number;
  firstFailure?: number;
  lastSuccess?: number;
  dependStatus?: boolean;
}

export interface HostChecker {
  /** `signal` fires at the timeout or at shutdown; checks that started together may share it. */
  check(host: string, signal: AbortSignal): Promise<HostCheckResult>;
  close?(): Promise<void>;
}

export interface GroupChecker {
  check(hosts: string[], signal: AbortSignal, run: RunInfo): Promise<GroupCheckResult>;
  close?(): Promise<void>;
}

/** One problem `checkOptions` found. */
export interface OptionProblem {
  option?: string;
  message: string;
}

interface PluginBase<O> {
  /** Unique name; lowercase; `pkg/name` for plugins from packages. */
  name: string;
  /** Contract version, checked by the registry. */
  apiVersion: 1;
  /** JSON Schema of the options (without the `plugin` key). No schema means no options allowed. */
  optionsSchema?: JsonSchema;
  /** One-line description for `--help` and docs. */
  description?: string;
  /**
   * Problems in options that passed the schema but that the schema cannot express
   * (a template naming an unknown field). No I/O: host names are not resolved here.
   * `vigil check`, start-up and a reload report each with the config's file and
   * line, instead of `create` failing later. `option` names the offending key, when
   * there is one. `hosts`: the watched hostgroup, as `create` gets it.
   */
  checkOptions?(options: O, ctx: { hosts: readonly string[] }): OptionProblem[] | Promise<OptionProblem[]>;
  /** Type witness only; never set. */
  readonly __options?: O;
}

export interface HostMonitorPlugin<O = Record<string, unknown>> extends PluginBase<O> {
  kind: 'monitor';
  /** @default 'host' */
  scope?: 'host';
  create(options: O, ctx: PluginContext): HostChecker | Promise<HostChecker>;
}

export interface GroupMonitorPlugin<O = Record<string, unknown>> extends PluginBase<O> {
  kind: 'monitor';
  scope: 'group';
  create(options: O, ctx: PluginContext): GroupChecker | Promise<GroupChecker>;
}

export type MonitorPlugin<O = any> = HostMonitorPlugin<O> | GroupMonitorPlugin<O>;

// ---------------------------------------------------------------- events and alerts

/**
 * Service level as in mon (`down`, `still-down`, `up`, `startup`, `ack`, `disable`,
 * `test`), host level where mon has none (`host-down`, `host-up`, `host-degraded`).
 */
export type EventType =
  | 'down'
  | 'still-down'
  | 'up'
  | 'startup'
  | 'ack'
  | 'disable'
  | 'test'
  | 'host-down'
  | 'host-up'
  | 'host-degraded';

export const SERVICE_EVENTS: readonly EventType[] = ['down', 'still-down', 'up', 'startup', 'ack', 'disable', 'test'];
export const HOST_EVENTS: readonly EventType[] = ['host-down', 'host-up', 'host-degraded'];

/** One event as alert plugins receive it. Times are ms since the epoch. */
export interface AlertEvent {
  /** Stable id: watch/service/host/incident/sequence; dedups deliveries across restarts. */
  id: string;
  type: EventType;
  watch: string;
  service: string;
  description?: string;
  /** Non-disabled hosts of the group (mon's `-h`). */
  hosts: string[];
  /** Hosts failing now. */
  failedHosts: string[];
  /** For host events: the host. */
  host?: string;
  /** First line of the failing output (mon's summary). */
  summary: string;
  detail: string;
  /** What a mon alert script gets on stdin. */
  output: string;
  /** Monitor exit status or trap `sta` (MON_RETVAL). */
  exitCode?: number;
  /** First failure of this incident. */
  since?: number;
  at: number;
  /** Consecutive failures of the service (for host events: of the host). */
  count: number;
  /** Incident key: `${watch}/${service}/${since}`. */
  incident: string;
  /** Period key that selected this alert, where one did. */
  period?: string;
  /** How the failure arrived: a monitor run, a trap, or a trap timeout. @default 'monitor' */
  source?: 'monitor' | 'trap' | 'traptimeout';
  /** Ack comment (ack events) or the comment stored with an ack. */
  comment?: string;
  /** Per-host result for host events. */
  result?: HostCheckResult;
  /** Set for `test` deliveries from the CLI/API; not counted. */
  test?: boolean;
  /** Environment lines of the service (mon's VAR=value). */
  env?: Record<string, string>;
  /** Last failing run of the service (MON_LAST_FAILURE); for down events defaults to `at`. */
  lastFailure?: number;
  /** Last successful run of the service (MON_LAST_SUCCESS). */
  lastSuccess?: number;
  /** Full output of the run before this one (MON_LAST_OUTPUT). */
  lastOutput?: string;
}

/** Per-check view handed to `Alert.observe` after every run of its service. */
export interface CheckObservation {
  watch: string;
  service: string;
  at: number;
  hosts: Record<string, HostCheckResult>;
}

export interface Alert {
  /**
   * Events this instance wants, when its options narrow the plugin's `events`
   * (e.g. a script alert without `hostEvents`). Must be a subset of the plugin's.
   */
  events?: readonly EventType[];
  /**
   * Deliver one event. Throw to have the dispatcher retry with backoff; throw an
   * error made by `permanentFailure()` for a refusal no retry can fix (an SMTP 554),
   * and the delivery is given up at once. The event is shared with the event's other
   * targets and with later retries: read it, never change it.
   */
  send(event: AlertEvent, signal: AbortSignal): Promise<void>;
  /** Optional: see every check result of the service (lvs uses it for fall/rise). Must not throw. */
  observe?(obs: CheckObservation): void | Promise<void>;
  /** Optional: called once after create and after every reload with the current per-host state. */
  start?(hosts: Record<string, 'up' | 'down' | 'degraded' | 'unknown'>): Promise<void>;
  /** Optional: the longest one `send` may take (e.g. an email digest window); else the dispatcher's bound (30 s). */
  sendTimeoutMs?: number;
  /** Optional: vigil is stopping; send what is held back (a digest window) now rather than at the next start. */
  flush?(): void;
  /** Optional: a JSON-able view of what the alert manages, for status output (lvs: each virtual service's real servers, in / out / quiescent). */
  describe?(): unknown;
  /**
   * Optional: the operator drains `host` (`{ timeoutMs }`) or ends the drain
   * (`{ undo: true }`). Resolves true when this instance manages the host, false
   * when it does not (the engine answers 404 when none does).
   */
  drain?(host: string, request: { timeoutMs: number } | { undo: true }): Promise<boolean>;
  close?(): Promise<void>;
}

export interface AlertPlugin<O = any> extends PluginBase<O> {
  kind: 'alert';
  /**
   * Events this plugin wants. Service events pass the period/alertafter/alertevery/
   * numalerts policy; host events go to it as they happen.
   * @default ['down','still-down','up','startup','ack','disable','test']
   */
  events?: readonly EventType[];
  create(options: O, ctx: PluginContext): Alert | Promise<Alert>;
}

export type Plugin = MonitorPlugin | AlertPlugin;

/** Identity helpers that give options their type from the schema's user. */
export function defineMonitor<O>(p: HostMonitorPlugin<O>): HostMonitorPlugin<O>;
export function defineMonitor<O>(p: GroupMonitorPlugin<O>): GroupMonitorPlugin<O>;
export function defineMonitor<O>(p: MonitorPlugin<O>): MonitorPlugin<O> {
  return p;
}
export function defineAlert<O>(p: AlertPlugin<O>): AlertPlugin<O> {
  return p;
}

/** An error that tells the dispatcher not to retry this delivery. */
export function permanentFailure(message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { permanent: true as const });
}

export function isPermanentFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true;
}
