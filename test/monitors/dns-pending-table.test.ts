/**
 * The DNS transport's table of queries in flight: random ids, a free slot always
 * found, and no promotion of settled queries to V8's old generation, which a Map of
 * queries, or a Set of a signal's waiters, grown and shrunk by every burst of queries,
 * caused (see monitors/dns/pending-table.ts and core/kit/on-abort.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PendingTable } from '../../monitors/dns/pending-table.ts';

const entry = () => ({ id: -1 });

test('each entry gets a 16-bit id under which it is found, and only it', () => {
  const t = new PendingTable<{ id: number }>(128);
  const xs = Array.from({ length: 128 }, entry);
  const ids = xs.map((x) => t.add(x));
  assert.equal(t.size, 128);
  assert.equal(new Set(ids).size, 128, 'ids are distinct');
  for (const [i, x] of xs.entries()) {
    assert.equal(x.id, ids[i]);
    assert.ok(ids[i]! >= 0 && ids[i]! < 0x10000);
    assert.equal(t.get(ids[i]!), x);
  }
  // Same slot, other high bits: a different id is not found.
  assert.equal(t.get(ids[0]! ^ 0x8000), undefined);
});

test('a taken slot moves the id to the next free slot, keeping the random high bits', () => {
  const t = new PendingTable<{ id: number }>(8); // 16 slots
  const a = entry();
  const b = entry();
  assert.equal(t.add(a, () => 0x1234 / 0x10000), 0x1234);
  assert.equal(t.add(b, () => 0x5674 / 0x10000), 0x5675, 'slot 4 taken: slot 5, high bits 0x567');
  t.add(entry(), () => 0x000f / 0x10000);
  const c = entry();
  t.add(c, () => 0x9abf / 0x10000);
  assert.equal(c.id, 0x9ab0, 'slot 15 taken: wraps around to slot 0, high bits 0x9ab');
});

test('remove frees the slot, only for the entry held there; iterating while removing is safe', () => {
  const t = new PendingTable<{ id: number }>(4);
  const xs = Array.from({ length: 4 }, entry);
  for (const x of xs) t.add(x);
  const stranger = { id: xs[0]!.id };
  assert.equal(t.remove(stranger), false, 'same id, other entry');
  assert.equal(t.size, 4);
  let seen = 0;
  for (const x of t) {
    assert.equal(t.remove(x), true);
    seen++;
  }
  assert.equal(seen, 4);
  assert.equal(t.size, 0);
  assert.equal(t.get(xs[1]!.id), undefined);
  assert.equal(t.remove(xs[1]!), false, 'twice');
});

test('ids are spread over the id space', () => {
  const t = new PendingTable<{ id: number }>(128);
  const highs = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const x = entry();
    t.add(x);
    highs.add(x.id >> 8);
    t.remove(x);
  }
  assert.ok(highs.size > 200, `${highs.size} distinct high bytes in 1,000 ids`);
});

test('the table never takes more entries than it has slots', () => {
  const t = new PendingTable<{ id: number }>(1); // 16 slots
  for (let i = 0; i < 16; i++) t.add(entry());
  assert.throws(() => t.add(entry()), /no free DNS query id/);
});

// A UDP responder in a process of its own (its buffers would be counted here): it
// echoes each query back as an answer.
const RESPONDER = `
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => { m[2] |= 0x80; s.send(m, r.port, r.address); });
s.bind(0, '127.0.0.1', () => console.log(s.address().port));
process.stdin.on('end', () => process.exit(0)).resume();
`;

const TRANSPORT = fileURLToPath(new URL('../../monitors/dns/udp-transport.ts', import.meta.url));
const WIRE = fileURLToPath(new URL('../../monitors/dns/wire.ts', import.meta.url));

const CHILD = `
import { spawn } from 'node:child_process';
import v8 from 'node:v8';
const { UdpTransport } = await import(${JSON.stringify(TRANSPORT)});
const { encodeQuery } = await import(${JSON.stringify(WIRE)});
const responder = spawn(process.execPath, ['-e', ${JSON.stringify(RESPONDER)}], { stdio: ['pipe', 'pipe', 'inherit'] });
const port = Number(await new Promise((r) => responder.stdout.once('data', (d) => r(String(d).trim()))));
const old = () => v8.getHeapSpaceStatistics().filter((s) => s.space_name !== 'new_space').reduce((a, s) => a + s.space_used_size, 0);
const udp = new UdpTransport({ retransmitMs: 0 });
const template = encodeQuery('www.example.test', 'A', true);
const server = { host: '127.0.0.1', port, address: '127.0.0.1', family: 4, label: '127.0.0.1:' + port };
// One signal that lives long, as the daemon's shutdown signal does (core/kit/on-abort.ts
// keeps its waiters). Bursts of 100 queries, as a service's run sends them; then two young
// collections, so whatever a dead old object still points at is promoted.
const signal = new AbortController().signal;
const bursts = async (n) => {
  for (let b = 0; b < n; b++) {
    await Promise.all(Array.from({ length: 100 }, () => udp.query(server, template, signal)));
    await new Promise((r) => setTimeout(r, 5)); // the last sends' callbacks
    gc({ type: 'minor' }); gc({ type: 'minor' });
  }
};
await bursts(10);
gc(); // the transport and its table are old now, as in a running daemon
const before = old();
await bursts(30);
console.log(JSON.stringify({ perQuery: (old() - before) / 3000 }));
udp.close();
responder.stdin.end();
`;

test('3,000 queries in bursts of 100 leave under 300 bytes each in the old generation (with a Map, or a Set of waiters: over 1 KB)', () => {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8', timeout: 60_000 });
  const { perQuery } = JSON.parse(out.trim().split('\n').pop()!) as { perQuery: number };
  assert.ok(perQuery < 300, `old generation grew ${Math.round(perQuery)} bytes per query`);
});
