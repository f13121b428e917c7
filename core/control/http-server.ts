/**
 * @fileoverview The control plane's HTTP server (node:http): JSON API, the
 * status page, server-sent events, /metrics, /healthz and /readyz. Binds to
 * loopback unless `control.listen` says otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../types.ts';
import type { ControlConfig } from '../model.ts';
import type { Engine } from '../engine/engine.ts';
import { authorize, isLoopback, resolveToken, tokenSource } from './auth.ts';
import { ROUTES, HttpError, errorReply, matchRoute, type Reply } from './routes.ts';
import { createMetrics, type ControlMetrics } from './metrics.ts';
import { createSseHub, type SseHub } from './sse.ts';
import { createHealth, type Health } from './health.ts';
import { loadPage, PAGE_HEADERS } from './static-page.ts';
import { parseListen, urlFor } from './listen-address.ts';

export interface ControlServerOptions {
  engine: Engine;
  log: Logger;
  control: ControlConfig;
  env?: NodeJS.ProcessEnv;
}

export interface ControlServer {
  /** Base URL, e.g. http://127.0.0.1:2580/ */
  url: string;
  host: string;
  port: number;
  metrics: ControlMetrics;
  health: Health;
  sse: SseHub;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const { engine, log } = opts;
  const { host, port } = parseListen(opts.control.listen);
  const token = resolveToken(opts.control, opts.env);
  const source = tokenSource(opts.control);
  const metrics = createMetrics(engine);
  const health = createHealth(() => engine.status());
  const sse = createSseHub(engine);
  const page = loadPage();

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://vigil');
    } catch {
      // e.g. "GET //# HTTP/1.1": outside the try below this threw and killed the daemon.
      return sendJson(res, 400, { error: 'the request path is not a valid URL path' });
    }
    const peer = req.socket.remoteAddress;
    const send = (r: Reply) => sendJson(res, r.status, r.json);
    try {
      const file = method === 'GET' || method === 'HEAD' ? page.get(url.pathname) : undefined;
      if (file) {
        res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache', ...PAGE_HEADERS });
        return void res.end(method === 'HEAD' ? undefined : file.body);
      }
      if (url.pathname === '/healthz' || url.pathname === '/readyz') {
        const r = url.pathname === '/healthz' ? health.healthz() : health.readyz();
        return sendJson(res, r.ok ? 200 : 503, r);
      }
      const needsRead = url.pathname === '/metrics' || url.pathname === '/api/events' || url.pathname === '/api/events/recent';
      if (needsRead && method === 'GET') {
        const auth = authorize({ mutating: false, peer, header: req.headers.authorization, token, source, host: req.headers.host });
        if (!auth.ok) return sendJson(res, auth.status, { error: auth.error });
        if (url.pathname === '/metrics') {
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
          return void res.end(await metrics.text());
        }
        if (url.pathname === '/api/events/recent') return sendJson(res, 200, sse.recent());
        return sse.handle(req, res);
      }
      const m = matchRoute(ROUTES, method, url.pathname);
      if (!m.route) {
        if (m.methods.length) {
          res.setHeader('allow', m.methods.join(', '));
          return sendJson(res, 405, { error: `${method} is not allowed on ${url.pathname}; use ${m.methods.join(' or ')}` });
        }
        return sendJson(res, 404, { error: `no such endpoint: ${method} ${url.pathname} (see docs/api.md for the list)` });
      }
      const route = m.route;
      const auth = authorize({ mutating: route.mutating, peer, header: req.headers.authorization, token, source, host: req.headers.host });
      if (!auth.ok) {
        if (route.mutating) log.warn({ action: route.action, peer, status: auth.status }, 'control: refused a change without a valid token');
        return sendJson(res, auth.status, { error: auth.error });
      }
      const body = route.mutating ? await readJsonBody(req) : {};
      if (route.mutating) log.info({ action: route.action, ...m.params, peer }, 'control: operator action');
      send(await route.handle({ runtime: engine, params: m.params, query: url.searchParams, body, now: () => Date.now() }));
    } catch (err) {
      const r = errorReply(err);
      if (r.internal) log.error({ path: url.pathname, method, err }, 'control: request failed inside vigil');
      if (!res.headersSent) send(r);
      else res.end();
    }
  };

  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err) => {
      log.error({ err }, 'control: request failed inside vigil');
      res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'something else already listens there (another vigil?)' : err.code === 'EADDRNOTAVAIL' ? 'this machine has no such address' : err.message;
      reject(new Error(`control API cannot listen on ${opts.control.listen}: ${why}; change control.listen in the config`, { cause: err }));
    });
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = urlFor(addr.address, addr.port);
  if (!isLoopback(addr.address)) log.warn({ listen: opts.control.listen }, 'control API listens beyond loopback: reads and metrics need the token from other machines');
  if (!token) log.warn({ token: source }, 'control API has no token: it shows status but refuses every change');
  log.info({ url }, 'control API and status page listening');

  return {
    url,
    host: addr.address,
    port: addr.port,
    metrics,
    health,
    sse,
    async close() {
      sse.close();
      health.close();
      metrics.close();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (server.closeAllConnections(), resolve()), 2000);
        server.close(() => (clearTimeout(t), resolve()));
      });
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body) + '\n');
}

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new HttpError(413, `the request body is over ${MAX_BODY / 1024} KiB`);
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the request body is not JSON; send e.g. {"comment": "rebooting web3"} with content-type application/json');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'the request body must be a JSON object');
  return v as Record<string, unknown>;
}
