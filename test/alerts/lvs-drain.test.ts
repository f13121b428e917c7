/**
 * Drain: the pure parts (ipvsadm -L -n parser, the drain state machine, the
 * planner's drain rules) and the alert's drain() against a fake ipvsadm that
 * keeps a table (test/helpers/fake-ipvsadm.mjs). The kernel proof is the VM test.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIpvsList } from '../../alerts/lvs/parse-list.ts';
import { startDrain, stepDrain } from '../../alerts/lvs/drain.ts';
import { planPool } from '../../alerts/lvs/plan.ts';
import { parseIpvsSave } from '../../alerts/lvs/parse-table.ts';
import { normalizeOptions } from '../../alerts/lvs/options.ts';
import { createLvsAlert } from '../../alerts/lvs.ts';
import { silentLogger } from '../../core/log.ts';
import type { PluginContext } from '../../core/types.ts';

const LIST = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  127.0.0.100:80 rr
  -> 127.0.0.2:8080               Masq    1      3          12
  -> 127.0.0.3:8080               Masq    0      1          0
UDP  [fd00::100]:53 wlc persistent 300
  -> [fd00::2]:53                 Tunnel  4      0          7
FWM  5 IPv6 rr
  -> [fd00::3]:0                  Route   1      2          0
SCTP 127.0.0.100:9 rr
  -> 127.0.0.9:9                  Masq    1      5          0
`;

test('parseIpvsList: ActiveConn/InActConn per real server, by service key', () => {
  const m = parseIpvsList(LIST);
  assert.deepEqual([...m.keys()], ['tcp 127.0.0.100:80', 'udp [fd00::100]:53', 'fwmark 5 ipv6'], 'sctp skipped; IPv6 fwmark keyed apart');
  assert.deepEqual(m.get('tcp 127.0.0.100:80'), [
    { server: '127.0.0.2:8080', weight: 1, active: 3, inactive: 12 },
    { server: '127.0.0.3:8080', weight: 0, active: 1, inactive: 0 },
  ]);
  assert.deepEqual(m.get('udp [fd00::100]:53'), [{ server: '[fd00::2]:53', weight: 4, active: 0, inactive: 7 }]);
  assert.deepEqual(m.get('fwmark 5 ipv6')?.[0]?.active, 2);
  assert.equal(parseIpvsList('').size, 0);
});

test('stepDrain: draining until no active connection or the timeout, then drained for good', () => {
  const d = startDrain(1000, 5000);
  assert.equal(stepDrain(d, 2, 2000), d, 'connections open: still draining');
  assert.equal(stepDrain(d, undefined, 5999).phase, 'draining', 'unknown count: only the timeout ends it');
  assert.deepEqual(stepDrain(d, 0, 2000), { ...d, phase: 'drained', why: 'no active connections left' });
  assert.match(stepDrain(d, 4, 6000).why!, /timeout passed with 4 active/);
  const done = stepDrain(d, 0, 2000);
  assert.equal(stepDrain(done, 9, 9000), done, 'drained stays drained');
});

test('planPool with drains: weight 0 while draining, removed when drained, over health, minServers and sorry server', async () => {
  const cfg = await normalizeOptions({ service: 'tcp 127.0.0.100:80', method: 'nat', port: 8080, minServers: 1, sorryServer: '127.0.0.9:8080' }, ['127.0.0.2', '127.0.0.3'], async (h) => h);
  const table = parseIpvsSave('-A -t 127.0.0.100:80 -s rr\n-a -t 127.0.0.100:80 -r 127.0.0.2:8080 -m -w 1\n-a -t 127.0.0.100:80 -r 127.0.0.3:8080 -m -w 1\n');
  const up = { '127.0.0.2': 'up', '127.0.0.3': 'up' } as const;
  const ops = (drains: Record<string, 'draining' | 'drained'>, health: Record<string, 'up' | 'down'> = up) =>
    planPool(cfg.managed, cfg.policy, health, table, drains).commands.map((c) => `${c.op} ${c.server} ${c.args.includes('-w') ? c.args.at(-1) : ''}`.trim());
  assert.deepEqual(ops({}), []);
  assert.deepEqual(ops({ '127.0.0.3': 'draining' }), ['edit-server 127.0.0.3:8080 0']);
  assert.deepEqual(ops({ '127.0.0.3': 'drained' }), ['delete-server 127.0.0.3:8080']);
  // both drained: minServers does not keep them (the operator asked), the sorry server goes in
  assert.deepEqual(ops({ '127.0.0.2': 'drained', '127.0.0.3': 'drained' }), ['add-server 127.0.0.9:8080 1', 'delete-server 127.0.0.2:8080', 'delete-server 127.0.0.3:8080']);
  // a draining server that is not in the table is not added back at weight 0
  const without = parseIpvsSave('-A -t 127.0.0.100:80 -s rr\n-a -t 127.0.0.100:80 -r 127.0.0.2:8080 -m -w 1\n');
  assert.deepEqual(planPool(cfg.managed, cfg.policy, up, without, { '127.0.0.3': 'draining' }).commands, []);
});

let dir: string;
let state: string;
const FAKE = join(import.meta.dirname, '..', 'helpers', 'fake-ipvsadm.mjs');
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-lvs-drain-'));
  state = join(dir, 'ipvs.json');
});
after(() => rmSync(dir, { recursive: true, force: true }));

type Table = Record<string, { scheduler: string; servers: Record<string, { method: string; weight: number; active?: number }> }>;
const read = (): Table => JSON.parse(readFileSync(state, 'utf8')).services;
const write = (t: Table) => writeFileSync(state, JSON.stringify({ services: t }));
const weights = () => Object.fromEntries(Object.entries(read()['127.0.0.100:80']!.servers).map(([k, v]) => [k, v.weight]));
const ctx: PluginContext = { log: silentLogger, now: Date.now, configDir: '/tmp', stateDir: '/tmp', watch: 'web', service: 'http', hosts: ['127.0.0.2', '127.0.0.3'] };

test('drain(): weight 0 at once, stays while connections are active, removed at 0, stays out until undrain', async () => {
  write({ '127.0.0.100:80': { scheduler: 'rr', servers: { '127.0.0.2:8080': { method: 'Masq', weight: 1 }, '127.0.0.3:8080': { method: 'Masq', weight: 1, active: 2 } } } });
  const a = await createLvsAlert({ service: 'tcp 127.0.0.100:80', method: 'nat', port: 8080, command: [process.execPath, FAKE, state] }, ctx);
  try {
    await a.start({ '127.0.0.2': 'up', '127.0.0.3': 'up' });
    assert.equal(await a.drain('127.0.0.7', { timeoutMs: 60_000 }), false, 'not a managed host');
    assert.equal(await a.drain('127.0.0.3', { timeoutMs: 60_000 }), true);
    assert.deepEqual(weights(), { '127.0.0.2:8080': 1, '127.0.0.3:8080': 0 }, 'weight 0 at once');
    await a.apply();
    await a.apply();
    assert.deepEqual(weights(), { '127.0.0.2:8080': 1, '127.0.0.3:8080': 0 }, 'two active connections: stays at weight 0');
    const srv = a.describe()[0]!.servers.find((s) => s.server === '127.0.0.3:8080')!;
    assert.deepEqual([srv.pool, srv.drain], ['quiescent', 'draining']);
    const t = read();
    t['127.0.0.100:80']!.servers['127.0.0.3:8080']!.active = 0;
    write(t);
    await a.apply();
    assert.deepEqual(weights(), { '127.0.0.2:8080': 1 }, 'no active connection: removed');
    // healthy checks do not bring it back while drained
    await a.observe({ watch: 'web', service: 'http', at: Date.now(), hosts: { '127.0.0.2': { ok: true, summary: '' }, '127.0.0.3': { ok: true, summary: '' } } });
    assert.deepEqual(weights(), { '127.0.0.2:8080': 1 }, 'drained: stays out although healthy');
    assert.equal(a.describe()[0]!.servers[1]!.drain, 'drained');
    assert.equal(await a.drain('127.0.0.3', { undo: true }), true);
    assert.deepEqual(weights(), { '127.0.0.2:8080': 1, '127.0.0.3:8080': 1 }, 'undrain: health decides (up: back in)');
    assert.equal(a.describe()[0]!.servers[1]!.drain, undefined);
  } finally {
    await a.close();
  }
});

test('drain(): the timeout ends the wait; a down host is not put back by undrain; the poll runs on its own', async () => {
  write({ '127.0.0.100:80': { scheduler: 'rr', servers: { '127.0.0.2:8080': { method: 'Masq', weight: 1 }, '127.0.0.3:8080': { method: 'Masq', weight: 1, active: 5 } } } });
  const a = await createLvsAlert({ service: 'tcp 127.0.0.100:80', method: 'nat', port: 8080, command: [process.execPath, FAKE, state] }, ctx);
  try {
    await a.start({ '127.0.0.2': 'up', '127.0.0.3': 'up' });
    await a.drain('127.0.0.3', { timeoutMs: 300 });
    assert.deepEqual(weights(), { '127.0.0.2:8080': 1, '127.0.0.3:8080': 0 });
    // no check runs here: the alert's own poll (every second while draining) sees the timeout
    const end = Date.now() + 5000;
    while (weights()['127.0.0.3:8080'] !== undefined && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(weights(), { '127.0.0.2:8080': 1 }, 'removed after the timeout with connections still open');
    await a.observe({ watch: 'web', service: 'http', at: Date.now(), hosts: { '127.0.0.3': { ok: false, summary: 'refused' } } });
    await a.drain('127.0.0.3', { undo: true });
    assert.deepEqual(weights(), { '127.0.0.2:8080': 1 }, 'undrain of a down host: health keeps it out');
  } finally {
    await a.close();
  }
});
