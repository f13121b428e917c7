/**
 * @fileoverview The running daemon: loads a config, schedules every service,
 * runs checks under deadlines and the maxprocs limit, feeds results to the pure
 * state machine, and hands its events to the dispatcher. Front ends (API, mon
 * protocol, CLI) use it through the Runtime interface only.
 */
import { EventEmitter, setMaxListeners } from 'node:events';
import cron from 'node-cron';
import type { AlertEvent, AlertPlugin, GroupChecker, HostCheckResult, HostChecker, Logger, MonitorPlugin, PluginContext } from '../types.ts';
import type { Config, PluginRef, Service } from '../model.ts';
import { groupHostsOf, serviceId } from '../model.ts';
import type { HistoryQuery, HistoryRecord, OutboxEntry, Runtime, StatusSnapshot } from '../runtime.ts';
import { RuntimeError } from '../runtime.ts';
import { Registry } from '../registry.ts';
import { TimerQueue, type TimerHandle } from '../timer-queue.ts';
import { Limiter } from '../limiter.ts';
import { firstBase, jittered, nextBase } from '../schedule.ts';
import { outcomeSummary, runWithDeadline } from '../run-check.ts';
import { errorMessage } from '../errors.ts';
import { inPeriod } from '../period.ts';
import * as sm from '../state.ts';
import type { RunResult, ServiceState } from '../state.ts';
import { fromGroupResult, fromHostResults } from './aggregate.ts';
import { hostRecord } from '../state/host-record.ts';
import { createTargets, refKeys, type Target } from './targets.ts';
import { loadEngineConfig } from './load.ts';
import { buildSnapshot } from './snapshot.ts';
import { dependencyView, hasDepend, type DependKind } from './depend.ts';
import { openPersistence, type Persistence } from './persistence.ts';
import type { Dispatcher } from '../dispatcher.ts';
import { createDispatcher } from '../dispatcher.ts';
import { attachBenchStats } from './bench-stats.ts';

export interface EngineOptions {
  configFile: string;
  log: Logger;
  now?: () => number;
  rand?: () => number;
  registry?: Registry;
  /** Start with the scheduler stopped (mon -S). */
  stopped?: boolean;
  /** Keep no store (for `vigil test`). @default true */
  persist?: boolean;
  /** Only load and build: no scheduling, no startup alerts, no deliveries (for `vigil test`). */
  probeOnly?: boolean;
  /** How often changed service states are saved. @default 5000 */
  saveIntervalMs?: number;
}

/** Everything the engine keeps about one service while it runs. */
export interface ServiceRuntime {
  id: string;
  model: Service;
  /** All hosts of the group, config order. */
  groupHosts: string[];
  plugin?: MonitorPlugin;
  checker?: HostChecker | GroupChecker;
  targets: Map<string, Target>;
  refKey: Map<PluginRef, string>;
  state: ServiceState;
  base?: number;
  nextDue?: number;
  timer?: TimerHandle;
  cronTask?: { stop(): void | Promise<void> };
  running: boolean;
  lastDurationMs?: number;
  lastLagMs?: number;
  disabled: boolean;
  lastOutput?: string;
  trapTimer?: NodeJS.Timeout;
  trapDurationTimer?: NodeJS.Timeout;
  lastTrap?: number;
  lastTrapHost?: string;
}

export interface CheckMetric {
  watch: string;
  service: string;
  host?: string;
  durationMs: number;
  ok: boolean;
  timedOut: boolean;
  lagMs?: number;
}

export class Engine implements Runtime {
  private cfg!: Config;
  readonly registry: Registry;
  readonly log: Logger;
  readonly now: () => number;
  private readonly rand: () => number;
  readonly services = new Map<string, ServiceRuntime>();
  private readonly queue: TimerQueue<ServiceRuntime>;
  private limiter = new Limiter(200);
  private readonly shutdown = new AbortController();
  private readonly emitter = new EventEmitter();
  private schedulerRunning = true;
  private stoppedSince?: number;
  readonly startedAt: number;
  disabledHosts = new Set<string>();
  disabledWatches = new Set<string>();
  disabledServices = new Set<string>();
  /** Hosts an operator drains (vigil drain), with the drain's deadline: carried over a reload and, in the store, a restart. */
  private readonly drains = new Map<string, number>();
  private persistence!: Persistence;
  dispatcher!: Dispatcher;
  private saveTimer?: NodeJS.Timeout;
  /** Services whose state changed since the last save (saved within 5 s); the rest wait for the minute's full save. */
  private dirtyStates = new Set<string>();
  private lastSaveAt = 0;
  private closed = false;

  private constructor(private readonly opts: EngineOptions) {
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.rand = opts.rand ?? Math.random;
    this.registry = opts.registry ?? new Registry();
    this.startedAt = this.now();
    this.queue = new TimerQueue((svc, at) => void this.runDue(svc, at), this.now);
    this.emitter.setMaxListeners(0);
    // Every check in flight listens for shutdown (maxprocs of them): not a leak.
    setMaxListeners(0, this.shutdown.signal);
    if (opts.stopped) {
      this.schedulerRunning = false;
      this.stoppedSince = this.startedAt;
    }
  }

  /** Loads the config, restores saved state, sends startup alerts and starts scheduling. */
  static async start(opts: EngineOptions): Promise<Engine> {
    const e = new Engine(opts);
    const cfg = await loadEngineConfig(opts.configFile, e.registry);
    e.cfg = cfg;
    e.limiter.setMax(cfg.maxprocs);
    e.persistence = openPersistence(cfg, e.log, { volatile: opts.persist === false });
    const saved = e.persistence.loadServiceStates();
    const op = e.persistence.loadOperatorState();
    if (op) {
      op.disabledHosts.forEach((h) => e.disabledHosts.add(h));
      op.disabledWatches.forEach((w) => e.disabledWatches.add(w));
      op.disabledServices.forEach((s) => e.disabledServices.add(s));
      op.drains.forEach((d) => e.drains.set(d.host, d.deadline));
    }
    e.dispatcher = createDispatcher({
      store: e.persistence.store,
      resolve: (key: string) => e.resolveTarget(key),
      log: e.log.child({ part: 'dispatcher' }),
      now: e.now,
      onMetric: (name: string, labels: Record<string, string>) => e.emitter.emit('metric', name, labels),
    });
    for (const w of cfg.watches) {
      for (const s of w.services) {
        const svc = await e.buildService(s, cfg);
        const old = saved[svc.id] as ServiceState | undefined;
        if (old) svc.state = sm.adoptState(old, s, svc.groupHosts);
        e.services.set(svc.id, svc);
      }
    }
    if (opts.probeOnly) return e;
    for (const svc of e.services.values()) {
      await e.redrain(svc); // before start: a server drained before the restart must not flash back in
      await e.startTargets(svc);
    }
    await e.dispatcher.resume();
    for (const svc of e.services.values()) e.sendStartup(svc);
    for (const svc of e.services.values()) {
      e.schedule(svc, true);
      e.armTrapTimeout(svc);
    }
    e.saveTimer = setInterval(() => e.saveIfNeeded(), opts.saveIntervalMs ?? 5000);
    e.saveTimer.unref();
    attachBenchStats(e); // only with VIGIL_BENCH_STATS=FILE (npm run bench)
    e.log.info({ config: cfg.file, services: e.services.size, watches: cfg.watches.length }, 'vigil started');
    return e;
  }

  config(): Config {
    return this.cfg;
  }

  // ------------------------------------------------------------------ building

  private pluginContext(cfg: Config, s: Service, groupHosts: string[], part: string): PluginContext {
    return {
      log: this.log.child({ watch: s.watch, service: s.name, plugin: part }),
      now: this.now,
      configDir: cfg.dir,
      stateDir: cfg.stateDir,
      watch: s.watch,
      service: s.name,
      hosts: groupHosts,
      env: s.env,
    };
  }

  private async buildService(s: Service, cfg: Config): Promise<ServiceRuntime> {
    const groupHosts = groupHostsOf(cfg, s);
    let plugin: MonitorPlugin | undefined;
    let checker: HostChecker | GroupChecker | undefined;
    if (s.monitor) {
      plugin = await this.registry.get('monitor', s.monitor.plugin);
      if (!plugin) throw new Error(`unknown monitor plugin "${s.monitor.plugin}"`);
      checker = await plugin.create(s.monitor.options as never, this.pluginContext(cfg, s, groupHosts, s.monitor.plugin));
    }
    const targets = await createTargets(
      s,
      (name) => this.registry.get('alert', name) as Promise<AlertPlugin | undefined>,
      (ref) => this.pluginContext(cfg, s, groupHosts, ref.plugin),
    );
    return {
      id: serviceId(s.watch, s.name),
      model: s,
      groupHosts,
      plugin,
      checker,
      targets,
      refKey: refKeys(targets),
      state: sm.initialState(s, groupHosts),
      running: false,
      disabled: this.disabledServices.has(serviceId(s.watch, s.name)),
    };
  }

  private async startTargets(svc: ServiceRuntime): Promise<void> {
    const hosts: Record<string, 'up' | 'down' | 'degraded' | 'unknown'> = {};
    for (const h of svc.groupHosts) hosts[h] = svc.state.hosts[h]?.state ?? 'unknown';
    for (const t of svc.targets.values()) {
      if (t.duplicateOf || !t.alert.start) continue;
      try {
        await t.alert.start(hosts);
      } catch (err) {
        this.log.error({ watch: svc.model.watch, service: svc.model.name, plugin: t.ref.plugin, err: errorMessage(err) }, 'alert start failed; it will be retried on the next check');
      }
    }
  }

  private resolveTarget(key: string): { plugin: string; alert: import('../types.ts').Alert } | undefined {
    const slash = key.indexOf('/', key.indexOf('/') + 1);
    const svc = this.services.get(key.slice(0, slash));
    const t = svc?.targets.get(key);
    return t ? { plugin: t.ref.plugin, alert: t.alert } : undefined;
  }

  // ------------------------------------------------------------------ scheduling

  private schedule(svc: ServiceRuntime, first = false): void {
    svc.timer?.cancel();
    svc.timer = undefined;
    if (this.closed) return;
    const s = svc.model;
    if (s.cron) {
      if (!svc.cronTask) {
        const task = cron.schedule(s.cron, (ctx) => void this.runDue(svc, ctx.date.getTime()), { noOverlap: false });
        svc.cronTask = task;
      }
      return;
    }
    if (!s.intervalMs) return; // trap-only service: never scheduled, as in mon
    const now = this.now();
    const interval = svc.state.status === 'fail' && s.failureIntervalMs ? s.failureIntervalMs : s.intervalMs;
    svc.base = first || svc.base === undefined ? firstBase(now, { intervalMs: interval }, this.cfg.randstartMs, this.rand) : nextBase(svc.base, now, interval);
    svc.nextDue = jittered(svc.base, now, { intervalMs: interval, randskewMs: s.randskewMs }, this.rand);
    svc.timer = this.queue.schedule(svc.nextDue, svc);
  }

  /** A service is due: run it unless something says not to; then schedule the next run. */
  private async runDue(svc: ServiceRuntime, dueAt: number): Promise<void> {
    if (this.closed || this.services.get(svc.id) !== svc) return;
    const s = svc.model;
    try {
      if (svc.running) {
        this.log.warn({ watch: s.watch, service: s.name }, 'previous check still running; skipping this run');
        this.emitter.emit('skipped', svc);
        return;
      }
      if (!this.schedulerRunning) return;
      if (s.excludePeriod && inPeriod(s.excludePeriod, this.now())) return;
      if (hasDepend(svc, 'monitor') && !this.dependOk(svc, 'monitor')) return;
      svc.lastLagMs = Math.max(0, this.now() - dueAt);
      await this.runCheck(svc);
    } catch (err) {
      this.log.error({ watch: s.watch, service: s.name, err: errorMessage(err) }, 'check run failed inside vigil');
    } finally {
      if (!s.cron && this.services.get(svc.id) === svc) this.schedule(svc);
    }
  }

  /** Hosts this run checks: the group minus disabled, excluded and hm-dependency hosts. */
  runHosts(svc: ServiceRuntime): string[] {
    const s = svc.model;
    let hosts = svc.groupHosts.filter((h) => !this.disabledHosts.has(h) && !s.excludeHosts.includes(h));
    if (hasDepend(svc, 'host')) {
      const failing = dependencyView(this, svc, 'host').failingSummaries;
      hosts = hosts.filter((h) => !failing.some((sum) => sum.includes(h)));
    }
    return hosts;
  }

  /** Runs one check of a service now and returns its result without acting on it (`vigil test`). */
  async probe(watch: string, service: string): Promise<{ hosts: string[]; result?: RunResult }> {
    const svc = this.svcOrThrow(watch, service);
    return { hosts: this.runHosts(svc), result: await this.runCheck(svc, false) };
  }

  /** Runs one check of a service now and processes its result. */
  async runCheck(svc: ServiceRuntime, act = true): Promise<RunResult | undefined> {
    const s = svc.model;
    if (!svc.checker || !svc.plugin || !s.monitor) return undefined;
    const hosts = this.runHosts(svc);
    if (hosts.length === 0 && !s.allowEmptyGroup) {
      this.log.debug({ watch: s.watch, service: s.name }, 'no hosts to check (all disabled or excluded)');
      return undefined;
    }
    svc.running = true;
    this.emitter.emit('state');
    const started = this.now();
    try {
      const result = svc.plugin.scope === 'group' ? await this.runGroup(svc, hosts, started) : await this.runHostsCheck(svc, hosts, started);
      svc.lastDurationMs = result.durationMs;
      // Checks cut short by shutdown say nothing about the hosts: no host-down at every restart.
      if (act && !this.shutdown.signal.aborted) this.process(svc, result);
      return result;
    } finally {
      svc.running = false;
      this.emitter.emit('state');
    }
  }

  /**
   * Checks each host under the limiter; resolves once every host has a result.
   * Written with callbacks, not an async closure per host: at 2,000 checks a second
   * the closure's promise, its awaits and Promise.all's bookkeeping were a large
   * part of the engine's own allocation per check.
   */
  private runHostsCheck(svc: ServiceRuntime, hosts: string[], started: number): Promise<RunResult> {
    const checker = svc.checker as HostChecker;
    const results = hostRecord<HostCheckResult>();
    const t0 = performance.now();
    return new Promise<RunResult>((resolve, reject) => {
      let left = hosts.length;
      let failure: { err: unknown } | undefined;
      const settled = (release: () => void, err?: { err: unknown }) => {
        release();
        failure ??= err;
        if (--left > 0) return;
        if (failure) return reject(failure.err);
        // Called from a settled check's callback: a throw here must reject the run, not escape.
        try {
          resolve(fromHostResults(hosts, results, started, performance.now() - t0));
        } catch (err) {
          reject(err);
        }
      };
      if (left === 0) return resolve(fromHostResults(hosts, results, started, 0));
      for (const host of hosts) {
        const slot = this.limiter.acquire();
        if (typeof slot === 'function') this.checkHost(svc, checker, host, results, slot, settled);
        else slot.then((release) => this.checkHost(svc, checker, host, results, release, settled));
      }
    });
  }

  /** One host's check under its deadline; its result goes into `results`, then `settled` is called once. */
  private checkHost(
    svc: ServiceRuntime,
    checker: HostChecker,
    host: string,
    results: Record<string, HostCheckResult>,
    release: () => void,
    settled: (release: () => void, err?: { err: unknown }) => void,
  ): void {
    const s = svc.model;
    if (this.shutdown.signal.aborted) return settled(release); // stopping: start no new check
    // runWithDeadline resolves with an outcome; should it ever reject, the run still ends (rejected, logged by runDue).
    runWithDeadline(s.monitor!.plugin, 'check', s.timeoutMs, this.shutdown.signal, (signal) => checker.check(host, signal)).then((o) => {
      try {
        if (o.kind === 'ok') {
          const r = normaliseHostResult(o.value);
          if (r.latencyMs === undefined) r.latencyMs = Math.round(o.durationMs * 100) / 100;
          results[host] = r;
        } else {
          results[host] = { ok: false, summary: outcomeSummary(o), latencyMs: Math.round(o.durationMs) };
          if (o.kind === 'error') this.log.warn({ watch: s.watch, service: s.name, host, err: errorMessage(o.error.cause) }, 'monitor plugin threw');
        }
        this.emitter.emit('check', {
          watch: s.watch,
          service: s.name,
          host,
          durationMs: o.durationMs,
          ok: results[host]!.ok,
          timedOut: o.kind === 'timeout',
          lagMs: svc.lastLagMs,
        } satisfies CheckMetric);
      } catch (err) {
        return settled(release, { err });
      }
      settled(release);
    }, (err: unknown) => settled(release, { err }));
  }

  private async runGroup(svc: ServiceRuntime, hosts: string[], started: number): Promise<RunResult> {
    const s = svc.model;
    const checker = svc.checker as GroupChecker;
    const st = svc.state;
    const run = {
      watch: s.watch,
      service: s.name,
      description: s.description,
      lastSummary: st.lastCheck !== undefined ? st.summary : undefined,
      lastOutput: svc.lastOutput,
      lastFailure: st.lastFailure,
      firstFailure: st.firstFailure,
      lastSuccess: st.lastSuccess,
      dependStatus: s.depend ? this.dependOk(svc, 'alert') : undefined,
    };
    const release = await this.limiter.acquire();
    try {
      const o = await runWithDeadline(s.monitor!.plugin, 'check', s.timeoutMs, this.shutdown.signal, (signal) => checker.check(hosts, signal, run));
      this.emitter.emit('check', { watch: s.watch, service: s.name, durationMs: o.durationMs, ok: o.kind === 'ok' && o.value.ok, timedOut: o.kind === 'timeout', lagMs: svc.lastLagMs } satisfies CheckMetric);
      if (o.kind === 'ok') return fromGroupResult(hosts, o.value, started, o.durationMs);
      if (o.kind === 'error') this.log.warn({ watch: s.watch, service: s.name, err: errorMessage(o.error.cause) }, 'monitor plugin threw');
      const summary = outcomeSummary(o);
      return fromGroupResult(hosts, { ok: false, summary, detail: '', output: `${summary}\n`, exitCode: 1 }, started, o.durationMs);
    } finally {
      release();
    }
  }

  // ------------------------------------------------------------------ results and events

  private stateContext(svc: ServiceRuntime): sm.StateContext {
    const s = svc.model;
    return {
      service: s,
      groupHosts: svc.groupHosts.filter((h) => !this.disabledHosts.has(h)),
      now: this.now(),
      inPeriod: (spec, at) => inPeriod(spec, at),
      alertDependOk: this.dependOk(svc, 'alert'),
      disabled: svc.disabled || this.disabledWatches.has(s.watch),
      schedulerStopped: !this.schedulerRunning,
    };
  }

  /** Feeds one run's result (monitor or trap) through the state machine. */
  process(svc: ServiceRuntime, result: RunResult): void {
    const s = svc.model;
    const prevStatus = svc.state.status;
    const out = sm.applyResultInPlace(svc.state, result, this.stateContext(svc));
    // Transitions and their alerts are saved within 5 s. Counts of a failure that changes
    // nothing, and the bookkeeping of a repeated still-down alert, wait for the minute's
    // save: rewriting a 100-host state every 5 s for each failing service cost more CPU
    // than checking its hosts (a crash can at worst repeat one still-down alert early).
    if (prevStatus !== out.state.status || out.hostEvents.length || out.deliveries.some((d) => d.event.type !== 'still-down')) this.dirtyStates.add(svc.id);
    svc.state = out.state;
    svc.lastOutput = result.output;
    if (prevStatus !== 'fail' && out.state.status === 'fail') {
      this.persistence.appendHistory({ id: `${svc.id}/failure/${result.at}`, kind: 'failure', at: result.at, watch: s.watch, service: s.name, type: 'failure', summary: out.state.summary, detail: result.detail });
    }
    this.emitter.emit('result', { watch: s.watch, service: s.name, at: result.at, hosts: result.hosts });
    this.observe(svc, result);
    this.routeHostEvents(svc, out.hostEvents);
    this.deliver(svc, out.deliveries);
    this.emitter.emit('state');
  }

  private observe(svc: ServiceRuntime, result: RunResult): void {
    const obs = { watch: svc.model.watch, service: svc.model.name, at: result.at, hosts: result.hosts };
    for (const t of svc.targets.values()) {
      if (t.duplicateOf || !t.alert.observe) continue;
      try {
        const p = t.alert.observe(obs);
        if (p && typeof (p as Promise<void>).catch === 'function') {
          (p as Promise<void>).catch((err) => this.log.warn({ watch: svc.model.watch, service: svc.model.name, plugin: t.ref.plugin, err: errorMessage(err) }, 'alert observe failed'));
        }
      } catch (err) {
        this.log.warn({ watch: svc.model.watch, service: svc.model.name, plugin: t.ref.plugin, err: errorMessage(err) }, 'alert observe failed');
      }
    }
  }

  private routeHostEvents(svc: ServiceRuntime, events: AlertEvent[]): void {
    if (events.length === 0) return;
    // One dispatch for the whole run: one outbox transaction (an fsync) instead of one per host.
    const items: Array<{ event: AlertEvent; target: string }> = [];
    for (const ev of events) {
      this.emitter.emit('event', ev);
      this.log.info({ watch: ev.watch, service: ev.service, host: ev.host, summary: ev.result?.summary ?? ev.summary }, ev.type);
      for (const t of svc.targets.values()) if (!t.duplicateOf && t.events.includes(ev.type)) items.push({ event: ev, target: t.key });
    }
    if (items.length) this.dispatcher.dispatch(items);
  }

  private deliver(svc: ServiceRuntime, deliveries: sm.Delivery[]): void {
    const items: Array<{ event: AlertEvent; target: string }> = [];
    const announced = new Set<string>();
    for (const d of deliveries) {
      if (!announced.has(d.event.id)) {
        announced.add(d.event.id);
        this.emitter.emit('event', d.event);
        this.log.info({ watch: d.event.watch, service: d.event.service, summary: d.event.summary, period: d.period }, d.event.type);
      }
      const key = svc.refKey.get(d.ref);
      const t = key ? svc.targets.get(key) : undefined;
      if (!t) {
        this.log.error({ watch: svc.model.watch, service: svc.model.name, plugin: d.ref.plugin }, 'state machine chose an alert the engine does not know; this is a bug');
        continue;
      }
      if (!t.events.includes(d.event.type)) continue;
      items.push({ event: d.event, target: t.key });
    }
    if (items.length) this.dispatcher.dispatch(items);
  }

  private sendStartup(svc: ServiceRuntime): void {
    const out = sm.startup(svc.state, this.stateContext(svc));
    svc.state = out.state;
    this.deliver(svc, out.deliveries);
  }

  dependOk(svc: ServiceRuntime, kind: DependKind): boolean {
    return dependencyView(this, svc, kind).ok;
  }

  // ------------------------------------------------------------------ Runtime: reads

  status(): StatusSnapshot {
    return buildSnapshot(this, { schedulerRunning: this.schedulerRunning, stoppedSince: this.stoppedSince });
  }

  history(q: HistoryQuery): HistoryRecord[] {
    return this.persistence.history(q) ?? [];
  }

  outbox(q: { state?: OutboxEntry['state']; limit?: number }): OutboxEntry[] {
    return this.persistence.outbox(q) ?? [];
  }

  on(name: 'event' | 'result' | 'state' | 'check' | 'metric' | 'skipped' | 'reload', fn: (...args: any[]) => void): () => void {
    this.emitter.on(name, fn);
    return () => this.emitter.off(name, fn);
  }

  // ------------------------------------------------------------------ Runtime: operator actions

  private svcOrThrow(watch: string, service: string): ServiceRuntime {
    if (!this.cfg.watches.some((w) => w.name === watch)) throw new RuntimeError('unknown-watch', `there is no watch "${watch}"`);
    const svc = this.services.get(serviceId(watch, service));
    if (!svc) throw new RuntimeError('unknown-service', `watch "${watch}" has no service "${service}"`);
    return svc;
  }

  private saveOperatorState(): void {
    this.persistence.saveOperatorState({
      disabledHosts: [...this.disabledHosts],
      disabledWatches: [...this.disabledWatches],
      disabledServices: [...this.disabledServices],
    });
    this.emitter.emit('state');
  }

  disableHost(host: string): void {
    if (!Object.values(this.cfg.hostgroups).some((hs) => hs.includes(host))) throw new RuntimeError('unknown-host', `host "${host}" is in no hostgroup`);
    this.disabledHosts.add(host);
    this.saveOperatorState();
  }
  enableHost(host: string): void {
    this.disabledHosts.delete(host);
    this.saveOperatorState();
  }
  disableService(watch: string, service: string): void {
    const svc = this.svcOrThrow(watch, service);
    const out = sm.disableAlerts(svc.state, this.stateContext(svc));
    svc.state = out.state;
    this.deliver(svc, out.deliveries);
    svc.disabled = true;
    this.disabledServices.add(svc.id);
    this.saveOperatorState();
  }
  enableService(watch: string, service: string): void {
    const svc = this.svcOrThrow(watch, service);
    svc.disabled = false;
    this.disabledServices.delete(svc.id);
    this.saveOperatorState();
  }
  disableWatch(watch: string): void {
    if (!this.cfg.watches.some((w) => w.name === watch)) throw new RuntimeError('unknown-watch', `there is no watch "${watch}"`);
    this.disabledWatches.add(watch);
    this.saveOperatorState();
  }
  enableWatch(watch: string): void {
    if (!this.cfg.watches.some((w) => w.name === watch)) throw new RuntimeError('unknown-watch', `there is no watch "${watch}"`);
    this.disabledWatches.delete(watch);
    this.saveOperatorState();
  }
  ack(watch: string, service: string, comment: string, user = ''): void {
    const svc = this.svcOrThrow(watch, service);
    if (svc.state.status !== 'fail') throw new RuntimeError('not-failing', `${watch}/${service} is not failing; there is nothing to acknowledge`);
    const out = sm.acknowledge(svc.state, `${user}: ${comment}`, this.stateContext(svc));
    svc.state = out.state;
    this.deliver(svc, out.deliveries);
    this.saveStates();
    this.emitter.emit('state');
  }
  async drainHost(host: string, timeoutMs: number): Promise<void> {
    await this.drainRequest(host, { timeoutMs });
  }
  async undrainHost(host: string): Promise<void> {
    await this.drainRequest(host, { undo: true });
  }
  /** Hands a drain to every alert instance with a drain hook (lvs); 404 when none manages the host. */
  private async drainRequest(host: string, request: { timeoutMs: number } | { undo: true }): Promise<void> {
    let managed = false;
    let failure: RuntimeError | undefined;
    if ('undo' in request && this.drains.delete(host)) this.persistence.saveDrain(host, undefined);
    for (const svc of this.services.values()) {
      for (const t of svc.targets.values()) {
        if (t.duplicateOf || !t.alert.drain) continue;
        try {
          if (await t.alert.drain(host, request)) managed = true;
        } catch (err) {
          // the alert keeps the request and retries; the operator hears that the table is not there yet
          managed = true;
          failure ??= new RuntimeError('busy', `${svc.id}: the ${'undo' in request ? 'undrain' : 'drain'} of ${host} is recorded, but changing the table failed: ${errorMessage(err)}; vigil retries it (see its log)`);
        }
      }
    }
    if (!managed) throw new RuntimeError('unknown-host', `no lvs alert manages host "${host}": name a real server of a configured virtual service (see vigil status)`);
    if (!('undo' in request)) {
      const deadline = this.now() + request.timeoutMs;
      this.drains.set(host, deadline);
      this.persistence.saveDrain(host, deadline);
    }
    this.emitter.emit('state');
    if (failure) throw failure;
  }
  /** New alert instances (a reload, a restart) are handed the drains still in force. */
  private async redrain(svc: ServiceRuntime): Promise<void> {
    for (const [host, deadline] of this.drains) {
      for (const t of svc.targets.values()) {
        if (t.duplicateOf || !t.alert.drain) continue;
        await t.alert.drain(host, { timeoutMs: Math.max(0, deadline - this.now()) }).catch((err) => this.log.warn({ host, service: svc.id, err: errorMessage(err) }, 'drain after reload failed; vigil retries at the next check'));
      }
    }
  }
  async testNow(watch: string, service: string): Promise<void> {
    const svc = this.svcOrThrow(watch, service);
    if (svc.running) throw new RuntimeError('busy', `${watch}/${service} is being checked right now`);
    await this.runCheck(svc);
  }
  testAlert(kind: 'alert' | 'upalert' | 'startupalert' | 'ackalert' | 'disablealert', watch: string, service: string, periodKey: string, exitCode?: number): void {
    const svc = this.svcOrThrow(watch, service);
    let deliveries: sm.Delivery[];
    try {
      deliveries = sm.testAlert(svc.state, kind, periodKey, this.stateContext(svc), exitCode);
    } catch (err) {
      throw new RuntimeError('config', errorMessage(err));
    }
    this.deliver(svc, deliveries);
  }
  stopScheduler(): void {
    this.schedulerRunning = false;
    this.stoppedSince = this.now();
    this.emitter.emit('state');
  }
  startScheduler(): void {
    this.schedulerRunning = true;
    this.stoppedSince = undefined;
    this.emitter.emit('state');
  }

  /** A trap arrived for a service (mon protocol): processed like a monitor exit. */
  trap(watch: string, service: string, status: number, summary: string, detail: string, fromHost?: string): void {
    const svc = this.svcOrThrow(watch, service);
    svc.lastTrap = this.now();
    svc.lastTrapHost = fromHost;
    this.armTrapTimeout(svc);
    this.processTrapLike(svc, status, summary, `${summary}\n\n${detail}`, detail, 'trap');
    const s = svc.model;
    if (s.trapdurationMs && status !== 0) {
      // mon silently flips the service back to OK after trapduration and so loses
      // the upalert; vigil treats it as a recovery so the upalert is sent.
      clearTimeout(svc.trapDurationTimer);
      svc.trapDurationTimer = setTimeout(() => {
        if (this.closed || this.services.get(svc.id) !== svc) return;
        this.processTrapLike(svc, 0, '', '', '', 'trap');
      }, s.trapdurationMs);
      svc.trapDurationTimer.unref();
    }
  }

  private processTrapLike(svc: ServiceRuntime, status: number, summary: string, output: string, detail: string, source: 'trap' | 'traptimeout'): void {
    const hosts = svc.groupHosts.filter((h) => !this.disabledHosts.has(h));
    const ok = status === 0;
    const perHost: Record<string, HostCheckResult> = {};
    for (const h of hosts) perHost[h] = { ok, summary: ok ? 'ok' : summary };
    this.process(svc, { at: this.now(), durationMs: 0, ok, summary, detail, output, exitCode: status, source, hosts: perHost, failedHosts: ok ? [] : hosts, degradedHosts: [] });
  }

  /** mon's traptimeout heartbeat: no trap for this long is a failure, repeated every period. */
  private armTrapTimeout(svc: ServiceRuntime): void {
    const ms = svc.model.traptimeoutMs;
    if (!ms) return;
    clearTimeout(svc.trapTimer);
    svc.trapTimer = setTimeout(() => {
      if (this.closed || this.services.get(svc.id) !== svc) return;
      const secs = Math.round(ms / 1000);
      const text = `trap timeout\ntrap timeout after ${secs}s at ${new Date(this.now()).toString()}\n`;
      this.processTrapLike(svc, 1, 'trap timeout', text, text.split('\n').slice(1).join('\n'), 'traptimeout');
      this.armTrapTimeout(svc);
    }, ms);
    svc.trapTimer.unref();
  }

  /** Re-reads the config; on error keeps the running one and throws the error. */
  async reload(): Promise<void> {
    const cfg = await loadEngineConfig(this.opts.configFile, this.registry);
    const fresh = new Map<string, ServiceRuntime>();
    try {
      for (const w of cfg.watches) for (const s of w.services) fresh.set(serviceId(s.watch, s.name), await this.buildService(s, cfg));
    } catch (err) {
      for (const svc of fresh.values()) await closeService(svc, this.log);
      throw err;
    }
    // Commit: the new config replaces the old one, state carries over.
    const old = new Map(this.services); // a copy: this.services is refilled below
    for (const [id, svc] of fresh) {
      const prev = old.get(id);
      if (prev) {
        svc.state = sm.adoptState(prev.state, svc.model, svc.groupHosts);
        svc.base = prev.base;
        svc.lastOutput = prev.lastOutput;
      }
      svc.disabled = this.disabledServices.has(id);
    }
    for (const svc of old.values()) {
      svc.timer?.cancel();
      clearTimeout(svc.trapTimer);
      clearTimeout(svc.trapDurationTimer);
      await svc.cronTask?.stop();
    }
    this.cfg = cfg;
    this.limiter.setMax(cfg.maxprocs);
    this.services.clear();
    for (const [id, svc] of fresh) this.services.set(id, svc);
    for (const svc of old.values()) void closeService(svc, this.log);
    for (const svc of fresh.values()) {
      const prev = old.get(svc.id);
      svc.lastTrap = prev?.lastTrap;
      svc.lastTrapHost = prev?.lastTrapHost;
      await this.redrain(svc); // before start: a drained server must not flash back in
      await this.startTargets(svc);
      this.schedule(svc, svc.base === undefined);
      this.armTrapTimeout(svc);
    }
    this.saveStates();
    this.log.info({ config: cfg.file, services: this.services.size }, 'config reloaded');
    this.emitter.emit('reload');
    this.emitter.emit('state');
  }

  /**
   * The services that changed, every 5 s; all of them once a minute. Serialising the
   * state of 20,000 hosts every 5 s because one service had an event was most of the
   * save's cost.
   */
  private saveIfNeeded(): void {
    if (this.now() - this.lastSaveAt >= 60_000) this.saveStates();
    else if (this.dirtyStates.size) this.saveStates([...this.dirtyStates]);
  }

  /** Saves the given services' states, or every service's (and forgets removed ones) without `ids`. */
  private saveStates(ids?: string[]): void {
    if (!this.persistence) return;
    const states: Record<string, unknown> = {};
    if (ids) {
      for (const id of ids) {
        const svc = this.services.get(id);
        if (svc) states[id] = svc.state;
      }
    } else {
      this.lastSaveAt = this.now();
      for (const [id, svc] of this.services) states[id] = svc.state;
    }
    this.dirtyStates.clear();
    this.persistence.saveServiceStates(states, { partial: ids !== undefined });
  }

  /** Stops scheduling, aborts in-flight checks, gives running alerts `graceMs` to finish. */
  async close(graceMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.stop();
    clearInterval(this.saveTimer);
    this.shutdown.abort(new Error('vigil is shutting down'));
    for (const svc of this.services.values()) {
      clearTimeout(svc.trapTimer);
      clearTimeout(svc.trapDurationTimer);
      await svc.cronTask?.stop();
    }
    this.saveStates();
    await this.dispatcher.drain(graceMs);
    this.dispatcher.close();
    for (const svc of this.services.values()) await closeService(svc, this.log);
    this.persistence.close();
    this.log.info({}, 'vigil stopped');
  }
}

function normaliseHostResult(r: unknown): HostCheckResult {
  if (!r || typeof r !== 'object' || typeof (r as HostCheckResult).ok !== 'boolean') {
    return { ok: false, summary: 'monitor plugin returned no result (expected { ok, summary })' };
  }
  const x = r as HostCheckResult & Record<string, unknown>;
  // A plain result with all it needs is kept as it is (the contract in docs/plugins.md:
  // vigil keeps it as the host's last result and never changes it). A copy made into
  // `{}` has room for 4 keys inside the object; a fifth (dns: ok, summary, latencyMs,
  // detail, metrics) went to a separate property array, 40 bytes a host kept live.
  const complete = typeof x.summary === 'string' && typeof x.latencyMs === 'number' && (x.detail === undefined || typeof x.detail === 'string');
  if (complete && Object.getPrototypeOf(x) === Object.prototype) {
    flatString(x.summary);
    if (x.detail !== undefined) flatString(x.detail);
    return x;
  }
  const summary = flatString(typeof x.summary === 'string' ? x.summary : String(x.summary ?? ''));
  // Same keys, same order as `{ ...x, summary }`, but built from an empty literal: a spread
  // copy gets a map outside V8's transition tree, so the `latencyMs` added next gave every
  // host's result its own hidden class (20,000 maps, about 300 bytes a host, kept live).
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x)) out[k] = k === 'summary' ? summary : k === 'detail' && typeof x.detail === 'string' ? flatString(x.detail) : x[k];
  if (!('summary' in out)) out.summary = summary;
  return out as unknown as HostCheckResult;
}

/**
 * The same string with V8's representation flattened. A string built piece by piece
 * (a detail line per DNS record, a summary from a template) is a tree of cons
 * strings, one node per join; each host keeps its summary and detail for an
 * interval, and the tree took several times the characters' size (dns-5000: 104,000
 * tree nodes, 3.3 MB). Turning a string into a number flattens it in place and the
 * collector then drops the tree; the comparison keeps the conversion from being
 * optimised away.
 */
function flatString(s: string): string {
  if (Number(s) === -0.5) flatSink++;
  return s;
}
let flatSink = 0;

async function closeService(svc: ServiceRuntime, log: Logger): Promise<void> {
  const closers: Array<Promise<void> | undefined> = [];
  try {
    closers.push(svc.checker?.close?.());
  } catch {}
  for (const t of svc.targets.values()) {
    try {
      closers.push(t.alert.close?.());
    } catch {}
  }
  const results = await Promise.allSettled(closers.filter(Boolean));
  for (const r of results) if (r.status === 'rejected') log.warn({ service: svc.id, err: errorMessage(r.reason) }, 'plugin close failed');
}
