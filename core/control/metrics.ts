/**
 * @fileoverview /metrics: a prom-client registry fed by the engine's check and
 * dispatcher events (counters, histograms) and by a status snapshot taken at
 * scrape time (up/down gauges, overdue, outbox depth). One registry per server,
 * never the global one, so two engines in one process (tests) do not mix.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckMetric } from '../engine/engine.ts';
import type { AlertStateView, OutboxEntry, StatusSnapshot } from '../runtime.ts';

type LvsView = { service: string; servers: Array<{ server: string; pool: string; weight?: number }> };

/** The lvs alerts' describe() views of one service (other plugins' states are skipped). */
function lvsViews(states: readonly AlertStateView[] | undefined): LvsView[] {
  const out: LvsView[] = [];
  for (const a of states ?? []) {
    if (a.plugin !== 'lvs' || !Array.isArray(a.state)) continue;
    for (const v of a.state as LvsView[]) if (v && typeof v.service === 'string' && Array.isArray(v.servers)) out.push(v);
  }
  return out;
}

/** What the metrics need from the engine (its check, dispatcher and state events). */
export interface MetricsSource {
  status(): StatusSnapshot;
  outbox(q: { state?: OutboxEntry['state']; limit?: number }): OutboxEntry[];
  on(name: 'check' | 'result' | 'skipped' | 'event' | 'metric', fn: (...args: any[]) => void): () => void;
}

export interface ControlMetrics {
  registry: Registry;
  contentType: string;
  /** The exposition text (Prometheus text format 0.0.4). */
  text(): Promise<string>;
  close(): void;
}

const SVC = ['watch', 'service'] as const;

export function createMetrics(engine: MetricsSource): ControlMetrics {
  const registry = new Registry();
  const reg = [registry];
  // process_* and nodejs_*, the names dashboards expect. The event-loop lag sampler wakes
  // the process at its precision: prom-client's 10 ms was 100 wake-ups a second, and 100 ms
  // was still a third of an idle vigil's CPU. At 1 s it sees every stall of a second or more
  // and a share of shorter ones; the lag that matters, each run's, is exact in
  // vigil_scheduler_lag_seconds.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1000 });

  const checkDuration = new Histogram({ name: 'vigil_check_duration_seconds', help: 'Time one host check (or one group check) took.', labelNames: SVC, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: reg });
  const checks = new Counter({ name: 'vigil_checks_total', help: 'Host checks (or group checks) run.', labelNames: SVC, registers: reg });
  const failed = new Counter({ name: 'vigil_checks_failed_total', help: 'Host checks (or group checks) that failed, timeouts included.', labelNames: SVC, registers: reg });
  const timeouts = new Counter({ name: 'vigil_check_timeouts_total', help: 'Checks stopped because they ran past the service timeout.', labelNames: SVC, registers: reg });
  const skipped = new Counter({ name: 'vigil_checks_skipped_total', help: 'Runs skipped because the previous run of the service was still going.', labelNames: SVC, registers: reg });
  const lag = new Histogram({ name: 'vigil_scheduler_lag_seconds', help: 'How late a scheduled run started versus when it was due.', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60], registers: reg });
  const sent = new Counter({ name: 'vigil_alerts_sent_total', help: 'Alert deliveries that succeeded.', labelNames: ['plugin'], registers: reg });
  const alertFailed = new Counter({ name: 'vigil_alerts_failed_total', help: 'Alert delivery attempts that failed.', labelNames: ['plugin'], registers: reg });
  const retried = new Counter({ name: 'vigil_alerts_retried_total', help: 'Failed alert deliveries scheduled for another attempt.', labelNames: ['plugin'], registers: reg });
  const givenUp = new Counter({ name: 'vigil_alerts_given_up_total', help: 'Alert deliveries given up (attempts exhausted or target gone).', labelNames: ['plugin'], registers: reg });
  const events = new Counter({ name: 'vigil_events_total', help: 'Events produced by the state machine (down, up, host-down ...).', labelNames: ['type'], registers: reg });

  // Scrape-time gauges: computed from one snapshot so they always agree.
  let snap: StatusSnapshot | undefined;
  const serviceUp = new Gauge({ name: 'vigil_service_up', help: '1 when the service is ok, 0 when it fails; absent until first checked.', labelNames: SVC, registers: reg });
  const hostUp = new Gauge({ name: 'vigil_host_up', help: '1 when the host passes the service check, 0 when it fails (down or degraded); absent until checked.', labelNames: ['watch', 'service', 'host'], registers: reg });
  const overdue = new Gauge({ name: 'vigil_service_overdue', help: '1 when the service check is overdue by more than two intervals.', labelNames: SVC, registers: reg });
  const overdueCount = new Gauge({ name: 'vigil_services_overdue', help: 'Services whose check is overdue by more than two intervals.', registers: reg });
  const disabled = new Gauge({ name: 'vigil_service_disabled', help: '1 when alerts of the service (or its watch) are disabled.', labelNames: SVC, registers: reg });
  const outbox = new Gauge({ name: 'vigil_outbox_pending', help: 'Alert deliveries waiting in the outbox (first attempt or retry).', registers: reg });
  const running = new Gauge({ name: 'vigil_scheduler_running', help: '1 while the scheduler runs checks, 0 when stopped by an operator.', registers: reg });
  // lvs: one series per managed real server (its pool state as a label), so cardinality = real servers
  const lvsServer = new Gauge({ name: 'vigil_lvs_real_server', help: 'A real server vigil manages in an IPVS virtual service: 1, with state in (weight > 0), quiescent (weight 0) or out (not in the table).', labelNames: ['vservice', 'server', 'state'], registers: reg });
  const lvsWeight = new Gauge({ name: 'vigil_lvs_real_server_weight', help: 'Weight of a managed real server in the IPVS table; absent when it is out.', labelNames: ['vservice', 'server'], registers: reg });
  const started = new Gauge({ name: 'vigil_start_time_seconds', help: 'When this vigil started (unix time).', registers: reg });

  const collect = () => {
    snap = engine.status();
    for (const g of [serviceUp, hostUp, overdue, disabled, lvsServer, lvsWeight]) g.reset();
    let n = 0;
    for (const w of snap.watches) {
      for (const s of w.services) {
        const l = { watch: s.watch, service: s.service };
        if (s.status !== 'untested') serviceUp.set(l, s.status === 'ok' ? 1 : 0);
        overdue.set(l, s.overdue ? 1 : 0);
        disabled.set(l, s.disabled || w.disabled ? 1 : 0);
        if (s.overdue) n++;
        for (const h of s.hosts) {
          if (h.excluded || h.state === 'unknown') continue;
          hostUp.set({ ...l, host: h.host }, h.state === 'up' ? 1 : 0);
        }
        for (const v of lvsViews(s.alertStates)) {
          for (const r of v.servers) {
            lvsServer.set({ vservice: v.service, server: r.server, state: r.pool }, 1);
            if (r.weight !== undefined) lvsWeight.set({ vservice: v.service, server: r.server }, r.weight);
          }
        }
      }
    }
    overdueCount.set(n);
    running.set(snap.schedulerRunning ? 1 : 0);
    started.set(snap.startedAt / 1000);
    outbox.set(engine.outbox({ state: 'pending', limit: 1_000_000 }).length);
  };

  // A service's series, made once: a child from labels() keeps its label object, so no
  // label object and no key string is built per check (the metrics' share of vigil's own
  // allocation per check: 19% -> 14%). prom-client still hashes the labels on every call
  // (128 ns per inc, 278 per observe here). Found by watch, then service. A run's lag is
  // observed once, on its first check (a host check emits one per host).
  interface ServiceSeries {
    checks: Counter.Internal;
    duration: Histogram.Internal<(typeof SVC)[number]>;
    failed: Counter.Internal;
    timeouts: Counter.Internal;
    lagSeen: boolean;
  }
  const series = new Map<string, Map<string, ServiceSeries>>();
  const seriesOf = (watch: string, service: string): ServiceSeries => {
    let byService = series.get(watch);
    if (!byService) series.set(watch, (byService = new Map()));
    let s = byService.get(service);
    if (!s) {
      const l = { watch, service };
      s = { checks: checks.labels(l), duration: checkDuration.labels(l), failed: failed.labels(l), timeouts: timeouts.labels(l), lagSeen: false };
      byService.set(service, s);
    }
    return s;
  };
  const offCheck = engine.on('check', (m: CheckMetric) => {
    const s = seriesOf(m.watch, m.service);
    s.checks.inc();
    s.duration.observe(m.durationMs / 1000);
    if (!m.ok) s.failed.inc();
    if (m.timedOut) s.timeouts.inc();
    if (m.lagMs !== undefined && !s.lagSeen) {
      s.lagSeen = true;
      lag.observe(m.lagMs / 1000);
    }
  });
  const offResult = engine.on('result', (r: { watch: string; service: string }) => {
    const s = series.get(r.watch)?.get(r.service);
    if (s) s.lagSeen = false;
  });
  const offSkipped = engine.on('skipped', (svc: { model: { watch: string; name: string } }) => skipped.inc({ watch: svc.model.watch, service: svc.model.name }));
  const offEvent = engine.on('event', (e: { type: string }) => events.inc({ type: e.type }));

  // The dispatcher reports a failure, then (synchronously) a give-up when attempts
  // are exhausted; a failure not followed by a give-up is a retry.
  const giveUps = new Map<string, number>();
  const offMetric = engine.on('metric', (name: string, labels: { plugin: string }) => {
    const plugin = labels.plugin ?? 'unknown';
    if (name === 'alert_delivered') sent.inc({ plugin });
    else if (name === 'alert_given_up') {
      givenUp.inc({ plugin });
      giveUps.set(plugin, (giveUps.get(plugin) ?? 0) + 1);
    } else if (name === 'alert_failed') {
      alertFailed.inc({ plugin });
      const before = giveUps.get(plugin) ?? 0;
      queueMicrotask(() => {
        if ((giveUps.get(plugin) ?? 0) === before) retried.inc({ plugin });
      });
    }
  });

  return {
    registry,
    contentType: registry.contentType,
    async text() {
      collect();
      return registry.metrics();
    },
    close() {
      for (const off of [offCheck, offResult, offSkipped, offEvent, offMetric]) off();
      registry.clear();
    },
  };
}
