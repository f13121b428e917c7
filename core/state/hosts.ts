/**
 * @fileoverview Per-host state, which mon lacks: after every run each host's
 * own state is compared with what was remembered, and a change emits
 * `host-down`, `host-up` or `host-degraded` (also on the first check, from
 * `unknown`, so consumers such as the LVS alert learn the initial state).
 * Host events ignore periods, alertafter, alertevery, numalerts, ack and
 * disable: the engine routes them to the alert plugins that ask for them.
 *
 *   previous \ now   up         degraded        down
 *   unknown          host-up    host-degraded   host-down
 *   up               -          host-degraded   host-down
 *   degraded         host-up    -               host-down
 *   down             host-up    host-degraded   -
 */
import type { AlertEvent, HostCheckResult, EventType } from '../types.ts';
import type { HostState } from '../runtime.ts';
import { makeEvent } from './events.ts';
import { freshHost } from './init.ts';
import type { RunResult, ServiceState, StateContext } from './types.ts';

/** The state a host result means. */
export function hostStateOf(r: HostCheckResult): HostState {
  if (!r.ok) return 'down';
  return r.degraded ? 'degraded' : 'up';
}

/**
 * Per-host results of a run. Hosts the plugin described come first; a group
 * result without per-host detail is spread over the group: listed hosts failed
 * (or are degraded), the others of the group (minus exclude_hosts) are up.
 */
export function hostResults(result: RunResult, ctx: StateContext): Map<string, HostCheckResult> {
  const out = new Map<string, HostCheckResult>(Object.entries(result.hosts));
  const failed = new Set(result.failedHosts);
  const degraded = new Set(result.degradedHosts);
  const excluded = new Set(ctx.service.excludeHosts);
  const noList = !result.ok && failed.size === 0 && out.size === 0;
  const summary = (h: string, what: string) => (result.summary.trim() ? result.summary : `${h} ${what}`);
  for (const h of failed) {
    if (!out.has(h)) out.set(h, { ok: false, summary: summary(h, 'failed'), detail: result.detail });
  }
  for (const h of degraded) {
    if (!out.has(h)) out.set(h, { ok: true, degraded: true, summary: summary(h, 'degraded') });
  }
  if (Object.keys(result.hosts).length === 0) {
    for (const h of ctx.groupHosts) {
      if (out.has(h) || excluded.has(h)) continue;
      // "ok: false and no list": mon's rule that every host counts as failed.
      out.set(h, noList ? { ok: false, summary: summary(h, 'failed'), detail: result.detail } : { ok: true, summary: '' });
    }
  }
  return inGroupOrder(out, ctx.groupHosts);
}

/** Group order first, then hosts outside the group, so events come out in a stable order. */
function inGroupOrder(m: Map<string, HostCheckResult>, group: string[]): Map<string, HostCheckResult> {
  const out = new Map<string, HostCheckResult>();
  for (const h of group) if (m.has(h)) out.set(h, m.get(h)!);
  for (const [h, r] of m) if (!out.has(h)) out.set(h, r);
  return out;
}

const EVENT_OF: Record<HostState, EventType | undefined> = {
  up: 'host-up',
  down: 'host-down',
  degraded: 'host-degraded',
  unknown: undefined,
};

/** Update host memories from one run; returns one event per host whose state changed. */
export function applyHosts(state: ServiceState, result: RunResult, ctx: StateContext): AlertEvent[] {
  const events: AlertEvent[] = [];
  for (const [host, r] of hostResults(result, ctx)) {
    const mem = (state.hosts[host] ??= freshHost());
    const next = hostStateOf(r);
    if (next === 'down') {
      mem.consecutiveFailures += 1;
      mem.consecutiveSuccesses = 0;
    } else {
      mem.consecutiveSuccesses += 1;
      mem.consecutiveFailures = 0;
    }
    mem.lastCheck = result.at;
    mem.last = r;
    if (next === mem.state) continue;
    // An up event closes the incident the host's failure opened; others open a new one.
    const since = next === 'up' && mem.state !== 'unknown' && mem.since !== undefined ? mem.since : ctx.now;
    mem.state = next;
    mem.since = ctx.now;
    const type = EVENT_OF[next]!;
    events.push(
      makeEvent(state, ctx, type, {
        host,
        result: r,
        summary: r.summary,
        detail: r.detail ?? '',
        output: r.detail ? `${r.summary}\n${r.detail}\n` : `${r.summary}\n`,
        since,
        count: next === 'down' ? mem.consecutiveFailures : mem.consecutiveSuccesses,
        failedHosts: result.failedHosts,
        source: result.source,
        ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      }),
    );
  }
  return events;
}
