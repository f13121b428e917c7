/**
 * @fileoverview Real loopback servers for tests: plain/TLS TCP and HTTP, silent,
 * resetting, refusing, and line-scripted protocol servers. Every server listens on
 * port 0 and `close()` destroys its open connections, so a test never hangs on it.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

export const TLS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/tls');

/** Self-signed cert for localhost / 127.0.0.1 / ::1 (valid until 2126) and a client cert. */
export function tlsFixture() {
  const read = (f: string) => fs.readFileSync(path.join(TLS_DIR, f));
  return {
    dir: TLS_DIR,
    cert: read('server-cert.pem'),
    key: read('server-key.pem'),
    clientCert: read('client-cert.pem'),
    clientKey: read('client-key.pem'),
  };
}

export interface TestServer {
  host: string;
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

type ServerLike = net.Server;

async function start(server: ServerLike, host: string): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', () => accepted++);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host,
    port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        (server as Partial<http.Server>).closeAllConnections?.();
      }),
  };
}

/** A TCP (or TLS) server that hands each connection to `onConnection`. */
export function tcpServer(
  onConnection: (socket: net.Socket) => void,
  opts: { host?: string; tls?: boolean } = {},
): Promise<TestServer> {
  const host = opts.host ?? '127.0.0.1';
  if (opts.tls) {
    const { cert, key } = tlsFixture();
    return start(tls.createServer({ cert, key }, onConnection), host);
  }
  return start(net.createServer(onConnection), host);
}

/** Accepts and never says a word: the "hung server" a timeout must handle. */
export function silentServer(opts: { host?: string } = {}): Promise<TestServer> {
  return tcpServer(() => {}, opts);
}

/** Accepts, then resets the connection at once (RST). */
export function resettingServer(opts: { host?: string; afterBytes?: string } = {}): Promise<TestServer> {
  return tcpServer((s) => {
    if (opts.afterBytes) s.write(opts.afterBytes);
    setImmediate(() => s.resetAndDestroy());
  }, opts);
}

/** A loopback port with nothing listening on it (connect gets ECONNREFUSED). */
export async function refusedPort(host = '127.0.0.1'): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, host, () => resolve()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * A line-oriented protocol server: sends `greeting` (exact bytes) on connect, then for
 * each received line (CR LF stripped) writes what `reply(line)` returns; `null` closes.
 * The lines it received are recorded in `lines`.
 */
export async function lineServer(
  greeting: string | Buffer,
  reply: (line: string) => string | Buffer | null | undefined = () => undefined,
  opts: { host?: string; tls?: boolean } = {},
): Promise<TestServer & { lines: string[] }> {
  const lines: string[] = [];
  const srv = await tcpServer((s) => {
    if (greeting.length) s.write(greeting);
    let buf = '';
    s.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        lines.push(line);
        const r = reply(line);
        if (r === null) return void s.end();
        if (r !== undefined) s.write(r);
      }
    });
  }, opts);
  return Object.assign(srv, { lines });
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** An HTTP(S) server; records every request it saw. `requestCert` asks TLS clients for a cert. */
export async function httpServer(
  handler: http.RequestListener,
  opts: { host?: string; tls?: boolean; clientCa?: Buffer } = {},
): Promise<TestServer & { seen: SeenRequest[]; origin: string; url(p?: string): string }> {
  const host = opts.host ?? '127.0.0.1';
  const seen: SeenRequest[] = [];
  const wrapped: http.RequestListener = (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  };
  let server: http.Server;
  if (opts.tls) {
    const { cert, key } = tlsFixture();
    const tlsOpts: https.ServerOptions = { cert, key };
    if (opts.clientCa) Object.assign(tlsOpts, { requestCert: true, rejectUnauthorized: true, ca: opts.clientCa });
    server = https.createServer(tlsOpts, wrapped);
  } else {
    server = http.createServer(wrapped);
  }
  const srv = await start(server, host);
  const origin = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${srv.port}`;
  return Object.assign(srv, { seen, origin, url: (p = '/') => origin + p });
}

/** Waits until something accepts connections on host:port (bounded: `tries` × 50 ms). */
export async function waitForPort(port: number, host = '127.0.0.1', tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${tries * 50} ms`);
}

/** A TCP listener that can be killed like a crashed server: every open connection dropped. */
export interface Listener {
  server: net.Server;
  sockets: Set<net.Socket>;
}

/** Listens on host:port (0 = any free port), accepting and holding connections. */
export function listen(host: string, port: number): Promise<Listener> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, sockets }));
  });
}

/** Stops the listener and drops its connections, as a dying server would. */
export function kill(l: Listener): Promise<void> {
  for (const s of l.sockets) s.destroy();
  return new Promise((r) => l.server.close(() => r()));
}
