/**
 * @fileoverview The engine's state as the front ends see it (StatusSnapshot).
 */
import type { AlertStateView, HostStatusView, ServiceStatusView, StatusSnapshot, WatchStatusView } from '../runtime.ts';
import type { Config } from '../model.ts';
import type { ServiceRuntime } from './engine.ts';

interface EngineView {
  config(): Config;
  services: Map<string, ServiceRuntime>;
  disabledHosts: Set<string>;
  disabledWatches: Set<string>;
  startedAt: number;
  now(): number;
  dependOk(svc: ServiceRuntime, kind: 'alert'): boolean;
}

const OPSTATUS = { fail: 0, ok: 1, untested: 7 } as const;

export function isOverdue(svc: ServiceRuntime, now: number, startedAt: number): boolean {
  const interval = svc.model.intervalMs;
  if (!interval) return false;
  return now - (svc.state.lastCheck ?? startedAt) > 3 * interval;
}

function serviceView(e: EngineView, svc: ServiceRuntime, now: number): ServiceStatusView {
  const st = svc.state;
  const s = svc.model;
  const hosts: HostStatusView[] = svc.groupHosts.map((host) => {
    const m = st.hosts[host];
    return {
      host,
      state: m?.state ?? 'unknown',
      since: m?.since,
      lastCheck: m?.lastCheck,
      latencyMs: m?.last?.latencyMs,
      summary: m?.last?.summary,
      detail: m?.last?.detail,
      disabled: e.disabledHosts.has(host),
      excluded: s.excludeHosts.includes(host),
      consecutiveFailures: m?.consecutiveFailures ?? 0,
      consecutiveSuccesses: m?.consecutiveSuccesses ?? 0,
      metrics: m?.last?.metrics,
    };
  });
  return {
    watch: s.watch,
    service: s.name,
    description: s.description,
    status: st.status,
    opstatus: OPSTATUS[st.status],
    lastOpstatus: OPSTATUS[st.lastStatus ?? st.status],
    exitCode: st.exitCode,
    lastCheck: st.lastCheck,
    lastSuccess: st.lastSuccess,
    lastFailure: st.lastFailure,
    firstFailure: st.firstFailure,
    since: st.lastChange,
    nextCheck: svc.nextDue,
    intervalMs: s.intervalMs,
    durationMs: svc.lastDurationMs,
    running: svc.running,
    overdue: isOverdue(svc, now, e.startedAt),
    summary: st.summary,
    detail: st.detail,
    consecutiveFailures: st.consecutiveFailures,
    failureCount: st.failureCount,
    alertsSent: st.alertsSent,
    lastAlert: st.lastAlert,
    disabled: svc.disabled,
    acked: !!st.ack,
    ackComment: st.ack?.comment,
    ackAt: st.ack?.at,
    depend: s.depend,
    dependOk: s.depend ? e.dependOk(svc, 'alert') : undefined,
    lastTrap: svc.lastTrap,
    lastTrapHost: svc.lastTrapHost,
    monitor: s.monitor ? monitorText(s.monitor.plugin, s.monitor.options) : '',
    hosts,
    alertStates: alertStates(svc),
  };
}

/** `describe()` of each alert instance that has one (duplicates share the first's state). */
function alertStates(svc: ServiceRuntime): AlertStateView[] | undefined {
  let out: AlertStateView[] | undefined;
  for (const t of svc.targets.values()) {
    if (t.duplicateOf || !t.alert.describe) continue;
    let state: unknown;
    try {
      state = t.alert.describe();
    } catch (err) {
      state = { error: `describe failed: ${(err as Error).message}` };
    }
    (out ??= []).push({ plugin: t.ref.plugin, target: t.key, state });
  }
  return out;
}

function monitorText(plugin: string, options: Record<string, unknown>): string {
  if (plugin === 'script' && typeof options.path === 'string') {
    const args = Array.isArray(options.args) ? options.args.join(' ') : '';
    return args ? `${options.path} ${args}` : options.path;
  }
  return plugin;
}

export function buildSnapshot(e: EngineView, sched: { schedulerRunning: boolean; stoppedSince?: number }): StatusSnapshot {
  const now = e.now();
  const cfg = e.config();
  const watches: WatchStatusView[] = cfg.watches.map((w) => ({
    watch: w.name,
    disabled: e.disabledWatches.has(w.name),
    hosts: cfg.hostgroups[w.name] ?? [w.name],
    services: w.services.map((s) => e.services.get(`${w.name}/${s.name}`)).filter((x): x is ServiceRuntime => !!x).map((svc) => serviceView(e, svc, now)),
  }));
  return {
    startedAt: e.startedAt,
    now,
    schedulerRunning: sched.schedulerRunning,
    configFile: cfg.file,
    watches,
    disabledHosts: [...e.disabledHosts],
  };
}
