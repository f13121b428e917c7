/**
 * @fileoverview The model: plain typed data that both the native YAML loader and
 * the mon.cf reader produce. Durations are milliseconds. Every item keeps where
 * it came from (`loc`) so errors and notes can name file:line.
 */

/** Where an item was written. */
export interface Loc {
  file: string;
  line: number;
  column?: number;
}

/** `{ plugin: NAME, ...options }` from the config. */
export interface PluginRef {
  plugin: string;
  options: Record<string, unknown>;
  loc?: Loc;
  /** mon's `alert exit=N-M`: this alert only for monitor exit codes in [from, to]. */
  exitRange?: [number, number];
}

/** mon's three `alertafter` forms. */
export type AlertAfter =
  | { kind: 'count'; count: number } // alertafter N: N consecutive failures
  | { kind: 'count-within'; count: number; withinMs: number } // alertafter N TIMEVAL
  | { kind: 'duration'; durationMs: number }; // alertafter TIMEVAL

export type AlertEveryMode = 'default' | 'summary' | 'strict' | 'observe_detail' | 'ignore_summary';

export interface AlertEvery {
  ms: number;
  /** `default`/`summary`: a changed summary alerts anyway and a success resets the timer;
   * `strict`/`ignore_summary`: no summary exception; `strict`: success does not reset;
   * `observe_detail`: a changed output alerts anyway. */
  mode: AlertEveryMode;
}

export interface Period {
  /** Unique within the service: the label, else the spec text. */
  key: string;
  label?: string;
  /** Time::Period spec ("" = always). A named period from `periods:` is resolved to its spec. */
  spec: string;
  alertafter?: AlertAfter;
  alertevery?: AlertEvery;
  /** 0 = unlimited. */
  numalerts: number;
  alerts: PluginRef[];
  upalerts: PluginRef[];
  startupalerts: PluginRef[];
  ackalerts: PluginRef[];
  disablealerts: PluginRef[];
  /** mon's no_comp_alerts: upalerts/ackalerts even if no down alert was sent. */
  noCompAlerts: boolean;
  /** Intended mon behaviour: upalert only if the outage lasted at least this long. */
  upalertafterMs?: number;
  /** Alerts of this period are not counted in alerts_sent. */
  alertsDontCount: boolean;
  /** mon's alertexitrange. */
  exitRange?: [number, number];
  loc?: Loc;
}

export type DepBehavior = 'a' | 'm' | 'hm';

export interface Service {
  watch: string;
  name: string;
  description?: string;
  /** Absent: never scheduled (trap-only service, as in mon). */
  intervalMs?: number;
  /** node-cron expression, alternative to interval. */
  cron?: string;
  /** Per-check timeout enforced by the scheduler for every plugin. */
  timeoutMs: number;
  randskewMs?: number;
  failureIntervalMs?: number;
  monitor?: PluginRef;
  /** Dependency expression (`a:b && !c:d`); space-separated lists are AND-ed. */
  depend?: string;
  depBehavior: DepBehavior;
  alertdepend?: string;
  monitordepend?: string;
  hostdepend?: string;
  depMemoryMs?: number;
  excludeHosts: string[];
  excludePeriod?: string;
  allowEmptyGroup: boolean;
  /** mon's VAR=value lines: environment for monitor and alerts. */
  env: Record<string, string>;
  traptimeoutMs?: number;
  trapdurationMs?: number;
  unackSummary?: boolean;
  redistribute?: PluginRef;
  periods: Period[];
  loc?: Loc;
}

export interface Watch {
  /** The hostgroup's name. */
  name: string;
  services: Service[];
  loc?: Loc;
}

export interface ControlConfig {
  /** host:port. @default "127.0.0.1:2580" */
  listen: string;
  /** Bearer token for mutating requests (prefer token_env). */
  token?: string;
  /** Environment variable holding the token. @default "VIGIL_TOKEN" */
  tokenEnv?: string;
}

export interface MonProtocolConfig {
  /** host:port of the TCP client protocol. @default "127.0.0.1:2583" */
  listen?: string;
  /** host:port of the UDP trap listener. */
  trapListen?: string;
  authFile?: string;
  clientAllow?: string[];
  cltimeoutMs?: number;
}

export interface Config {
  /** Config file this came from (absolute). */
  file: string;
  /** Directory of the config; relative paths resolve against it. */
  dir: string;
  format: 'yaml' | 'json' | 'moncf';
  stateDir: string;
  /** Checks in flight at once; 0 = unlimited. */
  maxprocs: number;
  /** First run of each service at a random time within this (mon's randstart). */
  randstartMs?: number;
  control?: ControlConfig;
  monProtocol?: MonProtocolConfig;
  /** Third-party plugin modules: paths (relative to the config) or package names. */
  plugins: string[];
  hostgroups: Record<string, string[]>;
  /** Named periods. */
  periods: Record<string, string>;
  watches: Watch[];
  /** Global settings mon has that the model keeps for import fidelity (mondir, alertdir, histlength ...). */
  mon: Record<string, string>;
  /** Top-level settings of other subsystems (store, email defaults ...), validated by their owners. */
  extra: Record<string, unknown>;
  /** Notes for `vigil check`: where vigil deliberately differs from mon. */
  notes: ConfigNote[];
}

export interface ConfigNote {
  loc?: Loc;
  message: string;
}

export function serviceId(watch: string, service: string): string {
  return `${watch}/${service}`;
}

/** A service's hosts: its watch's hostgroup, or as in mon the watch's name when there is none. */
export function groupHostsOf(cfg: Config, s: Service): string[] {
  return cfg.hostgroups[s.watch] ?? [s.watch];
}

/** Hosts checked, counted once per service that runs a monitor on them (what vigil's memory grows with). */
export function hostsChecked(cfg: Config): number {
  let n = 0;
  for (const w of cfg.watches) {
    for (const s of w.services) if (s.monitor) n += groupHostsOf(cfg, s).filter((h) => !s.excludeHosts.includes(h)).length;
  }
  return n;
}
