import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher, type DispatcherOptions } from '../../core/dispatcher.ts';
import { openStore, type Store } from '../../core/store.ts';
import { backoffDelay, retryPolicy } from '../../core/dispatch/backoff.ts';
import { silentLogger } from '../../core/log.ts';
import type { Alert, AlertEvent, Logger } from '../../core/types.ts';

function ev(id: string, type: AlertEvent['type'] = 'down', service = 'http'): AlertEvent {
  return {
    id, type, watch: 'web', service, hosts: ['127.0.0.2'], failedHosts: type === 'up' ? [] : ['127.0.0.2'],
    summary: `${type} ${id}`, detail: 'detail', output: 'out', at: 1, count: 1, incident: 'web/http/1',
  };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An alert of our own whose behaviour the test scripts: fail N times, hang, record. */
function scripted(failFirst = 0, opts: { hang?: boolean; delayMs?: number } = {}) {
  const got: string[] = [];
  let calls = 0;
  const alert: Alert = {
    async send(e, signal) {
      calls++;
      if (opts.hang) return new Promise<void>(() => {});
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (signal.aborted) throw new Error('aborted');
      if (calls <= failFirst) throw new Error(`connect ECONNREFUSED (call ${calls})`);
      got.push(e.id);
    },
  };
  return { alert, got, calls: () => calls };
}

function recordingLog() {
  const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  const mk = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, msg, fields });
  const log: Logger = { debug: mk('debug'), info: mk('info'), warn: mk('warn'), error: mk('error'), child: () => log };
  return { log, lines };
}

function setup(targets: Record<string, Alert>, extra: Partial<DispatcherOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-disp-'));
  const store = openStore(dir);
  const metrics: string[] = [];
  const d = createDispatcher({
    store,
    resolve: (t) => (targets[t] ? { plugin: 'fake', alert: targets[t]! } : undefined),
    log: silentLogger,
    retry: { baseMs: 10, maxMs: 40, maxAttempts: 4, jitter: 0 },
    sendTimeoutMs: 500,
    onMetric: (name) => void metrics.push(name),
    ...extra,
  });
  const done = () => {
    d.close();
    store.close();
    rmSync(dir, { recursive: true });
  };
  return { d, store, metrics, dir, done };
}

test('backoff doubles up to the cap, jitter only shortens it', () => {
  const p = retryPolicy({ baseMs: 1000, maxMs: 5000, jitter: 0 });
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(n, p)), [1000, 2000, 4000, 5000, 5000]);
  const j = retryPolicy({ baseMs: 1000, maxMs: 5000, jitter: 0.5 });
  assert.equal(backoffDelay(2, j, () => 0), 2000);
  assert.equal(backoffDelay(2, j, () => 0.999999), 1000);
  assert.throws(() => retryPolicy({ maxAttempts: 0 }), /maxAttempts/);
  assert.deepEqual(retryPolicy(), { maxAttempts: 10, baseMs: 2000, maxMs: 300000, jitter: 0.5 });
});

test('dispatch writes the outbox row before delivering, then records delivery and alert history', async () => {
  const a = scripted();
  const { d, store, metrics, done } = setup({ t1: a.alert });
  d.dispatch([{ event: ev('e1'), target: 't1' }]);
  const rows = store.list({});
  assert.equal(rows.length, 1, 'the row exists as soon as dispatch returns');
  assert.equal(rows[0]!.id, 'e1#t1');
  await until(() => store.list({ state: 'delivered' }).length === 1);
  assert.deepEqual(a.got, ['e1']);
  assert.deepEqual(metrics, ['alert_delivered']);
  const h = store.history({ kind: 'alert' });
  assert.equal(h.length, 1);
  assert.equal(h[0]!.type, 'alert');
  assert.equal(h[0]!.plugin, 'fake');
  assert.equal(h[0]!.args, 't1');
  done();
});

test('the same event to the same target is delivered once, even if dispatched twice', async () => {
  const a = scripted();
  const { d, store, done } = setup({ t1: a.alert });
  d.dispatch([{ event: ev('e1'), target: 't1' }]);
  d.dispatch([{ event: ev('e1'), target: 't1' }]);
  await until(() => store.list({ state: 'delivered' }).length === 1);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(a.calls(), 1);
  done();
});

test('a failing send is retried with backoff, then given up at the limit with the last error', async () => {
  const flaky = scripted(2);
  const dead = scripted(99);
  const { log, lines } = recordingLog();
  const { d, store, metrics, done } = setup({ flaky: flaky.alert, dead: dead.alert }, { log });
  const t0 = Date.now();
  d.dispatch([{ event: ev('e1'), target: 'flaky' }, { event: ev('e2'), target: 'dead' }]);
  await until(() => store.pending().length === 0);
  const byId = Object.fromEntries(store.list({}).map((r) => [r.id, r]));
  assert.equal(byId['e1#flaky']!.state, 'delivered');
  assert.equal(byId['e1#flaky']!.attempts, 3);
  assert.equal(byId['e2#dead']!.state, 'given-up');
  assert.equal(byId['e2#dead']!.attempts, 4);
  assert.match(byId['e2#dead']!.lastError!, /gave up after 4 attempts; last error: connect ECONNREFUSED \(call 4\)/);
  assert.ok(Date.now() - t0 >= 10 + 20 + 40, 'waited 10, 20, 40 ms between the four attempts');
  assert.equal(metrics.filter((m) => m === 'alert_given_up').length, 1);
  assert.equal(metrics.filter((m) => m === 'alert_failed').length, 2 + 4);
  assert.ok(lines.some((l) => l.level === 'error' && l.msg === 'alert delivery given up' && l.fields.target === 'dead'));
  assert.equal(store.history({}).length, 1, 'only the delivered one is in the alert history');
  done();
});

test('per target order holds: an up waits for its down, other targets are not blocked', async () => {
  const order: string[] = [];
  let failures = 2;
  const a: Alert = {
    async send(e) {
      if (e.type === 'down' && failures-- > 0) throw new Error('smtp down');
      order.push(`a:${e.id}`);
    },
  };
  const b: Alert = { async send(e) { order.push(`b:${e.id}`); } };
  const { d, store, done } = setup({ a, b });
  d.dispatch([{ event: ev('down1'), target: 'a' }]);
  d.dispatch([{ event: ev('up1', 'up'), target: 'a' }, { event: ev('other'), target: 'b' }]);
  await until(() => store.pending().length === 0);
  assert.deepEqual(order.filter((x) => x.startsWith('a:')), ['a:down1', 'a:up1']);
  assert.equal(order[0], 'b:other', 'target b went first while a retried its down');
  done();
});

test('a target removed by a reload is given up with a reason that says so', async () => {
  const { d, store, metrics, done } = setup({});
  d.dispatch([{ event: ev('e1'), target: 'web/http/always/alerts/3' }]);
  await until(() => store.pending().length === 0);
  const row = store.list({})[0]!;
  assert.equal(row.state, 'given-up');
  assert.equal(row.attempts, 0);
  assert.match(row.lastError!, /"web\/http\/always\/alerts\/3" is no longer in the config/);
  assert.deepEqual(metrics, ['alert_given_up']);
  done();
});

test('a send that ignores its signal is cut off at the timeout and retried', async () => {
  const hang = scripted(0, { hang: true });
  const { d, store, done } = setup({ h: hang.alert }, { sendTimeoutMs: 50, retry: { baseMs: 1000, maxMs: 1000, jitter: 0 } });
  d.dispatch([{ event: ev('e1'), target: 'h' }]);
  await until(() => store.list({})[0]!.attempts === 1);
  const row = store.list({})[0]!;
  assert.equal(row.state, 'pending');
  assert.equal(row.lastError, 'send timed out after 50 ms');
  done();
});

test('a send that answers its signal at the timeout keeps its own words in the error', async () => {
  const words: Alert = {
    send: (_e, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('webhook gave no answer')))),
  };
  const { d, store, done } = setup({ w: words }, { sendTimeoutMs: 50, retry: { baseMs: 1000, maxMs: 1000, jitter: 0 } });
  d.dispatch([{ event: ev('e1'), target: 'w' }]);
  await until(() => store.list({})[0]!.attempts === 1);
  assert.equal(store.list({})[0]!.lastError, 'send timed out after 50 ms: webhook gave no answer');
  done();
});

test('resume delivers what a previous run left pending, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-disp-'));
  let store: Store = openStore(dir);
  const dead = scripted(99);
  const first = createDispatcher({ store, resolve: () => ({ plugin: 'fake', alert: dead.alert }), log: silentLogger, retry: { baseMs: 60_000, maxMs: 60_000 } });
  first.dispatch([{ event: ev('down1'), target: 'a' }, { event: ev('up1', 'up'), target: 'a' }]);
  await until(() => dead.calls() === 1);
  first.close();
  store.close();

  store = openStore(dir);
  const ok = scripted();
  const second = createDispatcher({ store, resolve: () => ({ plugin: 'fake', alert: ok.alert }), log: silentLogger });
  await second.resume();
  second.dispatch([{ event: ev('down2'), target: 'a' }]);
  await until(() => store.pending().length === 0);
  assert.deepEqual(ok.got, ['down1', 'up1', 'down2']);
  second.close();
  store.close();
  rmSync(dir, { recursive: true });
});

test('drain lets in-flight sends finish, aborts at the bound, and leaves the rest pending', async () => {
  const slow = scripted(0, { delayMs: 80 });
  const hang = scripted(0, { hang: true });
  const { d, store, done } = setup({ slow: slow.alert, hang: hang.alert }, { sendTimeoutMs: 10_000 });
  d.dispatch([{ event: ev('s1'), target: 'slow' }, { event: ev('h1'), target: 'hang' }]);
  const t0 = Date.now();
  await d.drain(300);
  const took = Date.now() - t0;
  assert.ok(took >= 290 && took < 2000, `drain took ${took} ms`);
  const byId = Object.fromEntries(store.list({}).map((r) => [r.id, r]));
  assert.equal(byId['s1#slow']!.state, 'delivered');
  assert.equal(byId['h1#hang']!.state, 'pending');
  assert.match(byId['h1#hang']!.lastError!, /aborted at shutdown/);
  done();
});

test('when the outbox cannot be written, the alert still goes out from memory', async () => {
  const a = scripted();
  const { log, lines } = recordingLog();
  const { d, store, done } = setup({ t: a.alert }, { log });
  const enqueue = store.enqueue.bind(store);
  store.enqueue = () => {
    throw new Error('database or disk is full');
  };
  d.dispatch([{ event: ev('e1'), target: 't' }]);
  await until(() => a.got.length === 1);
  assert.ok(lines.some((l) => l.level === 'error' && /outbox write failed/.test(l.msg)));
  store.enqueue = enqueue;
  done();
});

test('events dispatched after shutdown are kept in the outbox for the next start', async () => {
  const a = scripted();
  const { d, store, done } = setup({ t: a.alert });
  d.close();
  d.dispatch([{ event: ev('late'), target: 't' }]);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(a.calls(), 0);
  assert.deepEqual(store.pending().map((p) => p.eventId), ['late']);
  done();
});

test('a permanent refusal is given up at once, not retried', async () => {
  const { permanentFailure } = await import('../../core/types.ts');
  let calls = 0;
  const alert: Alert = {
    async send() {
      calls++;
      throw permanentFailure('the server answered 554 (relay denied)');
    },
  };
  const { d, store, metrics, done } = setup({ t: alert });
  try {
    d.dispatch([{ event: ev('p1'), target: 't' }]);
    await until(() => store.list({}).some((r) => r.state === 'given-up'));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls, 1, 'tried once');
    const row = store.list({})[0]!;
    assert.equal(row.attempts, 1);
    assert.match(row.lastError ?? '', /refused for good, not retried: .*554/);
    assert.ok(metrics.includes('alert_given_up'));
  } finally {
    done();
  }
});
