/**
 * @fileoverview Native config (already checked against the JSON Schema) -> model.
 * It tolerates values the schema rejected (they are skipped; the schema reported
 * them) and reports only what a schema cannot say: zero intervals, unsensible
 * alertafter, period names, service-level alert keys beside `periods` ...
 */
import { dirname, resolve } from 'node:path';
import { validateDetailed as validateCron } from 'node-cron';
import type { ConfigProblem } from '../errors.ts';
import { parseDuration } from '../duration.ts';
import type { Config, ConfigNote, Loc, Period, PluginRef, Service, Watch } from '../model.ts';
import { dependExpr, parseAlertAfter, parseAlertEvery, parseExitRange, type Form } from './forms.ts';
import { EXTRA_KEYS, PERIOD_ALERT_KEYS } from './schema.ts';
import { pathText, type Locator, type Path } from './positions.ts';

type Raw = Record<string, unknown>;

export interface BuildInput {
  /** Absolute path of the config file. */
  file: string;
  format: 'yaml' | 'json';
  raw: unknown;
  locate: Locator;
}

export const DEFAULTS = {
  stateDir: './var',
  maxprocs: 200,
  controlListen: '127.0.0.1:2580',
  tokenEnv: 'VIGIL_TOKEN',
  monListen: '127.0.0.1:2583',
  timeoutMs: 10_000,
} as const;

const PERIOD_LISTS = ['alerts', 'upalerts', 'startupalerts', 'ackalerts', 'disablealerts'] as const;
const NAMED_PERIOD = /^[a-zA-Z_]\w*$/;

export function buildConfig(input: BuildInput): { config: Config; problems: ConfigProblem[]; notes: ConfigNote[] } {
  const b = new Builder(input);
  const config = b.config();
  return { config, problems: b.problems, notes: b.notes };
}

class Builder {
  readonly problems: ConfigProblem[] = [];
  readonly notes: ConfigNote[] = [];
  private named: Record<string, string> = {};

  constructor(private readonly input: BuildInput) {}

  private problem(path: Path, message: string, key = false): void {
    const at = this.input.locate(path, { key });
    this.problems.push({ loc: at?.loc, path: pathText(at?.path ?? path), message });
  }

  private loc(path: Path, key = false): Loc | undefined {
    return this.input.locate(path, { key })?.loc;
  }

  /** A time value in ms; reports zero where mon rejects it. Unparsable values were reported by the schema. */
  private duration(raw: Raw, key: string, path: Path, allowZero = false): number | undefined {
    const v = raw[key];
    if (typeof v !== 'string') return undefined;
    const ms = parseDuration(v);
    if (ms === undefined) return undefined;
    if (ms === 0 && !allowZero) {
      this.problem([...path, key], `${key} must be more than 0; remove the key to turn it off`);
      return undefined;
    }
    return ms;
  }

  config(): Config {
    const raw = obj(this.input.raw) ?? {};
    const file = this.input.file;
    const dir = dirname(file);
    this.named = strings(raw.periods);
    for (const reserved of ['always', 'none']) {
      if (this.named[reserved] === undefined) continue;
      this.problem(['periods', reserved], `"${reserved}" is a reserved word in period specs; give this period another name`, true);
      delete this.named[reserved];
    }
    const control = obj(raw.control) ?? {};
    const cfg: Config = {
      file,
      dir,
      format: this.input.format,
      stateDir: resolve(dir, str(raw.state_dir) ?? DEFAULTS.stateDir),
      maxprocs: int(raw.maxprocs) ?? DEFAULTS.maxprocs,
      randstartMs: this.duration(raw, 'randstart', [], true),
      control: {
        listen: str(control.listen) ?? DEFAULTS.controlListen,
        token: str(control.token),
        tokenEnv: str(control.token_env) ?? DEFAULTS.tokenEnv,
      },
      monProtocol: this.monProtocol(raw.mon_protocol, dir),
      plugins: list(raw.plugins).filter((p): p is string => typeof p === 'string'),
      hostgroups: this.hostgroups(raw.hostgroups),
      periods: this.named,
      watches: this.watches(raw.watches),
      mon: Object.fromEntries(Object.entries(obj(raw.mon) ?? {}).map(([k, v]) => [k, String(v)])),
      extra: Object.fromEntries(EXTRA_KEYS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]])),
      notes: [],
    };
    if (cfg.randstartMs === undefined) delete cfg.randstartMs;
    if (cfg.control!.token === undefined) delete cfg.control!.token;
    if (cfg.monProtocol === undefined) delete cfg.monProtocol;
    return cfg;
  }

  private monProtocol(v: unknown, dir: string): Config['monProtocol'] {
    const m = obj(v);
    if (!m) return undefined;
    const path = ['mon_protocol'];
    const clientAllow = list(m.clientallow).filter((x): x is string => typeof x === 'string');
    clientAllow.forEach((re, i) => {
      try {
        new RegExp(`^${re}$`);
      } catch (err) {
        this.problem([...path, 'clientallow', i], `"${re}" is not a valid regular expression: ${(err as Error).message}`);
      }
    });
    const out: NonNullable<Config['monProtocol']> = { listen: str(m.listen) ?? DEFAULTS.monListen };
    if (str(m.trap_listen)) out.trapListen = str(m.trap_listen);
    if (str(m.auth_file)) out.authFile = resolve(dir, str(m.auth_file)!);
    if (m.clientallow !== undefined) out.clientAllow = clientAllow;
    const cl = this.duration(m, 'cltimeout', path);
    if (cl !== undefined) out.cltimeoutMs = cl;
    return out;
  }

  private hostgroups(v: unknown): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, hosts] of Object.entries(obj(v) ?? {})) {
      out[name] = list(hosts).filter((h): h is string => typeof h === 'string');
    }
    return out;
  }

  private watches(v: unknown): Watch[] {
    return Object.entries(obj(v) ?? {}).map(([name, w]) => {
      const path = ['watches', name];
      const services = Object.entries(obj(obj(w)?.services) ?? {}).map(([s, raw]) =>
        this.service(name, s, obj(raw) ?? {}, [...path, 'services', s]),
      );
      return { name, services, loc: this.loc(path, true) };
    });
  }

  private service(watch: string, name: string, raw: Raw, path: Path): Service {
    const s: Service = {
      watch,
      name,
      timeoutMs: this.duration(raw, 'timeout', path) ?? DEFAULTS.timeoutMs,
      depBehavior: raw.dep_behavior === 'm' || raw.dep_behavior === 'hm' ? raw.dep_behavior : 'a',
      excludeHosts: list(raw.exclude_hosts).filter((h): h is string => typeof h === 'string'),
      allowEmptyGroup: raw.allow_empty_group === true,
      env: strings(raw.env),
      periods: [],
      loc: this.loc(path, true),
    };
    setIf(s, 'description', str(raw.description));
    setIf(s, 'intervalMs', this.duration(raw, 'interval', path));
    setIf(s, 'cron', this.cron(raw, path));
    setIf(s, 'randskewMs', this.duration(raw, 'randskew', path));
    setIf(s, 'failureIntervalMs', this.duration(raw, 'failure_interval', path));
    setIf(s, 'depMemoryMs', this.duration(raw, 'dep_memory', path));
    setIf(s, 'traptimeoutMs', this.duration(raw, 'traptimeout', path));
    setIf(s, 'trapdurationMs', this.duration(raw, 'trapduration', path));
    setIf(s, 'excludePeriod', str(raw.exclude_period));
    setIf(s, 'unackSummary', typeof raw.unack_summary === 'boolean' ? raw.unack_summary : undefined);
    for (const k of ['depend', 'alertdepend', 'monitordepend', 'hostdepend'] as const) setIf(s, k, dependExpr(raw[k], watch));
    setIf(s, 'monitor', this.pluginRef(raw.monitor, [...path, 'monitor'], false));
    setIf(s, 'redistribute', this.pluginRef(raw.redistribute, [...path, 'redistribute'], true));
    this.checkSchedule(s, raw, path);
    s.periods = this.periods(s, raw, path);
    return s;
  }

  private cron(raw: Raw, path: Path): string | undefined {
    const expr = str(raw.cron);
    if (expr === undefined) return undefined;
    const v = validateCron(expr);
    if (!v.valid) {
      const why = v.errors.map((e) => e.message).join('; ');
      this.problem([...path, 'cron'], `"${expr}" is not a cron expression (${why}); write 5 or 6 fields, e.g. "*/5 * * * *"`);
      return undefined;
    }
    return expr;
  }

  private checkSchedule(s: Service, raw: Raw, path: Path): void {
    if (raw.interval !== undefined && raw.cron !== undefined) {
      this.problem([...path, 'cron'], 'a service runs on interval or on cron, not both; remove one of them', true);
    }
    const scheduled = raw.interval !== undefined || raw.cron !== undefined;
    if (scheduled && raw.monitor === undefined) {
      this.problem(path, 'missing key "monitor": a service with interval or cron needs one, e.g. monitor: { plugin: tcp, port: 80 }', true);
    }
    if (!scheduled && s.monitor) {
      this.notes.push({
        loc: this.loc([...path, 'monitor'], true),
        message: `${s.watch}/${s.name} has a monitor but no interval or cron, so the monitor never runs (a trap-only service, as in mon); add interval: 1m to run it`,
      });
    }
  }

  private periods(s: Service, raw: Raw, path: Path): Period[] {
    // In file order, so the implicit period points at the first of its keys.
    const shorthand = Object.keys(raw).filter((k) => (PERIOD_ALERT_KEYS as readonly string[]).includes(k));
    if (raw.periods !== undefined) {
      for (const k of shorthand) {
        this.problem([...path, k], `"${k}" cannot sit on the service when it has periods; move it into one of its periods`, true);
      }
      const out: Period[] = [];
      const keys = new Map<string, number>();
      list(raw.periods).forEach((p, i) => {
        const per = this.period(s, obj(p) ?? {}, [...path, 'periods', i]);
        if (!per) return;
        const first = keys.get(per.key);
        if (first !== undefined) {
          this.problem([...path, 'periods', i], `this period and period ${first + 1} are both "${per.key}"; give one of them a label`);
        }
        keys.set(per.key, i);
        out.push(per);
      });
      return out;
    }
    if (shorthand.length === 0) return [];
    // The service's own alert keys form one `when: always` period.
    const p = this.period(s, Object.fromEntries(shorthand.map((k) => [k, raw[k]])), [...path, 'periods', 0]);
    if (p) p.loc = this.loc([...path, shorthand[0]!], true);
    return p ? [p] : [];
  }

  private period(s: Service, raw: Raw, path: Path): Period | undefined {
    const when = str(raw.when)?.trim() ?? 'always';
    let spec = when;
    if (when.toLowerCase() === 'always') spec = '';
    else if (NAMED_PERIOD.test(when) && when.toLowerCase() !== 'none') {
      if (!Object.hasOwn(this.named, when)) {
        const known = Object.keys(this.named);
        this.problem(
          [...path, 'when'],
          `unknown period "${when}"; ${known.length ? `named periods are: ${known.join(', ')}; ` : ''}define it under periods: at the top, or write an expression like "wd {Mon-Fri} hr {9am-5pm}"`,
        );
        return undefined;
      }
      spec = this.named[when]!;
    }
    const p: Period = {
      key: str(raw.label) ?? when,
      spec,
      numalerts: int(raw.numalerts) ?? 0,
      alerts: [],
      upalerts: [],
      startupalerts: [],
      ackalerts: [],
      disablealerts: [],
      noCompAlerts: raw.no_comp_alerts === true,
      alertsDontCount: raw.alerts_dont_count === true,
      loc: this.loc(raw.when !== undefined ? [...path, 'when'] : path),
    };
    setIf(p, 'label', str(raw.label));
    setIf(p, 'alertafter', this.form(parseAlertAfter(raw.alertafter, s.intervalMs), [...path, 'alertafter']));
    setIf(p, 'alertevery', this.form(parseAlertEvery(raw.alertevery), [...path, 'alertevery']));
    setIf(p, 'upalertafterMs', this.duration(raw, 'upalertafter', path));
    setIf(p, 'exitRange', this.form(parseExitRange(raw.alertexitrange), [...path, 'alertexitrange']));
    for (const k of PERIOD_LISTS) {
      p[k] = list(raw[k])
        .map((r, i) => this.pluginRef(r, [...path, k, i], true))
        .filter((r): r is PluginRef => r !== undefined);
    }
    return p;
  }

  /** The value of a form, reporting its error at `path`. */
  private form<T>(f: Form<T>, path: Path): T | undefined {
    if (f && 'error' in f) this.problem(path, f.error);
    return f && 'value' in f ? f.value : undefined;
  }

  private pluginRef(v: unknown, path: Path, alert: boolean): PluginRef | undefined {
    const raw = obj(v);
    if (!raw || typeof raw.plugin !== 'string' || raw.plugin === '') return undefined;
    const { plugin, ...options } = raw;
    const ref: PluginRef = { plugin, options, loc: this.loc(path) };
    if (alert && 'exit' in options) {
      const range = this.form(parseExitRange(options.exit), [...path, 'exit']);
      delete options.exit;
      if (range) ref.exitRange = range;
    }
    return ref;
  }
}

function setIf<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}

function obj(v: unknown): Raw | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

function strings(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(obj(v) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
