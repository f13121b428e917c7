/**
 * Fuzz: the control plane's HTTP API (core/control/) against a real engine.
 * Random methods, paths, headers and bodies: never a 500, never a hang, never a
 * crash; every mutating route answers 401 without the right token and changes
 * nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { Engine } from '../../core/engine/engine.ts';
import { createLogger } from '../../core/log.ts';
import { startControlServer, type ControlServer } from '../../core/control/http-server.ts';
import { ROUTES } from '../../core/control/routes.ts';
import { holds, report, SOAK } from './report.ts';

const TOKEN = 'fuzz-token-7d1c9a';
let dir: string;
let engine: Engine;
let control: ControlServer;
const logLines: string[] = [];
// A fresh connection per request: a keep-alive socket that the server closed after an unread body is a client race, not a server fault.
const agent = new Agent({ keepAlive: false });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-http-'));
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
control: { listen: "127.0.0.1:0", token: "${TOKEN}" }
hostgroups:
  web: [127.0.0.2, 127.0.0.3]
watches:
  web:
    services:
      http: { interval: 1h, timeout: 200ms, monitor: { plugin: tcp, port: 1 }, alerts: [ { plugin: log, file: alerts.log } ] }
`,
  );
  const log = createLogger({ json: true, level: 'debug', write: (l) => void logLines.push(l) });
  engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log });
  control = await startControlServer({ engine, log, control: engine.config().control!, env: {} });
  await engine.testNow('web', 'http'); // failing, so ack has something to act on
});

after(async () => {
  agent.destroy();
  await control.close();
  await engine.close(200);
  rmSync(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: control.port, method, path, headers, agent, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 5 s to ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

function operatorState(): string {
  const s = engine.status();
  return JSON.stringify({
    running: s.schedulerRunning,
    hosts: s.disabledHosts,
    watches: s.watches.map((w) => [w.watch, w.disabled, w.services.map((x) => [x.service, x.disabled, x.acked])]),
  });
}

const SEGMENTS = ['api', 'status', 'services', 'hosts', 'watches', 'history', 'outbox', 'reload', 'events', 'recent', 'metrics', 'healthz', 'readyz', 'web', 'http', '127.0.0.2',
  'disable', 'enable', 'ack', 'test', '..', '.', '', '%2e%2e', '%2F', '%', '%zz', '%00', '%E2%82', 'constructor', '__proto__', 'index.html', 'app.js', 'x'.repeat(3000), '😀', ';', '?', '#'];
const QUERY = ['', '?limit=5', '?limit=0', '?limit=-1', '?limit=1e9', '?since=1h', '?since=garbage', '?until=2026-01-01', '?kind=alert', '?kind=x', '?state=pending', '?state=%', '?watch=web&service=http', '?a=%zz'];
const path = fc
  .tuple(fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...SEGMENTS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map(encodeURIComponent) }), { minLength: 1, maxLength: 6 }), fc.constantFrom(...QUERY))
  .map(([segs, q]) => '/' + segs.join('/') + q);
const routePath = fc.tuple(fc.constantFrom(...ROUTES), fc.constantFrom('web', 'http', '127.0.0.2', 'nope', '%zz', 'a%2Fb', '..', 'constructor')).map(([r, v]) => r.path.replace(/:[a-z]+/g, encodeURIComponent(v).replace(/%25zz/, '%zz')));
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'PROPFIND', 'TRACE');
const auth = fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `bearer  ${TOKEN.toUpperCase()}`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, TOKEN, `Bearer ${TOKEN} extra`, 'Bearer \u00ff');
const body = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('{}', '{"comment":"x"}', '{"comment":5}', '[]', 'null', '"x"', '{', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}'),
  fc.json(),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant('x'.repeat(70 * 1024)),
);
const headerExtra = fc.constantFrom<Record<string, string>>({}, { 'content-type': 'application/json' }, { 'content-type': 'text/plain' }, { 'content-type': 'application/json; charset=latin1' }, { 'transfer-encoding': 'chunked' }, { accept: 'text/event-stream' });

test('HTTP API: random requests never get a 500, never hang, never crash the server', { timeout: 120_000 * SOAK }, async () => {
  let tried = 0;
  const statuses = new Map<number, number>();
  await holds(() => fc.assert(
    fc.asyncProperty(fc.oneof(path, routePath), method, auth, body, headerExtra, async (p, m, a, b, extra) => {
      if (p.startsWith('/api/events') && !p.startsWith('/api/events/recent') && m === 'GET') p = '/api/status'; // the SSE stream never ends by design
      tried++;
      p = p.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c)); // a client cannot send raw bytes in a request line
      const headers: Record<string, string> = { ...extra };
      if (a !== undefined) headers.authorization = a;
      const res = await send(m, p, headers, b === undefined ? undefined : Buffer.from(b)).catch((err: Error) => {
        throw new Error(`${m} ${p} ${JSON.stringify(headers)}: ${err.message}`);
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status >= 200 && res.status < 500, `${m} ${p} -> ${res.status} ${res.body.slice(0, 300)}`);
    }),
    { numRuns: 1200 * SOAK, seed: 0x4771, endOnFailure: true },
  ));
  assert.equal((await send('GET', '/healthz', {})).status, 200, 'still healthy');
  assert.equal((({}) as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  const internal = logLines.filter((l) => /request failed inside vigil/.test(l));
  assert.deepEqual(internal, [], 'no request failed inside vigil');
  report('fuzz', 'HTTP API', `${tried} random requests`, `0 x 500, 0 hangs, server healthy after (statuses ${[...statuses].sort((x, y) => x[0] - y[0]).map(([s, n]) => `${s}x${n}`).join(' ')})`);
});

test('HTTP API: every mutating route refuses missing and wrong tokens with 401 and changes nothing', { timeout: 60_000 * SOAK }, async () => {
  const mutating = ROUTES.filter((r) => r.mutating);
  assert.ok(mutating.length >= 8, 'the route table has the mutating routes');
  const before = operatorState();
  let tried = 0;
  await holds(() => fc.assert(
    fc.asyncProperty(fc.constantFrom(...mutating), auth.filter((a) => a !== `bearer  ${TOKEN.toUpperCase()}`), body, async (route, a, b) => {
      tried++;
      const p = route.path.replace(':watch', 'web').replace(':service', 'http').replace(':host', '127.0.0.2');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (a !== undefined) headers.authorization = a;
      const res = await send('POST', p, headers, b === undefined ? undefined : Buffer.from(b));
      assert.equal(res.status, 401, `POST ${p} with authorization ${JSON.stringify(a)} -> ${res.status}`);
      assert.equal(operatorState(), before, `POST ${p} changed state without the token`);
    }),
    { numRuns: 300 * SOAK, seed: 0x4772, endOnFailure: true },
  ));
  // The protection must be able to fail: with the token the same request works.
  const ok = await send('POST', '/api/hosts/127.0.0.2/disable', { authorization: `Bearer ${TOKEN}` });
  assert.equal(ok.status, 200);
  assert.notEqual(operatorState(), before);
  await send('POST', '/api/hosts/127.0.0.2/enable', { authorization: `Bearer ${TOKEN}` });
  report('security', 'control API token', `${tried} mutating requests over ${mutating.length} routes without/with wrong tokens`, 'all 401, state unchanged, the right token works');
});
