/**
 * A small in-memory Runtime for unit tests of the mon protocol front end (our
 * own logic only; the real engine is exercised in the integration tests).
 */
import type { Config } from '../../core/model.ts';
import { RuntimeError, type HistoryRecord, type Runtime, type ServiceStatusView, type StatusSnapshot } from '../../core/runtime.ts';

export interface FakeRuntime extends Runtime {
  views: Map<string, ServiceStatusView>;
  disabledHosts: Set<string>;
  disabledWatches: Set<string>;
  records: HistoryRecord[];
  traps: Array<{ watch: string; service: string; status: number; summary: string; detail: string; fromHost?: string }>;
  calls: string[];
  running: boolean;
  setFailing(watch: string, service: string, summary: string, detail: string, at: number): void;
}

export function fakeRuntime(config: Config, now: () => number): FakeRuntime {
  const views = new Map<string, ServiceStatusView>();
  for (const w of config.watches) {
    for (const s of w.services) {
      views.set(`${w.name}/${s.name}`, {
        watch: w.name, service: s.name, description: s.description, status: 'untested', opstatus: 7, lastOpstatus: 7,
        running: false, overdue: false, summary: '', detail: '', consecutiveFailures: 0, failureCount: 0, alertsSent: 0,
        disabled: false, acked: false, monitor: s.monitor?.plugin ?? '', hosts: [], intervalMs: s.intervalMs,
        ...(s.intervalMs ? { nextCheck: now() + s.intervalMs } : {}),
      });
    }
  }
  const view = (w: string, s: string) => {
    const v = views.get(`${w}/${s}`);
    if (!v) throw new RuntimeError(config.watches.some((x) => x.name === w) ? 'unknown-service' : 'unknown-watch', `${w}/${s} unknown`);
    return v;
  };
  const rt: FakeRuntime = {
    views,
    disabledHosts: new Set(),
    disabledWatches: new Set(),
    records: [],
    traps: [],
    calls: [],
    running: true,
    config: () => config,
    status(): StatusSnapshot {
      return {
        startedAt: 0, now: now(), schedulerRunning: rt.running, configFile: config.file, disabledHosts: [...rt.disabledHosts],
        watches: config.watches.map((w) => ({
          watch: w.name, disabled: rt.disabledWatches.has(w.name), hosts: config.hostgroups[w.name] ?? [],
          services: w.services.map((s) => views.get(`${w.name}/${s.name}`)!),
        })),
      };
    },
    history: (q) => rt.records.filter((r) => !q.kind || r.kind === q.kind).slice(-(q.limit ?? 1000)),
    outbox: () => [],
    disableHost: (h) => void (rt.disabledHosts.add(h), rt.calls.push(`disableHost ${h}`)),
    enableHost: (h) => void (rt.disabledHosts.delete(h), rt.calls.push(`enableHost ${h}`)),
    disableService: (w, s) => void ((view(w, s).disabled = true), rt.calls.push(`disableService ${w} ${s}`)),
    enableService: (w, s) => void ((view(w, s).disabled = false), rt.calls.push(`enableService ${w} ${s}`)),
    disableWatch: (w) => void (rt.disabledWatches.add(w), rt.calls.push(`disableWatch ${w}`)),
    enableWatch: (w) => void (rt.disabledWatches.delete(w), rt.calls.push(`enableWatch ${w}`)),
    ack(w, s, comment, user) {
      const v = view(w, s);
      if (v.opstatus !== 0) throw new RuntimeError('not-failing', `${w}/${s} is not failing`);
      Object.assign(v, { acked: true, ackComment: `${user ?? ''}: ${comment}`, ackAt: now() });
      rt.calls.push(`ack ${w} ${s} ${comment} ${user ?? ''}`);
    },
    testNow: async (w, s) => void (view(w, s), rt.calls.push(`testNow ${w} ${s}`)),
    reload: async () => void rt.calls.push('reload'),
    stopScheduler: () => void (rt.running = false),
    startScheduler: () => void (rt.running = true),
    on: () => () => {},
    testAlert(kind, watch, service, periodKey, exitCode) {
      view(watch, service);
      rt.calls.push(`testAlert ${kind} ${watch} ${service} ${periodKey} ${exitCode ?? ''}`);
    },
    trap(watch, service, status, summary, detail, fromHost) {
      view(watch, service);
      rt.traps.push({ watch, service, status, summary, detail, fromHost });
    },
    setFailing(w, s, summary, detail, at) {
      Object.assign(view(w, s), {
        status: 'fail', opstatus: 0, lastOpstatus: 1, exitCode: 1, summary, detail, lastCheck: at, lastFailure: at, firstFailure: at,
        consecutiveFailures: 1, alertsSent: 1, lastAlert: at,
      });
    },
  };
  return rt;
}
