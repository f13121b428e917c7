import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher } from '../../core/dispatcher.ts';
import { openStore, type Store } from '../../core/store.ts';
import { WRITE_BATCH_MAX, WriteBehind } from '../../core/dispatch/write-behind.ts';
import { silentLogger } from '../../core/log.ts';
import type { Alert, AlertEvent } from '../../core/types.ts';

function ev(id: string): AlertEvent {
  return {
    id, type: 'up', watch: 'web', service: 'http', hosts: ['127.0.0.2'], failedHosts: [],
    summary: `up ${id}`, detail: '', output: '', at: 1, count: 1, incident: 'web/http/1',
  };
}

/** The real SQLite store, counting commits: one per outer `transaction`, one per write made outside any. */
function countingStore(dir: string) {
  const store = openStore(dir);
  const c = { commits: 0, depth: 0, marksOutside: 0, marks: 0 };
  const transaction = store.transaction.bind(store);
  store.transaction = <T>(fn: () => T): T => {
    if (c.depth === 0) c.commits++;
    c.depth++;
    try {
      return transaction(fn);
    } finally {
      c.depth--;
    }
  };
  for (const name of ['markDelivered', 'markFailed', 'markGivenUp'] as const) {
    const real = (store[name] as (...a: unknown[]) => void).bind(store);
    (store as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
      c.marks++;
      if (c.depth === 0) (c.commits++, c.marksOutside++);
      real(...a);
    };
  }
  return { store, c };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('2,000 deliveries of one tick share a handful of commits, not 2,000', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-batch-'));
  const { store, c } = countingStore(dir);
  let sent = 0;
  const alert: Alert = { async send() { sent++; } };
  const d = createDispatcher({ store, resolve: () => ({ plugin: 'noop', alert }), log: silentLogger });
  const items = Array.from({ length: 2000 }, (_, i) => ({ event: ev(`e${i % 100}`), target: `t${Math.floor(i / 100)}` }));
  d.dispatch(items);
  await until(() => sent === 2000 && store.pending().length === 0);
  assert.equal(c.marks, 2000);
  assert.equal(c.marksOutside, 0, 'every outcome is written inside a batch transaction');
  const most = Math.ceil(2000 / WRITE_BATCH_MAX) + 2;
  assert.ok(c.commits <= most, `${c.commits} commits for 2,000 deliveries (expected at most ${most})`);
  const delivered = store.list({ state: 'delivered', limit: 5000 });
  assert.equal(delivered.length, 2000);
  assert.equal(store.history({ kind: 'alert', limit: 5000 }).length, 2000, 'each delivery has its history line');
  d.close();
  store.close();
  rmSync(dir, { recursive: true });
});

test('outcomes known when the dispatcher closes are committed before it returns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-batch-'));
  const { store, c } = countingStore(dir);
  let sent = 0;
  const alert: Alert = { async send() { sent++; } };
  const d = createDispatcher({ store, resolve: () => ({ plugin: 'noop', alert }), log: silentLogger });
  d.dispatch([{ event: ev('a'), target: 't' }, { event: ev('b'), target: 't' }, { event: ev('c'), target: 't' }]);
  // Let the sends run (microtasks only), but not the setImmediate flush.
  for (let i = 0; i < 10_000 && sent < 3; i++) await Promise.resolve();
  for (let i = 0; i < 50; i++) await Promise.resolve();
  assert.equal(sent, 3);
  assert.equal(store.pending().length, 3, 'outcomes wait for the end of the tick');
  d.close();
  assert.equal(store.pending().length, 0);
  assert.equal(c.commits, 1, 'the three outcomes were one commit');
  store.close();
  rmSync(dir, { recursive: true });
});

test('one failing update in a batch does not cost the others theirs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-batch-'));
  const store: Store = openStore(dir);
  const errors: unknown[] = [];
  const wb = new WriteBehind(store, (e) => void errors.push(e));
  store.enqueue([{ id: 'x', target: 't', plugin: 'p', event: ev('x'), createdAt: 1 }]);
  wb.add(() => store.markDelivered('x', 2));
  wb.add(() => {
    throw new Error('database or disk is full');
  });
  wb.flush();
  assert.equal(errors.length, 1);
  assert.equal(store.list({})[0]!.state, 'delivered');
  store.close();
  rmSync(dir, { recursive: true });
});

test('a store transaction that throws keeps none of its writes; a nested one joins the outer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-batch-'));
  const store = openStore(dir);
  store.enqueue([
    { id: 'a', target: 't', plugin: 'p', event: ev('a'), createdAt: 1 },
    { id: 'b', target: 't', plugin: 'p', event: ev('b'), createdAt: 1 },
  ]);
  assert.throws(() =>
    store.transaction(() => {
      store.markDelivered('a', 2);
      throw new Error('boom');
    }),
  /boom/);
  assert.equal(store.pending().length, 2);
  const r = store.transaction(() => {
    store.transaction(() => store.markDelivered('a', 2));
    store.markGivenUp('b', 2, 'gone');
    return 7;
  });
  assert.equal(r, 7);
  assert.deepEqual(store.list({}).map((x) => x.state).sort(), ['delivered', 'given-up']);
  store.close();
  rmSync(dir, { recursive: true });
});

// Events of 100 targets each, one per tick, as the engine emits them in a storm.
test('a burst over 20 ticks costs about one commit per tick, not one per delivery', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-batch-'));
  const { store, c } = countingStore(dir);
  let sent = 0;
  const alert: Alert = { async send() { sent++; } };
  const d = createDispatcher({ store, resolve: () => ({ plugin: 'noop', alert }), log: silentLogger });
  for (let e = 0; e < 20; e++) {
    d.dispatch(Array.from({ length: 100 }, (_, k) => ({ event: ev(`b${e}`), target: `t${k}` })));
    await new Promise((r) => setImmediate(r));
  }
  await until(() => sent === 2000 && store.pending().length === 0);
  // 20 enqueues + the batched outcomes; before batching this was 20 + 2,000.
  assert.ok(c.commits < 20 + 100, `${c.commits} commits`);
  d.close();
  store.close();
  rmSync(dir, { recursive: true });
});
