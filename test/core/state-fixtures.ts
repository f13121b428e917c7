/**
 * @fileoverview Builders and a table runner for the state machine tests: a
 * service from a few period options, results from a word, and a replay of
 * steps on a fake clock (ms) that records every delivery as one short line
 * `AT TYPE PERIOD plugin+plugin`, so expectations read like a log.
 */
import type { Period, PluginRef, Service } from '../../core/model.ts';
import type { AlertEvent, HostCheckResult } from '../../core/types.ts';
import {
  acknowledge,
  applyResult,
  initialState,
  startup,
  disableAlerts,
  type Delivery,
  type RunResult,
  type ServiceState,
  type StateContext,
} from '../../core/state.ts';

export const S = 1000;
export const M = 60_000;

export function ref(plugin: string, extra: Partial<PluginRef> = {}): PluginRef {
  return { plugin, options: {}, ...extra };
}

export function period(p: Partial<Period> = {}): Period {
  return {
    key: p.key ?? p.spec ?? 'always',
    spec: '',
    numalerts: 0,
    alerts: [ref('mail')],
    upalerts: [],
    startupalerts: [],
    ackalerts: [],
    disablealerts: [],
    noCompAlerts: false,
    alertsDontCount: false,
    ...p,
  };
}

export function service(periods: Partial<Period>[] = [{}], extra: Partial<Service> = {}): Service {
  return {
    watch: 'web',
    name: 'http',
    description: 'front page',
    intervalMs: 10 * S,
    timeoutMs: 5 * S,
    depBehavior: 'a',
    excludeHosts: [],
    allowEmptyGroup: false,
    env: { SITE: 'a' },
    periods: periods.map(period),
    ...extra,
  };
}

export const HOSTS = ['h1', 'h2', 'h3'];

/** A failing group run: `failed` hosts, summary = them joined (mon's convention). */
export function fail(failed: string[] = ['h1'], extra: Partial<RunResult> = {}): RunResult {
  const summary = extra.summary ?? failed.join(' ');
  return {
    at: 0,
    durationMs: 5,
    ok: false,
    summary,
    detail: `${failed.join(',')} refused`,
    output: `${summary}\n${failed.join(',')} refused\n`,
    exitCode: 1,
    source: 'monitor',
    hosts: {},
    failedHosts: failed,
    degradedHosts: [],
    ...extra,
  };
}

export function ok(extra: Partial<RunResult> = {}): RunResult {
  return {
    at: 0,
    durationMs: 5,
    ok: true,
    summary: '',
    detail: '',
    output: '',
    exitCode: 0,
    source: 'monitor',
    hosts: {},
    failedHosts: [],
    degradedHosts: [],
    ...extra,
  };
}

export type Step =
  | { at: number; result: RunResult; ctx?: Partial<StateContext> }
  | { at: number; ack: string; ctx?: Partial<StateContext> }
  | { at: number; startup: true; ctx?: Partial<StateContext> }
  | { at: number; disable: true; ctx?: Partial<StateContext> };

export interface Replay {
  state: ServiceState;
  deliveries: Delivery[];
  hostEvents: AlertEvent[];
  /** `AT TYPE PERIOD plugin+plugin` per event (one line even with several refs). */
  log: string[];
  /** Same for host events: `AT TYPE HOST count=N`. */
  hostLog: string[];
  /** State after each step. */
  states: ServiceState[];
}

/** Periods are named after their spec; a spec of the form "from-to" (ms) is "in period" for from <= now < to. */
export function fakeInPeriod(spec: string, now: number): boolean {
  if (spec === 'never') return false;
  const m = /^(\d+)-(\d+)$/.exec(spec);
  if (m) return now >= Number(m[1]) && now < Number(m[2]);
  return true;
}

export function context(svc: Service, now: number, extra: Partial<StateContext> = {}): StateContext {
  return {
    service: svc,
    groupHosts: HOSTS,
    now,
    inPeriod: fakeInPeriod,
    alertDependOk: true,
    disabled: false,
    ...extra,
  };
}

export function replay(svc: Service, steps: Step[], start?: ServiceState): Replay {
  let state = start ?? initialState(svc, HOSTS);
  const out: Replay = { state, deliveries: [], hostEvents: [], log: [], hostLog: [], states: [] };
  for (const step of steps) {
    const ctx = context(svc, step.at, step.ctx);
    let deliveries: Delivery[] = [];
    if ('result' in step) {
      const r = applyResult(state, { ...step.result, at: step.at }, ctx);
      state = r.state;
      deliveries = r.deliveries;
      out.hostEvents.push(...r.hostEvents);
      for (const e of r.hostEvents) out.hostLog.push(`${e.at} ${e.type} ${e.host} count=${e.count}`);
    } else if ('ack' in step) {
      ({ state, deliveries } = acknowledge(state, step.ack, ctx));
    } else if ('startup' in step) {
      ({ state, deliveries } = startup(state, ctx));
    } else {
      ({ state, deliveries } = disableAlerts(state, { ...ctx, disabled: true }));
    }
    out.deliveries.push(...deliveries);
    out.log.push(...summarise(deliveries));
    out.states.push(state);
  }
  out.state = state;
  return out;
}

function summarise(ds: Delivery[]): string[] {
  const byEvent = new Map<string, Delivery[]>();
  for (const d of ds) byEvent.set(d.event.id, [...(byEvent.get(d.event.id) ?? []), d]);
  return [...byEvent.values()].map((g) => {
    const e = g[0]!.event;
    return `${e.at} ${e.type} ${g[0]!.period} ${g.map((d) => d.ref.plugin).join('+')}`;
  });
}

export function hostResult(ok: boolean, extra: Partial<HostCheckResult> = {}): HostCheckResult {
  return { ok, summary: ok ? 'connected' : 'connection refused', ...extra };
}
