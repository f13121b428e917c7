/**
 * @fileoverview The lvs alert: keeps the real servers of IPVS virtual services in
 * step with health. It reads the table (`ipvsadm -S -n`), plans the commands that
 * bring the managed servers in line (alerts/lvs/plan.ts) and runs them one after
 * another, never through a shell. Host events and every check observation
 * re-apply the desired state, so a failed ipvsadm is retried and a table edited
 * by hand is put right at the next check. An operator's drain (`drain()`, from
 * `vigil drain HOST`) sets the host's weight to 0 and removes it once its
 * connections are gone (alerts/lvs/drain.ts). The engine keeps drains in its
 * store and hands them to new instances (a reload, a restart) before start().
 */
import { lookup } from 'node:dns/promises';
import { defineAlert, type Alert, type AlertEvent, type CheckObservation, type Logger, type PluginContext } from '../core/types.ts';
import { canonicalIp, hostKey } from './lvs/address.ts';
import { problemsOfAsync } from '../core/kit/option-problems.ts';
import { startDrain, stepDrain, type DrainState } from './lvs/drain.ts';
import { LIST_ARGS, parseIpvsList } from './lvs/parse-list.ts';
import { SAVE_ARGS } from './lvs/argv.ts';
import type { IpvsCommand, PoolState, TableService } from './lvs/model.ts';
import { normalizeOptions, optionsSchema, type LvsOptions, type Normalized } from './lvs/options.ts';
import { parseIpvsSave } from './lvs/parse-table.ts';
import { planPool, type DrainPhase } from './lvs/plan.ts';
import { poolFromState, stepPool, type HostPool } from './lvs/pool-state.ts';
import { execIpvsadm, runCommand, SerialQueue, type Exec } from './lvs/runner.ts';
import { describePool, type ServiceView } from './lvs/view.ts';
import { formatEndpoint, serviceKey } from './lvs/address.ts';

/** How often a draining host's connections are counted (`ipvsadm -L -n`). */
export const DRAIN_POLL_MS = 1000;

export type { LvsOptions } from './lvs/options.ts';

/** Resolves a real server's host name once, at create (IPVS only knows addresses). */
async function resolveHost(host: string): Promise<string> {
  return (await lookup(host)).address;
}

export class LvsAlert implements Alert {
  private readonly pool = new Map<string, HostPool>();
  private readonly queue = new SerialQueue();
  private queued?: Promise<void>;
  private observedAny = false;
  private lastWarnings = '';
  private lastDryRun = '';
  private lastTable: TableService[] = [];
  private readonly drains = new Map<string, DrainState>();
  private drainTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly cfg: Normalized,
    private readonly log: Logger,
    private readonly exec: Exec = execIpvsadm,
    private readonly print: (line: string) => void = (l) => process.stdout.write(l + '\n'),
    private readonly drainPollMs = DRAIN_POLL_MS,
  ) {}

  async start(hosts: Record<string, PoolState>): Promise<void> {
    for (const [h, state] of Object.entries(hosts)) this.pool.set(hostKey(h), poolFromState(state));
    // a failure here is logged by apply and retried at the next observe: start must not stop the daemon
    await this.apply().catch(() => undefined);
  }

  async observe(obs: CheckObservation): Promise<void> {
    this.observedAny = true;
    for (const [h, r] of Object.entries(obs.hosts)) {
      const key = hostKey(h);
      const prev = this.pool.get(key) ?? poolFromState('unknown');
      this.pool.set(key, stepPool(prev, !r.ok ? 'failed' : r.degraded ? 'degraded' : 'ok', this.cfg.fall, this.cfg.rise));
    }
    await this.apply().catch(() => undefined);
  }

  /** The signal is not passed on: applies are shared between callers, and each ipvsadm call has its own 10 s limit. */
  async send(event: AlertEvent, _signal?: AbortSignal): Promise<void> {
    if (!event.host || !['host-down', 'host-up', 'host-degraded'].includes(event.type)) return;
    // with observations the event is only a hint (fall/rise decide); without them it is the state
    if (!this.observedAny) {
      const state: PoolState = event.type === 'host-down' ? 'down' : event.type === 'host-up' ? 'up' : 'degraded';
      this.pool.set(hostKey(event.host), poolFromState(state));
    }
    await this.apply();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.drainTimer);
    await this.queue.run(async () => undefined);
  }

  /**
   * The operator drains `host` (weight 0 now, removed once it has no active
   * connections or after `timeoutMs`) or ends the drain (`undo`: health decides
   * again). Resolves false when this instance does not manage the host.
   */
  async drain(host: string, request: { timeoutMs: number } | { undo: true }): Promise<boolean> {
    const key = this.managedHost(host);
    if (key === undefined) return false;
    if ('undo' in request) {
      if (!this.drains.delete(key)) return true;
      this.log.info({ host: key }, `lvs: undrain ${key}: health decides again`);
    } else {
      const cur = this.drains.get(key);
      // draining again restarts the wait; a drained host stays drained
      if (cur?.phase !== 'drained') this.drains.set(key, startDrain(Date.now(), request.timeoutMs));
      this.log.info({ host: key, timeoutMs: request.timeoutMs }, `lvs: drain ${key}: weight 0, removed when its connections close`);
    }
    await this.apply();
    return true;
  }

  /** The health key of a managed real server named `host` (by its config name or its address). */
  private managedHost(host: string): string | undefined {
    const key = hostKey(host);
    const addr = canonicalIp(host);
    for (const m of this.cfg.managed) for (const r of m.servers) if (r.host === key || r.address === addr) return r.host;
    return undefined;
  }

  /** Drain phase per host, for the planner and the view. */
  private drainPhases(): Record<string, DrainPhase> {
    return Object.fromEntries([...this.drains].map(([h, d]) => [h, d.phase]));
  }

  /** Counts each draining host's active connections and moves it on (draining -> drained). */
  private async stepDrains(table: readonly TableService[]): Promise<void> {
    // counted only once the table shows weight 0: before that new connections still arrive
    const weighted = (host: string) =>
      this.cfg.managed.some((m) => {
        const t = table.find((x) => serviceKey(x.service) === serviceKey(m.service));
        return m.servers.some((r) => r.host === host && t?.servers.some((s) => s.address === r.address && s.port === r.port && s.weight > 0));
      });
    const ready = [...this.drains].filter(([h, d]) => d.phase === 'draining' && !weighted(h)).map(([h]) => h);
    if (!ready.length) return;
    let counts: Map<string, Array<{ server: string; active: number }>> | undefined;
    try {
      counts = parseIpvsList((await this.exec([...this.cfg.command, ...LIST_ARGS])).stdout);
    } catch (err) {
      this.log.warn({ err }, 'lvs: cannot count connections (ipvsadm -L -n); a drain ends at its timeout');
    }
    const now = Date.now();
    for (const host of ready) {
      const d = this.drains.get(host)!;
      let active: number | undefined = counts ? 0 : undefined;
      if (counts) {
        for (const m of this.cfg.managed) {
          const list = counts.get(serviceKey(m.service)) ?? [];
          for (const r of m.servers) {
            if (r.host !== host) continue;
            active! += list.find((c) => c.server === formatEndpoint(r.address, r.port))?.active ?? 0;
          }
        }
      }
      const next = stepDrain(d, active, now);
      if (next !== d) {
        this.drains.set(host, next);
        this.log.info({ host, why: next.why }, `lvs: ${host} drained (${next.why}): removing it`);
      }
    }
  }

  /** While a host drains, look again every DRAIN_POLL_MS (checks may be minutes apart). */
  private scheduleDrainPoll(): void {
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    if (this.closed || ![...this.drains.values()].some((d) => d.phase === 'draining')) return;
    this.drainTimer = setTimeout(() => void this.apply().catch(() => undefined), this.drainPollMs);
    this.drainTimer.unref();
  }

  /** Pool state per host as the planner sees it. */
  health(): Record<string, PoolState> {
    return Object.fromEntries([...this.pool].map(([h, p]) => [h, p.state]));
  }

  /** Per virtual service: which servers are in, out or quiescent (as of the last table read). */
  view(): ServiceView[] {
    return describePool(this.cfg.managed, this.lastTable, this.health(), this.drainPhases());
  }

  describe(): ServiceView[] {
    return this.view();
  }

  /** Reads the table and runs the plan; calls that arrive while one waits share it. */
  apply(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.queue.run(async () => {
      this.queued = undefined;
      await this.applyNow();
    });
    this.queued = run;
    return run;
  }

  private async applyNow(): Promise<void> {
    try {
      await this.applyTable();
    } finally {
      this.scheduleDrainPoll();
    }
  }

  private async applyTable(): Promise<void> {
    const { command, dryRun, managed, policy } = this.cfg;
    let table: TableService[];
    try {
      table = parseIpvsSave((await this.exec([...command, ...SAVE_ARGS])).stdout);
    } catch (err) {
      if (!dryRun) {
        this.log.error({ err, command: [...command, ...SAVE_ARGS].join(' ') }, 'lvs: cannot read the IPVS table; will retry at the next check');
        throw err;
      }
      table = [];
    }
    this.lastTable = table;
    if (!dryRun) await this.stepDrains(table);
    const plan = planPool(managed, policy, this.health(), table, this.drainPhases());
    const warnings = plan.warnings.join('\n');
    if (warnings && warnings !== this.lastWarnings) for (const w of plan.warnings) this.log.warn({}, `lvs: ${w}`);
    this.lastWarnings = warnings;
    if (dryRun) return this.printDryRun(plan.commands);
    const failures: Error[] = [];
    for (const cmd of plan.commands) {
      const fields = { op: cmd.op, vservice: cmd.service, server: cmd.server, reason: cmd.reason, argv: [...command, ...cmd.args] };
      try {
        const outcome = await runCommand(this.exec, command, cmd);
        this.log.info({ ...fields, outcome }, `lvs: ${cmd.op} ${cmd.server ?? cmd.service}`);
      } catch (err) {
        this.log.error({ ...fields, err }, `lvs: ${cmd.op} failed; will retry`);
        failures.push(err as Error);
      }
    }
    // the view shows the table after the change; one more read, only when something changed
    if (plan.commands.length) this.lastTable = await this.exec([...command, ...SAVE_ARGS]).then((r) => parseIpvsSave(r.stdout), () => this.lastTable);
    if (failures.length) throw new Error(failures.map((f) => f.message).join('; '), { cause: failures[0] });
  }

  private printDryRun(commands: IpvsCommand[]): void {
    const text = commands.map((c) => [...this.cfg.command, ...c.args].join(' ') + `   # ${c.reason}`).join('\n');
    if (text === this.lastDryRun) return;
    this.lastDryRun = text;
    for (const line of text ? text.split('\n') : []) {
      this.print(`lvs dry-run: ${line}`);
      this.log.info({ dryRun: true }, `lvs dry-run: ${line}`);
    }
  }
}

/** Builds the alert from options; `exec` is injected by unit tests only. */
export async function createLvsAlert(options: LvsOptions, ctx: PluginContext, exec?: Exec): Promise<LvsAlert> {
  const cfg = await normalizeOptions(options, ctx.hosts ?? [], resolveHost);
  const log = ctx.log.child({ plugin: 'lvs', watch: ctx.watch, service: ctx.service });
  return new LvsAlert(cfg, log, exec);
}

export default defineAlert<LvsOptions>({
  kind: 'alert',
  name: 'lvs',
  apiVersion: 1,
  description: 'keeps IPVS (LVS) real servers in step with health: removes failing ones, restores recovered ones',
  events: ['host-down', 'host-up', 'host-degraded'],
  optionsSchema,
  // Names are resolved at create (start and reload); here any name stands for 127.0.0.1.
  checkOptions: (options, { hosts }) => problemsOfAsync(() => normalizeOptions(options, hosts, async () => '127.0.0.1')),
  create: (options, ctx) => createLvsAlert(options, ctx),
});
