/**
 * http monitor against real loopback HTTP(S) servers: status, body, TLS, cert
 * expiry, Host override, redirects, JSON paths, MD5, client certs, keep-alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { Ajv } from 'ajv';
import http, { planFor, type HttpOptions } from '../../monitors/http.ts';
import { silentLogger } from '../../core/log.ts';
import type { HostChecker, PluginContext } from '../../core/types.ts';
import { httpServer, refusedPort, resettingServer, silentServer, TLS_DIR } from '../helpers/servers.ts';

const ctx: PluginContext = { log: silentLogger, now: () => Date.now(), configDir: TLS_DIR, stateDir: os.tmpdir() };
const within = (ms: number) => AbortSignal.timeout(ms);

async function checker(o: HttpOptions, c: PluginContext = ctx): Promise<HostChecker> {
  return (await http.create(o, c)) as HostChecker;
}
/** Create, check 127.0.0.1 once, close. */
async function once(o: HttpOptions, host = '127.0.0.1', c: PluginContext = ctx) {
  const ch = await checker(o, c);
  try {
    return await ch.check(host, within(3000));
  } finally {
    await ch.close?.();
  }
}

const JSON_BODY = JSON.stringify({ status: 'ok', version: 3, items: [{ name: 'db', up: true }] });

async function app() {
  return httpServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    switch (u.pathname) {
      case '/':
        return void res.end('all ok here');
      case '/down':
        res.statusCode = 503;
        return void res.end('maintenance');
      case '/json':
        res.setHeader('content-type', 'application/json');
        return void res.end(JSON_BODY);
      case '/r1':
        res.writeHead(302, { location: '/r2' });
        return void res.end();
      case '/r2':
        res.writeHead(301, { location: '/' });
        return void res.end();
      case '/post':
        res.writeHead(303, { location: `/seen-${req.method}` });
        return void res.end();
      case '/big':
        return void res.end('x'.repeat(100_000) + 'MARKER');
      case '/slow':
        return void setTimeout(() => res.end('ok'), 60);
      default:
        if (u.pathname.startsWith('/seen-')) return void res.end(u.pathname);
        res.statusCode = 404;
        res.end('no such page');
    }
  });
}

test('200 is a success with latency', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const r = await once({ port: srv.port });
  assert.equal(r.ok, true, r.summary);
  assert.match(r.summary, new RegExp(`^HTTP 200 from http://127\\.0\\.0\\.1:${srv.port}/ in [\\d.]+ ms$`));
  assert.ok(r.latencyMs! >= 0 && r.latencyMs! < 2000);
  assert.equal(srv.seen[0]!.method, 'GET');
});

test('connection refused', async () => {
  const port = await refusedPort();
  assert.deepEqual(await once({ port }), { ok: false, summary: `http://127.0.0.1:${port}/: connection refused` });
});

test('a server that accepts and never answers: ends at the timeout', async (t) => {
  const srv = await silentServer();
  t.after(() => srv.close());
  const c = await checker({ port: srv.port });
  const t0 = performance.now();
  const r = await c.check('127.0.0.1', within(300));
  const ms = performance.now() - t0;
  await c.close?.();
  assert.deepEqual(r, { ok: false, summary: `http://127.0.0.1:${srv.port}/: timed out waiting for the response` });
  assert.ok(ms >= 290 && ms < 700, `took ${ms} ms`);
});

test('shutdown abort (not a timeout) throws', async (t) => {
  const srv = await silentServer();
  t.after(() => srv.close());
  const c = await checker({ port: srv.port });
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('shutting down')), 50);
  await assert.rejects(c.check('127.0.0.1', ac.signal), /shutting down/);
  await c.close?.();
});

test('a server that resets the connection', async (t) => {
  const srv = await resettingServer();
  t.after(() => srv.close());
  const r = await once({ port: srv.port });
  assert.equal(r.ok, false);
  assert.match(r.summary, /^http:\/\/127\.0\.0\.1:\d+\/: connection (reset|closed) by the server/);
});

test('a server that reads the request and closes without an answer', async (t) => {
  const net = await import('node:net');
  const srv = net.createServer((s) => s.once('data', () => s.end()));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  const port = (srv.address() as import('node:net').AddressInfo).port;
  assert.deepEqual(await once({ port }), { ok: false, summary: `http://127.0.0.1:${port}/: connection closed by the server before a full answer` });
});

test('a server that does not speak HTTP', async (t) => {
  const srv = await resettingServer({ afterBytes: 'SSH-2.0-OpenSSH\r\n' });
  t.after(() => srv.close());
  const r = await once({ port: srv.port });
  assert.equal(r.ok, false);
  assert.match(r.summary, /^http:\/\/127\.0\.0\.1:\d+\/: answer is not valid HTTP/);
});

test('https to a plain HTTP port says so', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const r = await once({ scheme: 'https', port: srv.port, tlsVerify: false });
  assert.equal(r.summary, `https://127.0.0.1:${srv.port}/: TLS handshake failed: the server does not speak TLS on this port (wrong version number)`);
});

test('wrong status, and a status list', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const r = await once({ port: srv.port, path: '/down' });
  assert.equal(r.ok, false);
  assert.equal(r.summary, `HTTP 503 from http://127.0.0.1:${srv.port}/down (expected 200)`);
  assert.equal((await once({ port: srv.port, path: '/down', status: [200, 503] })).ok, true);
  const r2 = await once({ port: srv.port, path: '/down', status: [200, 204] });
  assert.match(r2.summary, /\(expected 200 or 204\)$/);
});

test('a wrong status is reported as such even when its body is cut short', async (t) => {
  const srv = await httpServer((_req, res) => {
    res.writeHead(503, { 'content-length': '100' });
    res.write('maint');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  t.after(() => srv.close());
  const r = await once({ port: srv.port });
  assert.equal(r.ok, false);
  assert.equal(r.summary, `HTTP 503 from http://127.0.0.1:${srv.port}/ (expected 200)`);
});

test('body regex: match, mismatch, bodyNot', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  assert.equal((await once({ port: srv.port, body: 'all ok' })).ok, true);
  const bad = await once({ port: srv.port, body: '^healthy$' });
  assert.equal(bad.ok, false);
  assert.equal(bad.summary, `http://127.0.0.1:${srv.port}/: body does not match /^healthy$/; starts "all ok here"`);
  assert.equal((await once({ port: srv.port, body: '/ALL OK/i' })).ok, true);
  const not = await once({ port: srv.port, bodyNot: 'ok' });
  assert.equal(not.summary, `http://127.0.0.1:${srv.port}/: body matches /ok/ (bodyNot): "ok"`);
});

test('maxBodyBytes bounds what the body regex sees', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const r = await once({ port: srv.port, path: '/big', body: 'MARKER' });
  assert.equal(r.ok, false);
  assert.match(r.summary, /body does not match \/MARKER\/ \(in the first 65536 bytes\)/);
  assert.equal((await once({ port: srv.port, path: '/big', body: 'MARKER', maxBodyBytes: 200_000 })).ok, true);
});

test('TLS with a self-signed cert: verify off passes, on fails clearly, ca passes', async (t) => {
  const srv = await httpServer((_q, s) => s.end('secure ok'), { tls: true });
  t.after(() => srv.close());
  const off = await once({ scheme: 'https', port: srv.port, tlsVerify: false, body: 'secure' });
  assert.equal(off.ok, true, off.summary);
  const on = await once({ scheme: 'https', port: srv.port });
  assert.equal(on.ok, false);
  assert.match(on.summary, /^https:\/\/127\.0\.0\.1:\d+\/: TLS certificate not accepted: self[- ]signed certificate.*tlsVerify: false/);
  const ca = await once({ scheme: 'https', port: srv.port, ca: 'server-cert.pem' });
  assert.equal(ca.ok, true, ca.summary);
});

test('certExpiryDays: passes with margin, fails under the threshold, every time', async (t) => {
  const srv = await httpServer((_q, s) => s.end('ok'), { tls: true });
  t.after(() => srv.close());
  const c = await checker({ scheme: 'https', port: srv.port, tlsVerify: false, certExpiryDays: 30 });
  for (let i = 0; i < 2; i++) {
    const r = await c.check('127.0.0.1', within(3000));
    assert.equal(r.ok, true, r.summary);
    assert.ok(r.metrics!.certDaysLeft! > 30_000, JSON.stringify(r.metrics));
  }
  await c.close?.();
  // The fixture cert runs until 2126: a 50,000-day threshold is not met.
  const c2 = await checker({ scheme: 'https', port: srv.port, tlsVerify: false, certExpiryDays: 50_000 });
  for (let i = 0; i < 2; i++) {
    const r = await c2.check('127.0.0.1', within(3000));
    assert.equal(r.ok, false);
    assert.match(r.summary, /^TLS certificate of 127\.0\.0\.1:\d+ expires in 3\d{4} days \(2126-\d\d-\d\d\), under the 50000-day limit$/);
  }
  await c2.close?.();
  // With the clock past 2126 the certificate has expired.
  const late = { ...ctx, now: () => Date.UTC(2127, 0, 1) };
  const r = await once({ scheme: 'https', port: srv.port, tlsVerify: false, certExpiryDays: 1 }, '127.0.0.1', late);
  assert.match(r.summary, /expired \d+ days ago/);
});

test('hostHeader: the server sees the override', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const r = await once({ port: srv.port, hostHeader: 'www.example.test', headers: { 'X-Probe': 'vigil' } });
  assert.equal(r.ok, true, r.summary);
  assert.equal(srv.seen[0]!.headers.host, 'www.example.test');
  assert.equal(srv.seen[0]!.headers['x-probe'], 'vigil');
});

test('hostHeader over TLS is also the SNI name, verified against the cert', async (t) => {
  const srv = await httpServer((_q, s) => s.end('ok'), { tls: true });
  t.after(() => srv.close());
  const good = await once({ scheme: 'https', port: srv.port, hostHeader: 'localhost', ca: 'server-cert.pem' });
  assert.equal(good.ok, true, good.summary);
  const bad = await once({ scheme: 'https', port: srv.port, hostHeader: 'www.example.test', ca: 'server-cert.pem' });
  assert.equal(bad.ok, false);
  assert.match(bad.summary, /TLS certificate not accepted: .*www\.example\.test/);
});

test('redirects: not followed by default, followed up to the limit', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const base = `http://127.0.0.1:${srv.port}`;
  const off = await once({ port: srv.port, path: '/r1' });
  assert.equal(off.summary, `HTTP 302 from ${base}/r1 (expected 200, Location: /r2)`);
  const one = await once({ port: srv.port, path: '/r1', followRedirects: 1 });
  assert.equal(one.summary, `${base}/r1: too many redirects (more than 1), last to /`);
  const all = await once({ port: srv.port, path: '/r1', followRedirects: true, body: 'all ok' });
  assert.equal(all.ok, true, all.summary);
  assert.match(all.summary, new RegExp(`^HTTP 200 from ${base}/ in`));
  assert.equal((await once({ port: srv.port, path: '/r1', status: [302] })).ok, true);
  const post = await once({ port: srv.port, path: '/post', method: 'POST', followRedirects: 2 });
  assert.equal(post.ok, true, post.summary);
  assert.deepEqual(srv.seen.slice(-2).map((s) => `${s.method} ${s.url}`), ['POST /post', 'GET /seen-POST']);
});

test('jsonPath assertions', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const ok = await once({
    port: srv.port, path: '/json',
    jsonPath: [{ path: '$.status', equals: 'ok' }, { path: '$.items[0].up', equals: true }, { path: 'version', matches: '^[3-9]$' }, { path: '$.error', exists: false }],
  });
  assert.equal(ok.ok, true, ok.summary);
  const bad = await once({ port: srv.port, path: '/json', jsonPath: [{ path: '$.status', equals: 'degraded' }] });
  assert.equal(bad.summary, `http://127.0.0.1:${srv.port}/json: $.status is "ok" (expected "degraded")`);
  const missing = await once({ port: srv.port, path: '/json', jsonPath: [{ path: '$.items[1].name' }] });
  assert.match(missing.summary, /\$\.items\[1\]\.name is missing from the JSON body$/);
  const notJson = await once({ port: srv.port, path: '/', jsonPath: [{ path: '$.status', equals: 'ok' }] });
  assert.match(notJson.summary, /body is not JSON; starts "all ok here"$/);
});

test('md5 digest of the whole body (keepalived digest mode)', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const big = 'x'.repeat(100_000) + 'MARKER';
  const digest = createHash('md5').update(big).digest('hex');
  assert.equal((await once({ port: srv.port, path: '/big', md5: digest.toUpperCase() })).ok, true);
  const bad = await once({ port: srv.port, path: '/', md5: digest });
  assert.equal(bad.summary, `http://127.0.0.1:${srv.port}/: body MD5 is ${createHash('md5').update('all ok here').digest('hex')} (expected ${digest})`);
});

test('client certificate for a server that requires one', async (t) => {
  const { readFileSync } = await import('node:fs');
  const srv = await httpServer((_q, s) => s.end('hello client'), { tls: true, clientCa: readFileSync(`${TLS_DIR}/client-cert.pem`) });
  t.after(() => srv.close());
  const without = await once({ scheme: 'https', port: srv.port, tlsVerify: false });
  assert.equal(without.ok, false, without.summary);
  const withCert = await once({ scheme: 'https', port: srv.port, tlsVerify: false, cert: 'client-cert.pem', key: 'client-key.pem' });
  assert.equal(withCert.ok, true, withCert.summary);
});

test('keepAlive: off opens a connection per check, on reuses one', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  for (const [keepAlive, conns] of [[false, 3], [true, 1]] as const) {
    const before = srv.accepted();
    const c = await checker({ port: srv.port, keepAlive });
    for (let i = 0; i < 3; i++) assert.equal((await c.check('127.0.0.1', within(3000))).ok, true);
    await c.close?.();
    assert.equal(srv.accepted() - before, conns, `keepAlive ${keepAlive}`);
  }
  // Without keepAlive the request still asks for keep-alive: vigil, not the server,
  // ends the connection (with a reset), so the server keeps no TIME_WAIT.
  assert.equal(srv.seen[0]!.headers.connection, 'keep-alive');
});

test('keepAlive: a body cut off at maxBodyBytes drops its connection, and the next check opens another', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  for (const [path, conns] of [['/', 1], ['/big', 2]] as const) {
    const c = await checker({ port: srv.port, path, keepAlive: true, maxBodyBytes: 1000 });
    const before = srv.accepted();
    for (let i = 0; i < 2; i++) {
      // No body rule: the body is read only to know it is whole, up to maxBodyBytes.
      const r = await c.check('127.0.0.1', within(3000));
      assert.equal(r.ok, true, r.summary);
    }
    await c.close?.();
    assert.equal(srv.accepted() - before, conns, path);
  }
});

test('IPv6 hosts, and url templates', async (t) => {
  const srv = await httpServer((q, s) => s.end(`path ${q.url}`), { host: '::1' });
  t.after(() => srv.close());
  const c = await checker({ port: srv.port, path: '/health' });
  for (const h of ['[::1]', '::1']) {
    const r = await c.check(h, within(3000));
    assert.equal(r.ok, true, r.summary);
    assert.match(r.summary, new RegExp(`^HTTP 200 from http://\\[::1\\]:${srv.port}/health in`));
  }
  await c.close?.();
  const tpl = await once({ url: `http://{host}:${srv.port}/x?y=1`, body: '^path /x\\?y=1$' }, '::1');
  assert.equal(tpl.ok, true, tpl.summary);
});

test('host names: localhost (from /etc/hosts)', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const r = await once({ port: srv.port }, 'localhost');
  assert.equal(r.ok, true, r.summary);
  assert.match(r.summary, new RegExp(`^HTTP 200 from http://localhost:${srv.port}/ in`));
  assert.equal(srv.seen[0]!.headers.host, `localhost:${srv.port}`);
});

test('latencyWarnMs marks a slow answer degraded', async (t) => {
  const srv = await app();
  t.after(() => srv.close());
  const r = await once({ port: srv.port, path: '/slow', latencyWarnMs: 20 });
  assert.equal(r.ok, true);
  assert.equal(r.degraded, true);
  assert.match(r.summary, /\(over 20 ms\)$/);
});

test('option conflicts are refused at create', () => {
  assert.throws(() => planFor({ url: 'http://{host}/', port: 80 }), /either url .* or scheme\/port\/path/);
  assert.throws(() => planFor({ method: 'HEAD', body: 'x' }), /HEAD gets no body/);
  assert.throws(() => planFor({ body: '(' }), /option body: "\(" is not a valid regular expression/);
  assert.throws(() => planFor({ jsonPath: [{ path: '$..x' }] }), /jsonPath "\$\.\.x" is not a path/);
});

test('options schema compiles strictly and rejects bad options', () => {
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true });
  const v = ajv.compile(http.optionsSchema!);
  assert.equal(v({ port: 8080, path: '/', status: [200, 301] }), true);
  assert.equal(v({ followRedirects: 3 }), true);
  assert.equal(v({ followRedirects: true }), true);
  assert.equal(v({ followRedirects: 'yes' }), false);
  assert.equal(v({ cert: 'a.pem' }), false);
  assert.equal(v({ md5: 'abc' }), false);
  assert.equal(v({ url: 'ftp://x/' }), false);
  assert.equal(v({ jsonPath: [{ path: '$.a', equal: 1 }] }), false);
  assert.equal(v({ timeout: 5 }), false);
});
