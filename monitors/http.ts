/**
 * @fileoverview The `http` monitor: one request per host (node:http for plain http
 * on a connection of the check's own, undici for https and keepAlive), judged on
 * status, body regex, JSON paths, MD5 digest, certificate expiry and latency.
 * A fresh connection per check by default, as a health probe should.
 */
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, buildConnector, Client, type Dispatcher } from 'undici';
import { problemsOf } from '../core/kit/option-problems.ts';
import { defineMonitor, type HostCheckResult, type PluginContext } from '../core/types.ts';
import { parseRegex } from './tcp/dialog.ts';
import { describeNetError, isTimeoutReason } from './tcp/net-errors.ts';
import { judgeBody, needsBody, type BodyRules } from './http/body.ts';
import { exchange, type Answer, type BodyUse } from './http/exchange.ts';
import { BODY_CUT_SHORT, plainExchange } from './http/plain-exchange.ts';
import { connectSocket } from '../core/kit/connect-socket.ts';
import { capturingConnector, holdingConnector, type CertExpiries } from './http/connector.ts';
import { compileAssertion } from './http/json-path.ts';
import { httpOptionsSchema, type HttpOptions } from './http/options.ts';
import { fromUrl, targetFor, type HttpTarget } from './http/target.ts';

export type { HttpOptions } from './http/options.ts';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DAY_MS = 86_400_000;

interface Plan {
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  /** Headers for a redirect to another origin: no Host override there. */
  foreignHeaders: Record<string, string>;
  status: Set<number>;
  expected: string;
  rules: BodyRules;
  readBody: boolean;
  maxRedirects: number;
  keepAlive: boolean;
  certExpiryDays?: number;
  latencyWarnMs?: number;
}

export function planFor(o: HttpOptions): Plan {
  if (o.url !== undefined && (o.port !== undefined || o.scheme !== undefined || o.path !== undefined)) {
    throw new Error('http: give either url (with {host}) or scheme/port/path, not both');
  }
  const method = (o.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod;
  const foreignHeaders: Record<string, string> = { 'user-agent': 'vigil-http-monitor' };
  for (const [k, v] of Object.entries(o.headers ?? {})) foreignHeaders[k.toLowerCase()] = v;
  const headers = { ...foreignHeaders };
  if (o.hostHeader !== undefined) headers.host = o.hostHeader;
  const status = o.status ?? [200];
  const rules: BodyRules = { maxBodyBytes: o.maxBodyBytes ?? 65536 };
  if (o.body !== undefined) rules.body = parseRegex(o.body, 'body');
  if (o.bodyNot !== undefined) rules.bodyNot = parseRegex(o.bodyNot, 'bodyNot');
  if (o.jsonPath?.length) rules.json = o.jsonPath.map((a) => compileAssertion(a, parseRegex));
  if (o.md5 !== undefined) rules.md5 = o.md5.toLowerCase();
  if (method === 'HEAD' && needsBody(rules)) {
    throw new Error('http: method HEAD gets no body, so body/bodyNot/jsonPath/md5 cannot be checked; use GET');
  }
  const f = o.followRedirects ?? false;
  return {
    method,
    headers,
    foreignHeaders,
    status: new Set(status),
    expected: status.join(' or '),
    rules,
    readBody: needsBody(rules),
    maxRedirects: f === true ? 5 : f === false ? 0 : f,
    keepAlive: o.keepAlive ?? false,
    certExpiryDays: o.certExpiryDays,
    latencyWarnMs: o.latencyWarnMs,
  };
}

/**
 * How a check reaches the server: with keepAlive, a pooled Agent; without, a
 * keep-alive request on a connection of the check's own, ended by a reset (plain
 * http through node:http, `http/plain-exchange.ts`; https through undici).
 * (`reset: true` would make the server close first and keep a TIME_WAIT per
 * check, and undici would build an error object to close each socket.)
 */
interface Transport {
  agent: Agent;
  connect: buildConnector.connector;
}

function transportFor(o: HttpOptions, ctx: PluginContext, expiries: CertExpiries | undefined): Transport {
  const file = (p: string | undefined) => (p === undefined ? undefined : fs.readFileSync(path.resolve(ctx.configDir, p)));
  const tls = { rejectUnauthorized: o.tlsVerify ?? true, cert: file(o.cert), key: file(o.key), ca: file(o.ca) };
  const connect = expiries ? capturingConnector(tls, expiries) : buildConnector(tls);
  const agent = new Agent({
    connect,
    // Checks of one host never overlap: one connection per origin is the whole pool.
    connections: 1,
    keepAliveTimeout: 4000,
  });
  return { agent, connect };
}

export default defineMonitor<HttpOptions>({
  kind: 'monitor',
  name: 'http',
  apiVersion: 1,
  description: 'HTTP(S) request per host: status, body regex, JSON paths, MD5 digest, certificate expiry, latency',
  optionsSchema: httpOptionsSchema,
  checkOptions: (options) => problemsOf(() => (planFor(options), targetFor('example.invalid', options))),
  create(options, ctx) {
    const plan = planFor(options);
    const expiries: CertExpiries | undefined = plan.certExpiryDays !== undefined ? new Map() : undefined;
    const transport = transportFor(options, ctx, expiries);
    targetFor('example.invalid', options); // a bad url template fails at load, not at the first check
    if (options.url !== undefined && !options.url.includes('{host}')) {
      ctx.log.warn({ url: options.url }, 'http url has no {host}: every host of the group is checked at this same URL');
    }
    return {
      // The URL is built at each check, not kept per host: parsing it costs
      // under a microsecond, keeping it about 200 bytes a host for good.
      check(host, signal) {
        return checkOnce(transport, plan, targetFor(host, options), signal, ctx, expiries);
      },
      async close() {
        await transport.agent.close();
      },
    };
  },
});

async function checkOnce(
  transport: Transport, plan: Plan, first: HttpTarget, signal: AbortSignal, ctx: PluginContext, expiries?: CertExpiries,
): Promise<HostCheckResult> {
  // Without keepAlive: the TCP sockets this check opened, reset in `finally`.
  const sockets: net.Socket[] | undefined = plan.keepAlive ? undefined : [];
  const connect = sockets && holdingConnector(transport.connect, sockets);
  const t0 = performance.now();
  let t = first;
  let method = plan.method;
  let stage = 'waiting for the response';
  let chunked = false;
  // What the answer's head says to do with its body; redirects are followed here.
  let location: string | undefined;
  const use = (code: number, headers: Answer['headers']): BodyUse => {
    stage = 'reading the body';
    chunked = headers['content-length'] === undefined;
    location = typeof headers.location === 'string' ? headers.location : undefined;
    if (plan.maxRedirects > 0 && REDIRECTS.has(code) && location !== undefined) return 'dump';
    if (!plan.status.has(code)) return 'dump';
    return plan.readBody ? 'read' : 'discard';
  };
  const reading = { use, max: plan.rules.maxBodyBytes, md5: !!plan.rules.md5, pooled: !sockets };
  try {
    for (let hops = 0; ; hops++) {
      const headers = t.origin === first.origin ? plan.headers : plan.foreignHeaders;
      let res: Answer;
      if (sockets && t.origin.startsWith('http:')) {
        const raw = connectSocket({ host: t.hostname, port: t.port, noDelay: true });
        sockets.push(raw);
        res = await plainExchange(raw, { method, path: t.path, headers: plainHeaders(t, headers) }, signal, reading);
      } else {
        const via: Dispatcher = connect ? new Client(t.origin, { connect }) : transport.agent;
        res = await exchange(via, { origin: t.origin, path: t.path, method, headers }, signal, reading);
      }
      const code = res.code;
      if (plan.maxRedirects > 0 && REDIRECTS.has(code) && location !== undefined) {
        if (hops >= plan.maxRedirects) return fail(first, `too many redirects (more than ${plan.maxRedirects}), last to ${location}`);
        const next = new URL(location, t.url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') return fail(t, `redirect to ${next.href}, which is not HTTP`);
        if (code === 303 || ((code === 301 || code === 302) && method === 'POST')) method = 'GET';
        t = fromUrl(next);
        stage = 'waiting for the response';
        continue;
      }
      const latencyMs = Math.round((performance.now() - t0) * 1000) / 1000;
      if (!plan.status.has(code)) {
        const loc = REDIRECTS.has(code) && location ? `, Location: ${location}` : '';
        return { ok: false, summary: `HTTP ${code} from ${t.url} (expected ${plan.expected}${loc})`, latencyMs };
      }
      if (res.body) {
        const why = judgeBody(plan.rules, res.body);
        if (why) return { ok: false, summary: `${t.url}: ${why}`, latencyMs };
      }
      return judged(plan, t, code, latencyMs, ctx, expiries);
    }
  } catch (err) {
    if (signal.aborted) {
      if (isTimeoutReason(signal.reason)) return fail(t, `timed out ${stage}`);
      throw signal.reason;
    }
    return fail(t, stage === 'reading the body' ? describeBodyError(err, chunked) : describeNetError(err));
  } finally {
    // A Client whose socket is gone holds nothing else: no close() needed. A socket
    // still connecting cannot be reset (node would wait for the connect): destroy it.
    // A reset: no TIME_WAIT on either side (the server's close would leave one there).
    if (sockets) for (const s of sockets) if (s.connecting) s.destroy(); else if (!s.destroyed) s.resetAndDestroy();
  }
}

/**
 * A server's close mid-body, reported by node:http as BODY_CUT_SHORT and by undici
 * (on a keep-alive connection) as a bare socket error (UND_ERR_SOCKET, no cause),
 * not as a length mismatch: say what it is.
 */
function describeBodyError(err: unknown, chunked: boolean): string {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  if (e?.code !== BODY_CUT_SHORT && (e?.code !== 'UND_ERR_SOCKET' || e.cause?.code)) return describeNetError(err);
  return chunked
    ? 'body cut short: the server closed before the last chunk'
    : 'body cut short: the server closed before sending its Content-Length';
}

/**
 * The request's headers for node:http, which adds no Host of its own here: the one
 * undici would send (`host[:port]`) unless the options give one, and keep-alive.
 * Keys are added one by one to a literal, not spread (a spread copy with keys added
 * after it gets hidden classes of its own in node 20: connect-socket.ts).
 */
function plainHeaders(t: HttpTarget, headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { host: t.hostPort, connection: 'keep-alive' };
  for (const k in headers) out[k] = headers[k]!;
  return out;
}

function fail(t: HttpTarget, why: string): HostCheckResult {
  return { ok: false, summary: `${t.url}: ${why}` };
}

/** Status and body passed: certificate expiry and latency decide the rest. */
function judged(plan: Plan, t: HttpTarget, code: number, latencyMs: number, ctx: PluginContext, expiries?: CertExpiries): HostCheckResult {
  let metrics: Record<string, number> | undefined;
  if (plan.certExpiryDays !== undefined && t.origin.startsWith('https:')) {
    const validTo = expiries!.get(t.hostPort);
    if (validTo === undefined) throw new Error(`http: no TLS certificate was seen for ${t.hostPort}; cannot check certExpiryDays`);
    const days = (validTo - ctx.now()) / DAY_MS;
    metrics = { certDaysLeft: Math.floor(days) };
    if (days < plan.certExpiryDays) {
      const when = days < 0 ? `expired ${Math.ceil(-days)} days ago` : `expires in ${Math.floor(days)} days`;
      return {
        ok: false,
        summary: `TLS certificate of ${t.hostPort} ${when} (${new Date(validTo).toISOString().slice(0, 10)}), under the ${plan.certExpiryDays}-day limit`,
        latencyMs,
        metrics,
      };
    }
  }
  const degraded = plan.latencyWarnMs !== undefined && latencyMs > plan.latencyWarnMs;
  const summary = `HTTP ${code} from ${t.url} in ${latencyMs} ms${degraded ? ` (over ${plan.latencyWarnMs} ms)` : ''}`;
  const r: HostCheckResult = { ok: true, summary, latencyMs };
  if (degraded) r.degraded = true;
  if (metrics) r.metrics = metrics;
  return r;
}
