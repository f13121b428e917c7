import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, chmodSync, existsSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { openStore, StoreError, deliveryId, storeOptionsFromConfig, storeConfigSchema, type NewDelivery } from '../../core/store.ts';
import { Ajv } from 'ajv';
import { toStoreError } from '../../core/store/store-error.ts';
import type { AlertEvent } from '../../core/types.ts';
import type { HistoryRecord } from '../../core/runtime.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = () => mkdtempSync(join(tmpdir(), 'vigil-store-'));

function event(n: number, type: AlertEvent['type'] = 'down', service = 'http'): AlertEvent {
  return {
    id: `web/${service}/-/1000/${n}`,
    type,
    watch: 'web',
    service,
    hosts: ['127.0.0.2', '127.0.0.3'],
    failedHosts: ['127.0.0.2'],
    summary: `127.0.0.2 refused ${n}`,
    detail: 'connect ECONNREFUSED',
    output: '127.0.0.2 refused\nconnect ECONNREFUSED\n',
    at: 1000 + n,
    count: n,
    incident: 'web/http/1000',
  };
}

function delivery(n: number, target = 'web/http/always/alerts/0', type: AlertEvent['type'] = 'down'): NewDelivery {
  const e = event(n, type);
  return { id: deliveryId(e.id, target), target, plugin: 'email', event: e, createdAt: 5000 + n };
}

function rec(id: string, at: number, over: Partial<HistoryRecord> = {}): HistoryRecord {
  return { id, kind: 'alert', at, watch: 'web', service: 'http', type: 'alert', summary: `s ${id}`, ...over };
}

test('history: appends, filters, keeps the newest N oldest-first, ignores a repeated id', () => {
  const dir = tmp();
  const s = openStore(dir);
  s.appendHistory(rec('a', 100, { kind: 'failure', type: 'failure' }));
  s.appendHistory(rec('b', 200, { plugin: 'email', args: 'ops@example.com', detail: 'd', host: '127.0.0.2' }));
  s.appendHistory(rec('c', 300, { service: 'smtp' }));
  s.appendHistory(rec('b', 999, { summary: 'duplicate' }));
  assert.deepEqual(s.history({}).map((r) => r.id), ['a', 'b', 'c']);
  assert.deepEqual(s.history({ kind: 'alert' }).map((r) => r.id), ['b', 'c']);
  assert.deepEqual(s.history({ service: 'http' }).map((r) => r.id), ['a', 'b']);
  assert.deepEqual(s.history({ since: 150, until: 250 }).map((r) => r.id), ['b']);
  assert.deepEqual(s.history({ limit: 2 }).map((r) => r.id), ['b', 'c']);
  assert.deepEqual(s.history({ watch: 'nope' }), []);
  const b = s.history({ since: 200, until: 200 })[0]!;
  assert.deepEqual(b, rec('b', 200, { plugin: 'email', args: 'ops@example.com', detail: 'd', host: '127.0.0.2' }));
  s.close();
  rmSync(dir, { recursive: true });
});

test('retention: prunes by age and by count, never pending outbox rows', () => {
  const dir = tmp();
  let now = 10 * 86_400_000;
  const s = openStore(dir, { retentionMs: 86_400_000, maxHistory: 3, now: () => now });
  for (let i = 0; i < 6; i++) s.appendHistory(rec(`r${i}`, now - 3 * 86_400_000 + i * 86_400_000));
  s.enqueue([delivery(1), delivery(2)]);
  s.markDelivered(deliveryId(event(1).id, 'web/http/always/alerts/0'), now - 2 * 86_400_000);
  const removed = s.prune();
  // r0..r1 too old (more than a day before now), then the count limit of 3 drops nothing more (r2..r5 = 4 -> 3).
  assert.deepEqual(s.history({}).map((r) => r.id), ['r3', 'r4', 'r5']);
  assert.equal(removed.history, 3);
  assert.equal(removed.outbox, 1);
  assert.deepEqual(s.pending().map((p) => p.event.count), [2]);
  now += 100 * 86_400_000;
  s.prune();
  assert.equal(s.pending().length, 1, 'a pending delivery is never pruned, however old');
  s.close();
  rmSync(dir, { recursive: true });
});

test('outbox: enqueue is idempotent by id, keeps order, and survives reopening', () => {
  const dir = tmp();
  let s = openStore(dir);
  const first = s.enqueue([delivery(1), delivery(2, 'web/http/always/upalerts/0', 'up'), delivery(3)]);
  assert.equal(first.length, 3);
  assert.equal(first[0]!.state, 'pending');
  assert.equal(first[0]!.attempts, 0);
  assert.deepEqual(first[0]!.event, event(1));
  assert.equal(s.enqueue([delivery(1), delivery(4)]).length, 1, 'a delivery already in the outbox is not written twice');
  const id2 = first[1]!.id;
  s.markFailed(first[0]!.id, 9000, 'connect ECONNREFUSED 127.0.0.1:2525');
  s.markDelivered(id2, 7000, rec(id2, 7000, { type: 'upalert', plugin: 'email' }));
  s.markGivenUp(first[2]!.id, 8000, 'target gone');
  assert.deepEqual(s.history({}).map((h) => [h.id, h.type]), [[id2, 'upalert']], 'delivery and its history line commit together');
  s.close();

  s = openStore(dir, { now: () => 10_000 });
  const pending = s.pending();
  assert.deepEqual(pending.map((p) => p.event.count), [1, 4]);
  assert.equal(pending[0]!.attempts, 1);
  assert.equal(pending[0]!.nextAttemptAt, 9000);
  assert.equal(pending[0]!.lastError, 'connect ECONNREFUSED 127.0.0.1:2525');
  const all = s.list({});
  assert.deepEqual(all.map((e) => e.state), ['pending', 'given-up', 'delivered', 'pending']);
  const done = s.list({ state: 'delivered' });
  assert.equal(done.length, 1);
  assert.equal(done[0]!.deliveredAt, 7000);
  assert.equal(done[0]!.type, 'up');
  assert.equal(done[0]!.plugin, 'email');
  assert.equal(s.list({ state: 'given-up' })[0]!.lastError, 'target gone');
  assert.equal(s.list({ limit: 1 }).length, 1);
  // A finished delivery does not go back to pending.
  s.markFailed(id2, 1, 'late');
  assert.equal(s.list({ state: 'delivered' })[0]!.lastError, undefined);
  s.close();
  rmSync(dir, { recursive: true });
});

test('operator state and service states round-trip through a restart', () => {
  const dir = tmp();
  let s = openStore(dir);
  s.setOperatorState({
    disabledHosts: ['127.0.0.2'],
    disabledWatches: ['db'],
    disabledServices: [{ watch: 'web', service: 'http' }],
    acks: [{ watch: 'web', service: 'smtp', comment: 'on it', user: 'alice', at: 42 }],
    drains: [{ host: '127.0.0.5', deadline: 1000 }],
  });
  s.setDisabled('host', '127.0.0.3', true);
  s.setDrain('127.0.0.6', 2000);
  s.setDrain('127.0.0.5', undefined);
  s.setDrain('127.0.0.7', 3000);
  s.setDrain('127.0.0.7', 4000); // draining again moves the deadline
  s.setDisabled('host', '127.0.0.2', false);
  s.setDisabled('service', 'web/dns', true);
  s.setAck({ watch: 'web', service: 'dns', comment: 'known', at: 43 });
  s.clearAck('web', 'smtp');
  s.saveServiceStates({ 'web/http': { status: 'fail', seq: 3, hosts: { a: 1 } }, 'web/smtp': { status: 'ok' } });
  s.saveServiceStates({ 'web/http': { status: 'ok', seq: 4 } });
  s.close();
  s = openStore(dir);
  const op = s.getOperatorState();
  assert.deepEqual(op.disabledHosts, ['127.0.0.3']);
  assert.deepEqual(op.disabledWatches, ['db']);
  assert.deepEqual(
    op.disabledServices.sort((a, b) => a.service.localeCompare(b.service)),
    [{ watch: 'web', service: 'dns' }, { watch: 'web', service: 'http' }],
  );
  assert.deepEqual(op.acks, [{ watch: 'web', service: 'dns', comment: 'known', at: 43 }]);
  assert.deepEqual(op.drains.sort((a, b) => a.host.localeCompare(b.host)), [{ host: '127.0.0.6', deadline: 2000 }, { host: '127.0.0.7', deadline: 4000 }]);
  assert.deepEqual(s.loadServiceStates(), { 'web/http': { status: 'ok', seq: 4 } });
  s.close();
  rmSync(dir, { recursive: true });
});

test('the file is WAL with synchronous=FULL and lives at state_dir/vigil.db', () => {
  const dir = join(tmp(), 'nested', 'var');
  const s = openStore(dir);
  assert.equal(s.file, join(dir, 'vigil.db'));
  assert.ok(existsSync(join(dir, 'vigil.db')));
  assert.ok(existsSync(join(dir, 'vigil.db-wal')), 'WAL mode leaves a -wal file beside the store');
  s.close();
  const db = new Database(join(dir, 'vigil.db'), { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'WAL is a property of the file, seen by any reader');
  db.close();
});

test('a file that is not a store gives a StoreError naming the file and the recovery', () => {
  const dir = tmp();
  const file = join(dir, 'vigil.db');
  writeFileSync(file, 'this is not sqlite at all, just text that someone copied here\n'.repeat(200));
  assert.throws(
    () => openStore(dir),
    (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.equal(err.code, 'VIGIL_ERR_STORE');
      assert.equal(err.problem, 'corrupt');
      assert.match(err.message, new RegExp(`${file.replace(/[.]/g, '\\.')} is damaged`));
      assert.match(err.message, /move the file aside/);
      assert.match(err.message, /Lost with it: alert\/failure history, undelivered alerts/);
      return true;
    },
  );
  rmSync(dir, { recursive: true });
});

test('a store with damaged pages is refused at open, not at the first alert', () => {
  const dir = tmp();
  const s = openStore(dir);
  for (let i = 0; i < 400; i++) s.appendHistory(rec(`r${i}`, i, { detail: 'x'.repeat(200) }));
  s.close();
  const file = join(dir, 'vigil.db');
  assert.ok(!existsSync(file + '-wal') || statSync(file + '-wal').size === 0, 'close checkpoints the WAL into the file');
  const size = statSync(file).size;
  assert.ok(size > 8 * 4096);
  const fd = openSync(file, 'r+');
  const junk = Buffer.alloc(4096 * 3, 0xa5);
  writeSync(fd, junk, 0, junk.length, 4096 * 2); // pages 3..5: b-tree pages of the tables
  closeSync(fd);
  assert.throws(() => openStore(dir), (err: unknown) => err instanceof StoreError && err.problem === 'corrupt' && /move the file aside/.test(err.message));
  rmSync(dir, { recursive: true });
});

test('a state directory vigil cannot write gives a StoreError saying what to check', () => {
  const dir = tmp();
  // Root ignores file modes; as root the open runs in a child without capabilities (setpriv, util-linux),
  // which obeys them like any user while still reading the repository.
  const existing = join(dir, 'has-db');
  openStore(existing).close();
  const empty = join(dir, 'empty');
  execFileSync('mkdir', ['-p', empty]);
  chmodSync(dir, 0o755);
  chmodSync(empty, 0o555);
  chmodSync(existing, 0o555);
  chmodSync(join(existing, 'vigil.db'), 0o444);
  const script =
    `const { openStore } = await import(${JSON.stringify(join(ROOT, 'core/store.ts'))});` +
    `for (const d of process.argv.slice(1)) { try { openStore(d).close(); console.log('opened'); }` +
    ` catch (e) { console.log(JSON.stringify({ code: e.code, problem: e.problem, message: e.message })); } }`;
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script, empty, existing];
  const argv = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', ...node] : node;
  const out = execFileSync(argv[0]!, argv.slice(1), { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: dir } });
  const results = out.trim().split('\n').map((l) => JSON.parse(l) as { code: string; problem: string; message: string });
  assert.equal(results.length, 2);
  for (const r of results) {
    assert.equal(r.code, 'VIGIL_ERR_STORE');
    assert.equal(r.problem, 'unwritable');
    assert.match(r.message, /vigil\.db/);
    assert.match(r.message, /writable by the user vigil runs as/);
  }
  chmodSync(empty, 0o755);
  chmodSync(existing, 0o755);
  rmSync(dir, { recursive: true });
});

test('disk full and unknown I/O errors map to typed errors', () => {
  const full = toStoreError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), '/var/lib/vigil/vigil.db', 'write');
  assert.equal(full.problem, 'full');
  assert.match(full.message, /\/var\/lib\/vigil\/vigil\.db: the disk is full/);
  const io = toStoreError(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }), '/x/vigil.db', 'write');
  assert.equal(io.problem, 'io');
  assert.equal(toStoreError(Object.assign(new Error('ro'), { code: 'SQLITE_READONLY_DBMOVED' }), '/x', 'write').problem, 'unwritable');
});

test('store options come from the config\'s store object, with clear errors', () => {
  assert.deepEqual(storeOptionsFromConfig({}), {});
  assert.deepEqual(storeOptionsFromConfig({ store: { retention: '7d', max_history: 500 } }), { retentionMs: 7 * 86_400_000, maxHistory: 500 });
  assert.throws(() => storeOptionsFromConfig({ store: { retention: 'forever', max_histroy: 1 } }), (err: Error) => {
    assert.match(err.message, /store\/retention: must be a duration like "30d"/);
    assert.match(err.message, /store\/max_histroy: unknown key; expected "retention", "max_history"/);
    return true;
  });
});

test('one daemon per state directory: a live owner is refused, a dead one\'s lock is taken over', () => {
  const dir = tmp();
  const lock = join(dir, 'vigil.lock');
  writeFileSync(lock, `${process.ppid}\n`); // a process that is alive and is not us
  assert.throws(
    () => openStore(dir),
    (err: unknown) =>
      err instanceof StoreError &&
      err.problem === 'locked' &&
      err.message.includes(`in use by another vigil (pid ${process.ppid})`) &&
      err.message.includes(`remove ${lock}`),
  );
  const gone = execFileSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).trim();
  writeFileSync(lock, `${gone}\n`); // left behind by a kill -9
  const s = openStore(dir);
  assert.equal(readFileSync(lock, 'utf8').trim(), String(process.pid));
  const again = openStore(dir); // the same process may open it twice
  again.close();
  s.close();
  assert.ok(!existsSync(lock), 'close releases the lock');
  const ro = openStore(dir, { readonly: true });
  assert.ok(!existsSync(lock), 'a read-only open (vigil history) takes no lock');
  ro.close();
  rmSync(dir, { recursive: true });
});

test('the store schema accepts what storeOptionsFromConfig accepts', () => {
  const validate = new Ajv({ strict: true, allErrors: true }).compile(storeConfigSchema);
  assert.ok(validate({ retention: '7d', max_history: 500, prune_interval: '30m', synchronous: 'normal' }));
  assert.ok(!validate({ retention: 'forever' }));
  assert.ok(!validate({ max_histroy: 5 }));
  assert.ok(!validate({ synchronous: 'off' }));
});

// A start-up burst (one host-up per host) through the store, in a child node so its
// malloc heap is its own: SQLite's page cache is held to 2 MB, not better-sqlite3's
// 16 MB, which a burst like this fills and keeps.
const BURST = `
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { openStore, deliveryId } = await import(${JSON.stringify(join(ROOT, 'core/store.ts'))});
const heap = () => { const t = readFileSync('/proc/self/smaps', 'utf8'); const i = t.indexOf('[heap]'); return i < 0 ? 0 : Number(/Rss:\\s+(\\d+)/.exec(t.slice(i))[1]) * 1024; };
const s = openStore(mkdtempSync(join(tmpdir(), 'vigil-burst-')));
const hosts = Array.from({ length: 100 }, (_, i) => '127.0.0.' + i);
const before = heap();
for (let run = 0; run < 200; run++) {
  const batch = hosts.map((h, i) => {
    const e = { id: 'web' + run + '/tcp/' + h + '/1/' + i, type: 'host-up', watch: 'web' + run, service: 'tcp', hosts, failedHosts: [], host: h, summary: h + ': connected in 0.2 ms', at: 1, count: 0, incident: 'x' };
    const target = 'web' + run + '/tcp/always/alerts/0';
    return { id: deliveryId(e.id, target), target, plugin: 'log', event: e, createdAt: 1 };
  });
  s.enqueue(batch);
}
const grew = heap() - before;
s.close();
console.log(JSON.stringify({ grew }));
`;

test('a start-up burst of 20,000 events grows the malloc heap by less than 8 MiB (SQLite page cache held to 2 MB)', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', BURST], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const { grew } = JSON.parse(out.trim().split('\n').pop()!) as { grew: number };
  assert.ok(grew < 8 * 1024 * 1024, `malloc heap grew ${(grew / 1048576).toFixed(1)} MiB`);
});
