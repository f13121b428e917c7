/**
 * @fileoverview The control API's routes: a table of method + path pattern +
 * handler over the Runtime interface, and the mapping of errors to HTTP codes.
 * Handlers are plain functions of (params, query, body) so they test without a socket.
 */
import type { HistoryRecord, OutboxEntry, Runtime, ServiceStatusView } from '../runtime.ts';
import { RuntimeError } from '../runtime.ts';
import { ConfigError, VigilError, formatProblem } from '../errors.ts';
import { parseDuration } from '../duration.ts';

export interface RouteContext {
  runtime: Runtime;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  now: () => number;
}

export interface Reply {
  status: number;
  json: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Changes state: needs the token. */
  mutating: boolean;
  /** What the audit log calls it. */
  action?: string;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}

/** A client mistake with a message for the operator. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ok = (json: unknown): Reply => ({ status: 200, json });

function serviceView(rt: Runtime, watch: string, service: string): ServiceStatusView | undefined {
  return rt
    .status()
    .watches.find((w) => w.watch === watch)
    ?.services.find((s) => s.service === service);
}

function requireService(rt: Runtime, watch: string, service: string): ServiceStatusView {
  const snap = rt.status();
  const w = snap.watches.find((x) => x.watch === watch);
  if (!w) throw new RuntimeError('unknown-watch', `there is no watch "${watch}"`);
  const s = w.services.find((x) => x.service === service);
  if (!s) throw new RuntimeError('unknown-service', `watch "${watch}" has no service "${service}"`);
  return s;
}

/** `since`/`until`: milliseconds since 1970, an ISO date, or a duration meaning "that long ago" (`1h`). */
export function parseTime(name: string, text: string | null, now: number): number | undefined {
  if (text === null || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new HttpError(400, `${name}="${text}" is not a time: use milliseconds since 1970, an ISO date (2026-01-31T08:00:00Z) or a duration ago (30m, 2h, 1d)`);
  return t;
}

export function parseLimit(text: string | null, max = 10_000): number | undefined {
  if (text === null || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, `limit="${text}" must be a whole number from 1 to ${max}`);
  return n;
}

const KINDS: HistoryRecord['kind'][] = ['alert', 'failure', 'event'];
const STATES: OutboxEntry['state'][] = ['pending', 'delivered', 'given-up'];

function historyQuery(ctx: RouteContext, watch?: string, service?: string) {
  const kind = ctx.query.get('kind') ?? undefined;
  if (kind && !KINDS.includes(kind as HistoryRecord['kind'])) throw new HttpError(400, `kind="${kind}" is not one of ${KINDS.join(', ')}`);
  return {
    watch: watch ?? (ctx.query.get('watch') || undefined),
    service: service ?? (ctx.query.get('service') || undefined),
    since: parseTime('since', ctx.query.get('since'), ctx.now()),
    until: parseTime('until', ctx.query.get('until'), ctx.now()),
    limit: parseLimit(ctx.query.get('limit')),
    kind: kind as HistoryRecord['kind'] | undefined,
  };
}

function serviceAction(action: string, fn: (rt: Runtime, w: string, s: string, body: Record<string, unknown>) => void | Promise<void>): Route {
  return {
    method: 'POST',
    path: `/api/services/:watch/:service/${action}`,
    mutating: true,
    action: `service ${action}`,
    async handle(ctx) {
      const { watch, service } = ctx.params as { watch: string; service: string };
      await fn(ctx.runtime, watch, service, ctx.body);
      return ok({ ok: true, service: serviceView(ctx.runtime, watch, service) });
    },
  };
}

export const ROUTES: Route[] = [
  { method: 'GET', path: '/api/status', mutating: false, handle: (ctx) => ok(ctx.runtime.status()) },
  {
    method: 'GET',
    path: '/api/services/:watch/:service',
    mutating: false,
    handle: (ctx) => ok(requireService(ctx.runtime, ctx.params.watch!, ctx.params.service!)),
  },
  {
    method: 'GET',
    path: '/api/services/:watch/:service/history',
    mutating: false,
    handle(ctx) {
      const { watch, service } = ctx.params as { watch: string; service: string };
      requireService(ctx.runtime, watch, service);
      return ok(ctx.runtime.history(historyQuery(ctx, watch, service)));
    },
  },
  { method: 'GET', path: '/api/history', mutating: false, handle: (ctx) => ok(ctx.runtime.history(historyQuery(ctx))) },
  {
    method: 'GET',
    path: '/api/outbox',
    mutating: false,
    handle(ctx) {
      const state = ctx.query.get('state') || undefined;
      if (state && !STATES.includes(state as OutboxEntry['state'])) throw new HttpError(400, `state="${state}" is not one of ${STATES.join(', ')}`);
      return ok(ctx.runtime.outbox({ state: state as OutboxEntry['state'] | undefined, limit: parseLimit(ctx.query.get('limit')) }));
    },
  },
  hostAction('disable', (rt, h) => rt.disableHost(h)),
  hostAction('enable', (rt, h) => rt.enableHost(h)),
  drainRoute('drain'),
  drainRoute('undrain'),
  serviceAction('disable', (rt, w, s) => rt.disableService(w, s)),
  serviceAction('enable', (rt, w, s) => rt.enableService(w, s)),
  serviceAction('ack', (rt, w, s, body) => {
    const comment = body.comment;
    if (typeof comment !== 'string' || comment.trim() === '') throw new HttpError(400, 'an ack needs a comment: send {"comment": "what you are doing about it"}');
    const user = typeof body.user === 'string' && body.user ? body.user : 'api';
    rt.ack(w, s, comment, user);
  }),
  serviceAction('test', (rt, w, s) => rt.testNow(w, s)),
  watchAction('disable', (rt, w) => rt.disableWatch(w)),
  watchAction('enable', (rt, w) => rt.enableWatch(w)),
  {
    method: 'POST',
    path: '/api/reload',
    mutating: true,
    action: 'reload',
    async handle(ctx) {
      await ctx.runtime.reload();
      return ok({ ok: true, message: 'config reloaded' });
    },
  },
];

function hostAction(action: 'disable' | 'enable', fn: (rt: Runtime, host: string) => void): Route {
  return {
    method: 'POST',
    path: `/api/hosts/:host/${action}`,
    mutating: true,
    action: `host ${action}`,
    handle(ctx) {
      fn(ctx.runtime, ctx.params.host!);
      return ok({ ok: true, host: ctx.params.host, disabled: ctx.runtime.status().disabledHosts.includes(ctx.params.host!) });
    },
  };
}

export const DEFAULT_DRAIN_TIMEOUT = '5m';
const MAX_DRAIN_MS = 7 * 86_400_000;

/** `{ "timeout": "5m" }` (a duration; default 5m) → ms. */
export function drainTimeout(body: Record<string, unknown>): number {
  const text = body.timeout ?? DEFAULT_DRAIN_TIMEOUT;
  const ms = typeof text === 'string' ? parseDuration(text) : undefined;
  if (ms === undefined || ms < 0 || ms > MAX_DRAIN_MS) throw new HttpError(400, `timeout=${JSON.stringify(text)} is not a drain timeout: give a duration up to 7d, e.g. {"timeout": "5m"} (30s, 10m, 2h)`);
  return ms;
}

/** `POST /api/hosts/:host/drain|undrain`: the lvs alerts that manage the host take it out gently / let health decide again. */
function drainRoute(action: 'drain' | 'undrain'): Route {
  return {
    method: 'POST',
    path: `/api/hosts/:host/${action}`,
    mutating: true,
    action: `host ${action}`,
    async handle(ctx) {
      const host = ctx.params.host!;
      const rt = ctx.runtime;
      if (!rt.drainHost || !rt.undrainHost) throw new HttpError(501, 'this vigil cannot drain hosts');
      if (action === 'drain') {
        const timeoutMs = drainTimeout(ctx.body);
        await rt.drainHost(host, timeoutMs);
        return ok({ ok: true, host, draining: true, timeoutMs });
      }
      await rt.undrainHost(host);
      return ok({ ok: true, host, draining: false });
    },
  };
}

function watchAction(action: 'disable' | 'enable', fn: (rt: Runtime, watch: string) => void): Route {
  return {
    method: 'POST',
    path: `/api/watches/:watch/${action}`,
    mutating: true,
    action: `watch ${action}`,
    handle(ctx) {
      fn(ctx.runtime, ctx.params.watch!);
      return ok({ ok: true, watch: ctx.params.watch, disabled: ctx.runtime.status().watches.find((w) => w.watch === ctx.params.watch)?.disabled });
    },
  };
}

/** Finds the route for a path; `methods` lists what the path allows when only the method is wrong. */
export function matchRoute(routes: Route[], method: string, pathname: string): { route?: Route; params: Record<string, string>; methods: string[] } {
  const parts = pathname.split('/');
  const methods: string[] = [];
  for (const r of routes) {
    const pat = r.path.split('/');
    if (pat.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let hit = true;
    for (let i = 0; i < pat.length && hit; i++) {
      if (pat[i]!.startsWith(':')) {
        let v: string;
        try {
          v = decodeURIComponent(parts[i]!);
        } catch {
          hit = false;
          break;
        }
        if (v === '') hit = false;
        params[pat[i]!.slice(1)] = v;
      } else if (pat[i] !== parts[i]) hit = false;
    }
    if (!hit) continue;
    if (r.method === method) return { route: r, params, methods };
    methods.push(r.method);
  }
  return { params: {}, methods };
}

/** The HTTP status and message for an error a handler threw. */
export function errorReply(err: unknown): Reply & { internal?: boolean } {
  if (err instanceof HttpError) return { status: err.status, json: { error: err.message } };
  if (err instanceof RuntimeError) {
    const status = err.code === 'not-failing' || err.code === 'busy' ? 409 : err.code === 'config' ? 400 : 404;
    return { status, json: { error: err.message, code: err.code } };
  }
  if (err instanceof ConfigError) {
    return { status: 400, json: { error: 'the config file has problems; vigil keeps running the previous config', problems: err.problems.map(formatProblem) } };
  }
  if (err instanceof VigilError) return { status: 400, json: { error: err.message, code: err.code } };
  return { status: 500, json: { error: "vigil failed while handling this request; see vigil's log for the cause" }, internal: true };
}
