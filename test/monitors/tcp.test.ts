/**
 * tcp monitor against real loopback servers: connect, send/expect, refused, hung,
 * reset, TLS, IPv6, latency warning, close-by-reset, option validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { Ajv } from 'ajv';
import tcp, { buildDialog, targetFor, type TcpOptions } from '../../monitors/tcp.ts';
import { unescapeSend } from '../../monitors/tcp/dialog.ts';
import { silentLogger } from '../../core/log.ts';
import type { HostChecker } from '../../core/types.ts';
import { lineServer, refusedPort, resettingServer, silentServer, tcpServer, TLS_DIR } from '../helpers/servers.ts';

const ctx = { log: silentLogger, now: () => Date.now(), configDir: TLS_DIR, stateDir: os.tmpdir() };

async function checker(o: TcpOptions): Promise<HostChecker> {
  return (await tcp.create(o, ctx)) as HostChecker;
}
const within = (ms: number) => AbortSignal.timeout(ms);

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await p;
  return [r, performance.now() - t0];
}

test('connects and reports latency', async (t) => {
  const srv = await tcpServer(() => {});
  t.after(() => srv.close());
  const c = await checker({ port: srv.port });
  const r = await c.check('127.0.0.1', within(2000));
  assert.equal(r.ok, true, r.summary);
  assert.match(r.summary, new RegExp(`^127\\.0\\.0\\.1:${srv.port}: connected in [\\d.]+ ms$`));
  assert.ok(typeof r.latencyMs === 'number' && r.latencyMs >= 0 && r.latencyMs < 1000);
  assert.equal(r.degraded, undefined);
});

test('closes the probe connection with a reset, not a FIN', async (t) => {
  const seen: Promise<string> = new Promise((resolve) => {
    void tcpServer((s) => {
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      s.on('end', () => resolve('FIN'));
    }).then((srv) => {
      t.after(() => srv.close());
      void checker({ port: srv.port }).then((c) => c.check('127.0.0.1', within(2000)));
    });
  });
  assert.equal(await seen, 'ECONNRESET');
});

test('closeWith: fin closes in order instead', async (t) => {
  const seen: Promise<string> = new Promise((resolve) => {
    void tcpServer((s) => {
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      s.on('end', () => resolve('FIN'));
    }).then((srv) => {
      t.after(() => srv.close());
      void checker({ port: srv.port, closeWith: 'fin' }).then((c) => c.check('127.0.0.1', within(2000)));
    });
  });
  assert.equal(await seen, 'FIN');
});

test('connection refused is a failed check with a plain summary', async () => {
  const port = await refusedPort();
  const c = await checker({ port });
  const r = await c.check('127.0.0.1', within(2000));
  assert.deepEqual(r, { ok: false, summary: `127.0.0.1:${port}: connect: connection refused` });
});

test('a server that never answers: the check ends at the timeout', async (t) => {
  const srv = await silentServer();
  t.after(() => srv.close());
  const c = await checker({ port: srv.port, send: 'PING\\r\\n', expect: 'PONG' });
  const [r, ms] = await timed(c.check('127.0.0.1', within(300)));
  assert.equal(r.ok, false);
  assert.equal(r.summary, `127.0.0.1:${srv.port}: timed out waiting for /PONG/`);
  assert.ok(ms >= 290 && ms < 600, `took ${ms} ms`);
});

test('an abort that is not a timeout (shutdown) throws its reason', async (t) => {
  const srv = await silentServer();
  t.after(() => srv.close());
  const c = await checker({ port: srv.port, expect: 'x' });
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('shutting down')), 50);
  await assert.rejects(c.check('127.0.0.1', ac.signal), /shutting down/);
});

test('a server that resets the connection', async (t) => {
  const srv = await resettingServer();
  t.after(() => srv.close());
  const c = await checker({ port: srv.port, send: 'hello\\n', expect: 'OK' });
  const r = await c.check('127.0.0.1', within(2000));
  assert.equal(r.ok, false);
  assert.equal(r.summary, `127.0.0.1:${srv.port}: connection reset by the server`);
});

test('send + expect: the answer matches', async (t) => {
  const srv = await lineServer('', (line) => (line === 'STATUS' ? 'hello\r\nSTATUS: ready\r\n' : 'ERR\r\n'));
  t.after(() => srv.close());
  const c = await checker({ port: srv.port, send: 'STATUS\\r\\n', expect: 'STATUS: (ready|busy)' });
  const r = await c.check('127.0.0.1', within(2000));
  assert.equal(r.ok, true, r.summary);
  assert.match(r.summary, /: STATUS: ready in [\d.]+ ms$/);
  assert.deepEqual(srv.lines, ['STATUS']);
});

test('send without expect: the bytes arrive before the reset', async (t) => {
  const srv = await lineServer('');
  t.after(() => srv.close());
  const r = await (await checker({ port: srv.port, send: 'hello\\r\\n' })).check('127.0.0.1', within(2000));
  assert.equal(r.ok, true, r.summary);
  for (let i = 0; i < 40 && srv.lines.length === 0; i++) await new Promise((res) => setTimeout(res, 25));
  assert.deepEqual(srv.lines, ['hello']);
});

test('expect with /pattern/flags', async (t) => {
  const srv = await lineServer('Welcome\r\n');
  t.after(() => srv.close());
  assert.equal((await (await checker({ port: srv.port, expect: '/^welcome/i' })).check('127.0.0.1', within(2000))).ok, true);
  assert.equal((await (await checker({ port: srv.port, expect: '^welcome' })).check('127.0.0.1', within(2000))).ok, false);
});

test('wrong answer then close: says what came instead', async (t) => {
  const srv2 = await tcpServer((s) => s.end('ERR not ready\r\n'));
  t.after(() => srv2.close());
  const c = await checker({ port: srv2.port, expect: '^OK' });
  const r = await c.check('127.0.0.1', within(2000));
  assert.equal(r.ok, false);
  assert.equal(r.summary, `127.0.0.1:${srv2.port}: connection closed before /^OK/ matched; got "ERR not ready"`);
});

test('maxBytes bounds how much is read while waiting for a match', async (t) => {
  const srv = await tcpServer((s) => s.write('x'.repeat(200)));
  t.after(() => srv.close());
  const c = await checker({ port: srv.port, expect: 'OK', maxBytes: 100 });
  const r = await c.check('127.0.0.1', within(2000));
  assert.equal(r.ok, false);
  assert.match(r.summary, /no match for \/OK\/ in the first 100 bytes/);
});

test('TLS: self-signed passes with tlsVerify off, fails clearly with it on, passes with ca', async (t) => {
  const srv = await tcpServer((s) => s.write('+READY\r\n'), { tls: true });
  t.after(() => srv.close());
  const off = await (await checker({ port: srv.port, tls: true, tlsVerify: false, expect: 'READY' })).check('127.0.0.1', within(2000));
  assert.equal(off.ok, true, off.summary);
  const on = await (await checker({ port: srv.port, tls: true, expect: 'READY' })).check('127.0.0.1', within(2000));
  assert.equal(on.ok, false);
  assert.match(on.summary, /^127\.0\.0\.1:\d+: TLS certificate not accepted: self[- ]signed certificate .*tlsVerify: false/);
  const ca = await (await checker({ port: srv.port, tls: true, ca: 'server-cert.pem', servername: 'localhost', expect: 'READY' })).check('127.0.0.1', within(2000));
  assert.equal(ca.ok, true, ca.summary);
  // Without servername the certificate must hold the IP itself (the fixture does).
  const ip = await (await checker({ port: srv.port, tls: true, ca: 'server-cert.pem', expect: 'READY' })).check('127.0.0.1', within(2000));
  assert.equal(ip.ok, true, ip.summary);
  const wrong = await (await checker({ port: srv.port, tls: true, ca: 'server-cert.pem', servername: 'www.example.test' })).check('127.0.0.1', within(2000));
  assert.equal(wrong.ok, false);
  assert.match(wrong.summary, /TLS certificate not accepted: .*www\.example\.test.*servername/);
});

test('TLS handshake against a plain server fails without hanging', async (t) => {
  const srv = await lineServer('220 plain\r\n');
  t.after(() => srv.close());
  const r = await (await checker({ port: srv.port, tls: true, tlsVerify: false })).check('127.0.0.1', within(2000));
  assert.equal(r.ok, false);
  assert.match(r.summary, /TLS|closed|reset/);
});

test('IPv6: [::1] and ::1', async (t) => {
  const srv = await tcpServer((s) => s.write('hi\n'), { host: '::1' });
  t.after(() => srv.close());
  const c = await checker({ port: srv.port, expect: 'hi' });
  for (const h of ['[::1]', '::1']) {
    const r = await c.check(h, within(2000));
    assert.equal(r.ok, true, r.summary);
    assert.ok(r.summary.startsWith(`[::1]:${srv.port}: hi in`), r.summary);
  }
});

test('latencyWarnMs marks a slow answer degraded', async (t) => {
  const srv = await tcpServer((s) => void setTimeout(() => s.write('OK\n'), 60));
  t.after(() => srv.close());
  const slow = await (await checker({ port: srv.port, expect: 'OK', latencyWarnMs: 20 })).check('127.0.0.1', within(2000));
  assert.equal(slow.ok, true);
  assert.equal(slow.degraded, true);
  assert.match(slow.summary, /over 20 ms/);
  assert.ok(slow.latencyMs! >= 50);
  const fine = await (await checker({ port: srv.port, expect: 'OK', latencyWarnMs: 5000 })).check('127.0.0.1', within(2000));
  assert.equal(fine.degraded, undefined);
});

test('200 probes in a row leave no TIME_WAIT sockets (closed by reset)', async (t) => {
  const srv = await tcpServer(() => {});
  t.after(() => srv.close());
  const c = await checker({ port: srv.port });
  for (let i = 0; i < 200; i++) assert.equal((await c.check('127.0.0.1', within(2000))).ok, true);
  assert.equal(srv.accepted(), 200);
  // iproute2's ss (Debian path); any TIME_WAIT to or from the server's port would show here.
  const out = execFileSync('/usr/bin/ss', ['-tan', 'state', 'time-wait', `( sport = :${srv.port} or dport = :${srv.port} )`], { encoding: 'utf8' });
  assert.equal(out.trim().split('\n').length, 1, out);
});

test('send escapes', () => {
  assert.deepEqual(unescapeSend('A\\r\\n\\t\\0\\\\\\x41'), Buffer.from('A\r\n\t\0\\A', 'latin1'));
});

test('options: preset with send is refused, password needs redis', () => {
  assert.throws(() => buildDialog({ preset: 'ssh', send: 'x' }), /preset ssh already says what to send/);
  assert.throws(() => buildDialog({ port: 1, password: 'p' }), /only used with preset: redis/);
  assert.throws(() => buildDialog({ port: 1, expect: '(' }), /option expect: "\(" is not a valid regular expression/);
  assert.throws(() => buildDialog({ preset: 'redis', passwordEnv: 'VIGIL_TEST_NOPE' }, {}), /VIGIL_TEST_NOPE/);
});

test('targets: IPs get no SNI, names do', () => {
  assert.deepEqual(targetFor('[::1]', 80), { host: '::1', port: 80, label: '[::1]:80', servername: undefined });
  assert.equal(targetFor('10.0.0.1', 80).servername, undefined);
  assert.equal(targetFor('db.example', 80).servername, 'db.example');
  assert.equal(targetFor('10.0.0.1', 80, 'x.example').servername, 'x.example');
});

test('options schema compiles strictly and rejects bad options', () => {
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true });
  const validate = ajv.compile(tcp.optionsSchema!);
  assert.equal(validate({ port: 80 }), true);
  assert.equal(validate({ preset: 'ssh' }), true);
  assert.equal(validate({}), false);
  assert.equal(validate({ port: 80, prot: 1 }), false);
  assert.equal(validate({ port: 70000 }), false);
  assert.equal(validate({ preset: 'gopher' }), false);
});

test('runs under vigil\'s deadline runner: at the deadline its own answer says what it waited for', async (t) => {
  const { runWithDeadline } = await import('../../core/run-check.ts');
  const srv = await silentServer();
  t.after(() => srv.close());
  const c = await checker({ port: srv.port, expect: 'x' });
  let seen: unknown;
  const out = await runWithDeadline('tcp', 'check', 200, undefined, async (signal) => {
    seen = await c.check('127.0.0.1', signal);
    return seen;
  });
  // The runner gives a plugin that honours the abort one tick to answer, so the
  // failed result names the stage instead of a bare "timed out after 200 ms".
  assert.equal(out.kind, 'ok');
  assert.ok(out.durationMs >= 195 && out.durationMs < 600, `answered at the deadline (${out.durationMs} ms)`);
  assert.deepEqual(seen, { ok: false, summary: `127.0.0.1:${srv.port}: timed out waiting for /x/` });
  assert.deepEqual(out.kind === 'ok' && out.value, seen);
});

test('host names resolve (localhost from /etc/hosts; no DNS query leaves the machine)', async (t) => {
  const srv = await tcpServer(() => {});
  t.after(() => srv.close());
  const r = await (await checker({ port: srv.port })).check('localhost', within(2000));
  assert.equal(r.ok, true, r.summary);
  assert.match(r.summary, new RegExp(`^localhost:${srv.port}: connected in`));
});

test('a finished probe leaves nothing of its own on the socket (only a no-op error listener)', async (t) => {
  // A closed socket can outlive the probe: listeners left on it would keep
  // every probe's promise and results alive too. Sockets seen through node:net's channel.
  const { subscribe, unsubscribe } = await import('node:diagnostics_channel');
  const sockets: import('node:net').Socket[] = [];
  const seen = (m: unknown) => sockets.push((m as { socket: import('node:net').Socket }).socket);
  subscribe('net.client.socket', seen);
  t.after(() => unsubscribe('net.client.socket', seen));
  const srv = await lineServer('220 ready\r\n', () => '');
  t.after(() => srv.close());
  const refused = await refusedPort();
  const plain = new (await import('node:net')).Socket();
  const base = (ev: string) => plain.listenerCount(ev);
  const runs: Array<[TcpOptions, string]> = [
    [{ port: srv.port }, '127.0.0.1'],
    [{ port: refused }, '127.0.0.1'],
    [{ port: srv.port, expect: '^220' }, '127.0.0.1'],
  ];
  for (const [o, host] of runs) await (await checker(o)).check(host, within(2000));
  assert.equal(sockets.length, runs.length);
  for (const s of sockets) {
    assert.equal(s.listenerCount('error'), 1, 'one error listener left');
    for (const ev of ['connect', 'data', 'end', 'close', 'secureConnect']) assert.equal(s.listenerCount(ev), base(ev), `${ev} listeners left`);
  }
});
