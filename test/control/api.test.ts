/**
 * Control API in process against a real engine: status, history, outbox,
 * actions with and without the token, error codes, reload, health, SSE.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFixture, until, TOKEN, EVIL, type Fixture } from './fixture.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
});
after(async () => {
  await f?.close();
});

const tcp = (snap: any) => snap.watches.find((w: any) => w.watch === 'web').services.find((s: any) => s.service === 'tcp');

test('GET /api/status: per-host state, latency, summary, since and next check', async () => {
  const snap = await until('both hosts of web/tcp checked', async () => {
    const r = await f.api('GET', '/api/status');
    const s = tcp(r.json);
    return s.hosts.every((h: any) => h.state !== 'unknown') ? r.json : undefined;
  });
  const s = tcp(snap);
  assert.equal(s.status, 'fail');
  const [a, b] = s.hosts;
  assert.equal(a.host, '127.0.0.1');
  assert.equal(a.state, 'up');
  assert.equal(typeof a.latencyMs, 'number');
  assert.equal(b.host, '127.0.0.2');
  assert.equal(b.state, 'down');
  assert.match(b.summary, /refused|ECONNREFUSED/i);
  assert.equal(typeof s.since, 'number');
  assert.equal(typeof s.nextCheck, 'number');
  assert.equal(s.overdue, false);
  assert.equal(s.description, `port ${f.port} accepts connections`);
  const evil = snap.watches.find((w: any) => w.watch === 'evil').services[0];
  await until('evil/html checked', async () => (await f.api('GET', '/api/services/evil/html')).json.lastCheck);
  const again = (await f.api('GET', '/api/services/evil/html')).json;
  assert.equal(evil.service, 'html');
  assert.ok(again.summary.includes('<script>'), 'the API returns check output as it is (JSON), the page escapes it');
  assert.ok(EVIL.startsWith(again.summary.slice(0, 10)));
});

test('reads are open on loopback; every change needs the bearer token', async () => {
  assert.equal((await f.api('GET', '/api/status')).status, 200);
  for (const [path, body] of [
    ['/api/hosts/127.0.0.2/disable', undefined],
    ['/api/services/web/tcp/disable', undefined],
    ['/api/services/web/tcp/ack', { comment: 'x' }],
    ['/api/services/web/tcp/test', undefined],
    ['/api/watches/web/disable', undefined],
    ['/api/reload', undefined],
  ] as const) {
    const none = await f.api('POST', path, { body });
    assert.equal(none.status, 401, path);
    assert.match(none.json.error, /Authorization: Bearer/);
    assert.match(none.headers.get('content-type') ?? '', /application\/json/);
    const wrong = await f.api('POST', path, { body, token: TOKEN + 'x' });
    assert.equal(wrong.status, 401, path);
    assert.match(wrong.json.error, /wrong/);
  }
  const snap = (await f.api('GET', '/api/status')).json;
  assert.deepEqual(snap.disabledHosts, []);
  assert.equal(tcp(snap).disabled, false);
  assert.equal(tcp(snap).acked, false);
  assert.equal(snap.watches[0].disabled, false);
});

test('disable and enable a host, a service and a watch', async () => {
  let r = await f.api('POST', '/api/hosts/127.0.0.2/disable', { token: TOKEN });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true, host: '127.0.0.2', disabled: true });
  assert.deepEqual((await f.api('GET', '/api/status')).json.disabledHosts, ['127.0.0.2']);
  r = await f.api('POST', '/api/hosts/127.0.0.2/enable', { token: TOKEN });
  assert.equal(r.json.disabled, false);
  r = await f.api('POST', '/api/hosts/10.9.9.9/disable', { token: TOKEN });
  assert.equal(r.status, 404);
  assert.match(r.json.error, /10\.9\.9\.9.*no hostgroup/);

  r = await f.api('POST', '/api/services/web/tcp/disable', { token: TOKEN });
  assert.equal(r.status, 200);
  assert.equal(r.json.service.disabled, true);
  r = await f.api('POST', '/api/services/web/tcp/enable', { token: TOKEN });
  assert.equal(r.json.service.disabled, false);

  r = await f.api('POST', '/api/watches/web/disable', { token: TOKEN });
  assert.deepEqual(r.json, { ok: true, watch: 'web', disabled: true });
  r = await f.api('POST', '/api/watches/web/enable', { token: TOKEN });
  assert.equal(r.json.disabled, false);
});

test('errors: 404 unknown watch/service/endpoint, 405 wrong method, 400 bad body or query, 409 ack of a passing service', async () => {
  let r = await f.api('POST', '/api/services/nope/tcp/disable', { token: TOKEN });
  assert.equal(r.status, 404);
  assert.deepEqual(r.json, { error: 'there is no watch "nope"', code: 'unknown-watch' });
  r = await f.api('POST', '/api/services/web/nope/test', { token: TOKEN });
  assert.equal(r.status, 404);
  assert.equal(r.json.code, 'unknown-service');
  r = await f.api('GET', '/api/services/web/nope/history');
  assert.equal(r.status, 404);
  r = await f.api('GET', '/api/nothing');
  assert.equal(r.status, 404);
  assert.match(r.json.error, /no such endpoint/);
  r = await f.api('GET', '/api/reload');
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'POST');
  r = await f.api('POST', '/api/services/web/tcp/ack', { token: TOKEN, body: '{not json' });
  assert.equal(r.status, 400);
  assert.match(r.json.error, /not JSON/);
  r = await f.api('POST', '/api/services/web/tcp/ack', { token: TOKEN, body: {} });
  assert.equal(r.status, 400);
  assert.match(r.json.error, /needs a comment/);
  r = await f.api('GET', '/api/history?since=yesterday-ish');
  assert.equal(r.status, 400);
  assert.match(r.json.error, /since="yesterday-ish" is not a time/);
  r = await f.api('GET', '/api/outbox?state=lost');
  assert.equal(r.status, 400);
  r = await f.api('GET', '/api/history?limit=0');
  assert.equal(r.status, 400);
  // evil/html always fails; a passing service cannot be acked.
  await f.setSecondHost(true);
  await until('web/tcp ok', async () => tcp((await f.api('GET', '/api/status')).json).status === 'ok');
  r = await f.api('POST', '/api/services/web/tcp/ack', { token: TOKEN, body: { comment: 'on it' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'not-failing');
  await f.setSecondHost(false);
});

test('ack a failing service with a comment; test-now runs the check', async () => {
  await until('web/tcp failing', async () => tcp((await f.api('GET', '/api/status')).json).status === 'fail');
  const r = await f.api('POST', '/api/services/web/tcp/ack', { token: TOKEN, body: { comment: 'replacing the NIC', user: 'alice' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.service.acked, true);
  assert.match(r.json.service.ackComment, /alice.*replacing the NIC/);
  const before = (await f.api('GET', '/api/services/evil/html')).json.lastCheck;
  const t = await f.api('POST', '/api/services/evil/html/test', { token: TOKEN });
  assert.equal(t.status, 200);
  assert.ok(t.json.service.lastCheck > before);
});

test('history and outbox', async () => {
  const h = await f.api('GET', '/api/services/web/tcp/history');
  assert.equal(h.status, 200);
  assert.ok(h.json.some((x: any) => x.kind === 'failure' && x.watch === 'web' && x.service === 'tcp'), JSON.stringify(h.json));
  const all = await f.api('GET', '/api/history?since=1h&limit=500');
  assert.ok(all.json.length >= h.json.length);
  const none = await f.api('GET', `/api/history?since=${Date.now() + 3_600_000}`);
  assert.deepEqual(none.json, []);
  const only = await f.api('GET', '/api/history?watch=evil&service=html');
  assert.ok(only.json.every((x: any) => x.watch === 'evil'));
  const delivered = await until('a delivered log alert', async () => {
    const o = await f.api('GET', '/api/outbox?state=delivered');
    return o.json.length ? o.json : undefined;
  });
  assert.equal(delivered[0].plugin, 'log');
  assert.equal(delivered[0].state, 'delivered');
});

test('reload: a broken config is refused with its problems and the running one kept', async () => {
  const file = join(f.dir, 'vigil.yaml');
  const good = readFileSync(file, 'utf8');
  writeFileSync(file, good.replace('interval: 1s', 'interval: soon'));
  const bad = await f.api('POST', '/api/reload', { token: TOKEN });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /previous config/);
  assert.ok(bad.json.problems.some((p: string) => p.includes('vigil.yaml:') && p.includes('interval')), JSON.stringify(bad.json));
  writeFileSync(file, good);
  const ok = await f.api('POST', '/api/reload', { token: TOKEN });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json, { ok: true, message: 'config reloaded' });
});

test('/healthz and /readyz', async () => {
  const h = await f.api('GET', '/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.json.ok, true);
  assert.equal(h.json.checks.schedulerRunning, true);
  const r = await until('ready', async () => {
    const x = await f.api('GET', '/readyz');
    return x.status === 200 ? x : undefined;
  });
  assert.deepEqual(r.json.checks, { services: 2, notYetChecked: 0 });
});

test('GET /api/events streams the status and events as they happen', async () => {
  const ac = new AbortController();
  const res = await fetch(f.base + '/api/events', { signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  let buf = '';
  const seen: Array<{ event: string; data: any }> = [];
  const pump = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += new TextDecoder().decode(value);
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block)?.[1];
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (ev) seen.push({ event: ev, data: JSON.parse(data) });
      }
    }
  };
  const done = pump().catch(() => {});
  try {
    await until('first status frame', () => seen.find((s) => s.event === 'status'), 5000);
    await f.setSecondHost(true);
    const up = await until('host-up event for 127.0.0.2', () => seen.find((s) => s.event === 'event' && s.data.type === 'host-up' && s.data.host === '127.0.0.2'), 8000);
    assert.equal(up.data.watch, 'web');
    await until('a status frame with 127.0.0.2 up', () => seen.find((s) => s.event === 'status' && tcp(s.data).hosts[1].state === 'up'), 5000);
    const recent = await f.api('GET', '/api/events/recent');
    assert.ok(recent.json.some((e: any) => e.type === 'host-up' && e.host === '127.0.0.2'));
  } finally {
    ac.abort();
    await done;
    await f.setSecondHost(false);
  }
});
