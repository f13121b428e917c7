/**
 * How the http monitor ends a probe connection without keepAlive: with a reset
 * from vigil's side (as HAProxy's checks do), so neither vigil nor the server
 * keeps a TIME_WAIT per check. A plain close (`Connection: close`, server FIN
 * first) would fail these tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import monitor from '../../monitors/http.ts';
import { silentLogger } from '../../core/log.ts';
import type { HostChecker, PluginContext } from '../../core/types.ts';
import { tlsFixture, TLS_DIR } from '../helpers/servers.ts';

const ctx: PluginContext = { log: silentLogger, now: () => Date.now(), configDir: TLS_DIR, stateDir: os.tmpdir() };
const within = (ms: number) => AbortSignal.timeout(ms);

/** A server that notes how each connection ended: 'ECONNRESET' (reset), 'FIN' (peer closed in order) or 'closed'. */
async function endingServer(tls: boolean) {
  const ends: string[] = [];
  const handler: http.RequestListener = (_q, res) => res.end('all ok here');
  const server = tls ? https.createServer({ ...tlsFixture() }, handler) : http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on(tls ? 'secureConnection' : 'connection', (s: net.Socket) => {
    sockets.add(s);
    let how = 'closed';
    s.on('error', (e: NodeJS.ErrnoException) => (how = e.code ?? 'error'));
    s.on('end', () => (how = how === 'closed' ? 'FIN' : how));
    s.once('close', () => {
      sockets.delete(s);
      ends.push(how);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    ends,
    /** Waits (at most 2 s) until `n` connections have ended. */
    async ended(n: number): Promise<string[]> {
      for (let i = 0; i < 200 && ends.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return ends;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function timeWaits(port: number): string[] {
  // iproute2's ss (Debian path): any TIME_WAIT to or from the server's port shows here.
  const out = execFileSync('/usr/bin/ss', ['-tan', 'state', 'time-wait', `( sport = :${port} or dport = :${port} )`], { encoding: 'utf8' });
  return out.trim().split('\n').slice(1);
}

for (const tls of [false, true]) {
  test(`${tls ? 'https' : 'http'}: each check's connection ends with a reset from vigil, not a FIN`, async (t) => {
    const srv = await endingServer(tls);
    t.after(() => srv.close());
    const c = (await monitor.create({ port: srv.port, scheme: tls ? 'https' : 'http', tlsVerify: false, body: 'ok' }, ctx)) as HostChecker;
    t.after(() => c.close?.());
    for (let i = 0; i < 5; i++) {
      const r = await c.check('127.0.0.1', within(2000));
      assert.equal(r.ok, true, r.summary);
    }
    assert.deepEqual(await srv.ended(5), Array(5).fill('ECONNRESET'));
  });
}

test('200 checks leave no TIME_WAIT on either side', async (t) => {
  const srv = await endingServer(false);
  t.after(() => srv.close());
  const c = (await monitor.create({ port: srv.port }, ctx)) as HostChecker;
  t.after(() => c.close?.());
  for (let i = 0; i < 200; i++) assert.equal((await c.check('127.0.0.1', within(2000))).ok, true);
  assert.equal((await srv.ended(200)).length, 200);
  assert.deepEqual(timeWaits(srv.port), []);
});

test('keepAlive: true keeps its one pooled connection open between checks', async (t) => {
  const srv = await endingServer(false);
  t.after(() => srv.close());
  const c = (await monitor.create({ port: srv.port, keepAlive: true }, ctx)) as HostChecker;
  for (let i = 0; i < 3; i++) assert.equal((await c.check('127.0.0.1', within(2000))).ok, true);
  assert.deepEqual(srv.ends, []);
  await c.close?.();
  assert.equal((await srv.ended(1)).length, 1);
});

test('a check that times out while connecting leaves no pending connect behind (a dead host must not hold a socket for minutes)', async (t) => {
  // A listener that never accepts, its backlog filled: further SYNs are dropped, so a
  // connect stays pending until the kernel gives up (minutes), as with a dead host.
  const { spawn } = await import('node:child_process');
  const netMod = await import('node:net');
  const py = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => py.kill());
  const port = Number(await new Promise<string>((r) => py.stdout.once('data', (d) => r(String(d).trim()))));
  const fillers: net.Socket[] = [];
  t.after(() => fillers.forEach((s) => s.destroy()));
  for (let i = 0; i < 4; i++) fillers.push(netMod.connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((r) => setTimeout(r, 200));
  const { subscribe, unsubscribe } = await import('node:diagnostics_channel');
  const seen: net.Socket[] = [];
  const onSocket = (m: unknown) => seen.push((m as { socket: net.Socket }).socket);
  subscribe('net.client.socket', onSocket);
  t.after(() => unsubscribe('net.client.socket', onSocket));
  const c = (await monitor.create({ port }, { ...ctx })) as HostChecker;
  t.after(() => c.close?.());
  const r = await c.check('127.0.0.1', within(300));
  assert.equal(r.ok, false);
  assert.match(r.summary, /timed out/);
  const mine = seen.filter((s) => !fillers.includes(s));
  assert.equal(mine.length, 1);
  assert.equal(mine[0]!.connecting || !mine[0]!.destroyed, false, 'the pending connect was destroyed, not left to the kernel');
});

test('without keepAlive, plain http goes through node:http (no undici Client) and https through undici', async (t) => {
  // undici reports each connection's end on its Client as 'disconnect'.
  const { Client } = await import('undici');
  const proto = Client.prototype as unknown as { emit(name: string, ...args: unknown[]): boolean };
  const emit = proto.emit;
  let disconnects = 0;
  proto.emit = function (this: unknown, name: string, ...args: unknown[]) {
    if (name === 'disconnect') disconnects++;
    return emit.call(this, name, ...args);
  };
  t.after(() => (proto.emit = emit));
  for (const tls of [false, true]) {
    const srv = await endingServer(tls);
    t.after(() => srv.close());
    const c = (await monitor.create({ port: srv.port, scheme: tls ? 'https' : 'http', tlsVerify: false }, ctx)) as HostChecker;
    t.after(() => c.close?.());
    disconnects = 0;
    for (let i = 0; i < 5; i++) assert.equal((await c.check('127.0.0.1', within(2000))).ok, true);
    assert.deepEqual(await srv.ended(5), Array(5).fill('ECONNRESET'));
    for (let i = 0; i < 50 && tls && disconnects < 5; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(disconnects, tls ? 5 : 0, tls ? 'https: one undici connection per check' : 'plain http: no undici Client');
  }
});
