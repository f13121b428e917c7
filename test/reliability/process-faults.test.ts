/**
 * Process faults against `vigil run` itself: SIGKILL at random points while
 * checks run and alerts are delivered, restarted each time. Afterwards every
 * outbox row is delivered, every delivered event reached the target, a
 * duplicate happens only for a delivery in flight at a kill, and the operator's
 * disabled/ack state survived every kill. SIGTERM drains in-flight alerts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVigil, type VigilProcess } from '../helpers/vigil-process.ts';
import { openStore } from '../../core/store.ts';
import { prng, recorded, writeCrashConfig } from './crash-fixtures.ts';
import { tableServers, writeLvsPoolConfig } from './peer-fixtures.ts';
import { report, sleep, SOAK, until } from './report.ts';

const TOKEN = 'crash-token-51f0';
const KILLS = 10 * SOAK;

async function started(file: string, extra: string[] = []): Promise<{ vigil: VigilProcess; api: string }> {
  const vigil = startVigil(['run', '-c', file, '--json-log', ...extra]);
  const line = await vigil.waitFor(/status page listening/, 30_000);
  const url = /"url":"(http:\/\/[^"]+?)\/?"/.exec(line)![1]!;
  return { vigil, api: url };
}

async function call(api: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(api + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function operatorView(status: any) {
  const svc = (name: string) => status.watches[0].services.find((s: any) => s.service === name);
  return { disabledHosts: status.disabledHosts, otherDisabled: svc('other').disabled, downAcked: svc('down').acked };
}

test(`SIGKILL of vigil run at ${KILLS} random points: nothing lost, duplicates only for in-flight deliveries, operator state kept`, { timeout: 240_000 * SOAK }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
  const file = writeCrashConfig(dir, { token: TOKEN });
  const rand = prng(0xc0ffee);
  // First run: the operator disables a host and a service and acknowledges the failing one.
  let { vigil, api } = await started(file);
  try {
    await until('the always-failing service to fail', async () => (await call(api, 'GET', '/api/services/g/down')).status === 'fail', 10_000);
    await call(api, 'POST', '/api/hosts/127.0.0.14/disable');
    await call(api, 'POST', '/api/services/g/other/disable');
    await call(api, 'POST', '/api/services/g/down/ack', { comment: 'known, on it' });
    const expected = operatorView(await call(api, 'GET', '/api/status'));
    assert.deepEqual(expected, { disabledHosts: ['127.0.0.14'], otherDisabled: true, downAcked: true });

    const killedAfter: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const wait = Math.round(200 + rand() * 1300);
      killedAfter.push(wait);
      await sleep(wait);
      vigil.child.kill('SIGKILL');
      await new Promise((r) => vigil.child.once('exit', r));
      ({ vigil, api } = await started(file));
      assert.deepEqual(operatorView(await call(api, 'GET', '/api/status')), expected, `operator state after kill ${i + 1}`);
    }
    // Last run: scheduler stopped, so no new events; what is pending must drain.
    await sleep(300);
    vigil.child.kill('SIGKILL');
    await new Promise((r) => vigil.child.once('exit', r));
    ({ vigil, api } = await started(file, ['--stopped']));
    await until('the outbox to drain', async () => (await call(api, 'GET', '/api/outbox?state=pending')).length === 0, 30_000);
    assert.deepEqual(operatorView(await call(api, 'GET', '/api/status')), expected, 'operator state at the end');
    await vigil.stop('SIGTERM');

    const store = openStore(join(dir, 'state'), { readonly: true });
    const rows = store.list({ limit: 100_000 });
    store.close();
    const lines = recorded(dir);
    const counts = new Map<string, number>();
    for (const id of lines) counts.set(id, (counts.get(id) ?? 0) + 1);
    const notDelivered = rows.filter((r) => r.state !== 'delivered');
    const lost = rows.filter((r) => !counts.has(r.eventId));
    const phantom = [...counts.keys()].filter((id) => !rows.some((r) => r.eventId === id));
    const dups = [...counts.values()].reduce((n, c) => n + (c - 1), 0);
    assert.ok(rows.length >= KILLS * 3, `events were flowing (${rows.length} outbox rows)`);
    assert.deepEqual(notDelivered.map((r) => `${r.eventId} ${r.state} ${r.lastError ?? ''}`), [], 'every outbox row delivered');
    assert.deepEqual(lost.map((r) => r.eventId), [], 'every delivered row reached the target');
    assert.deepEqual(phantom, [], 'the target saw nothing the outbox does not know');
    assert.ok(dups <= KILLS + 1, `${dups} duplicates for ${KILLS + 1} kills: at most one in-flight delivery per kill`);
    report('process', 'SIGKILL of vigil run while checking and alerting', `${KILLS + 1} kills after ${killedAfter.join('/')} ms + restarts, ${rows.length} deliveries`,
      `0 lost, ${dups} duplicate(s) (in flight at a kill), disabled host/service and ack kept across every restart`);
  } finally {
    if (vigil.child.exitCode === null) await vigil.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM drains in-flight alerts within the grace time; what is left stays pending for the next start', { timeout: 90_000 * SOAK }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-term-'));
  const file = writeCrashConfig(dir, { token: TOKEN, slow: true }); // each delivery takes 1 s
  let { vigil, api } = await started(file);
  try {
    await until('deliveries in flight', async () => (await call(api, 'GET', '/api/outbox?state=pending')).length >= 3, 15_000);
    const before = recorded(dir).length;
    const t0 = Date.now();
    vigil.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => vigil.child.once('exit', (c) => r(c)));
    const tookMs = Date.now() - t0;
    assert.equal(code, 0, vigil.output().slice(-2000));
    assert.ok(tookMs < 12_000, `stopped after ${tookMs} ms (grace 10 s)`);
    assert.ok(recorded(dir).length > before, 'the delivery in flight at SIGTERM finished');
    assert.doesNotMatch(vigil.output(), /SQLITE|unhandled|TypeError/i);

    ({ vigil, api } = await started(file, ['--stopped']));
    await until('the rest of the outbox to drain after restart', async () => (await call(api, 'GET', '/api/outbox?state=pending')).length === 0, 60_000);
    await vigil.stop('SIGTERM');
    const store = openStore(join(dir, 'state'), { readonly: true });
    const rows = store.list({ limit: 100_000 });
    store.close();
    const seen = new Set(recorded(dir));
    assert.deepEqual(rows.filter((r) => r.state !== 'delivered' || !seen.has(r.eventId)).map((r) => r.eventId), [], 'nothing lost over a SIGTERM');
    report('process', 'SIGTERM with slow alerts in flight', `1 SIGTERM, ${rows.length} deliveries of 1 s each`, `stopped in ${tookMs} ms (grace 10 s), in-flight delivery finished, the rest delivered after restart, 0 lost`);
  } finally {
    if (vigil.child.exitCode === null) await vigil.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGKILL with the LVS pool changed behind vigil\'s back: the table is reconciled on restart', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lvs-crash-'));
  const vip = '127.0.0.100:80';
  const hosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
  const file = writeLvsPoolConfig(dir, vip, hosts, `control: { listen: "127.0.0.1:0", token: "${TOKEN}" }\n`);
  writeFileSync(join(dir, 'down.txt'), '127.0.0.3\n');
  let { vigil } = await started(file);
  try {
    await until('127.0.0.3 out of the pool', () => !tableServers(dir, vip).has('127.0.0.3'), 15_000);
    vigil.child.kill('SIGKILL');
    await new Promise((r) => vigil.child.once('exit', r));
    // Behind vigil's back: someone puts the dead server back and drops a live one.
    const table = readFileSync(join(dir, 'table'), 'utf8').replace(`-a -t ${vip} -r 127.0.0.4:80 -g -w 1\n`, '') + `-a -t ${vip} -r 127.0.0.3:80 -g -w 1\n`;
    writeFileSync(join(dir, 'table'), table);
    ({ vigil } = await started(file));
    await until('the table reconciled with the checks', () => {
      const t = tableServers(dir, vip);
      return !t.has('127.0.0.3') && t.has('127.0.0.4') && t.has('127.0.0.2');
    }, 15_000);
    writeFileSync(join(dir, 'down.txt'), '');
    await until('127.0.0.3 back once it is up', () => tableServers(dir, vip).has('127.0.0.3'), 15_000);
    report('process', 'SIGKILL with the LVS table changed while vigil was down', '1 kill, a dead server re-added and a live one removed behind its back',
      'on restart the table matched the checks again, and the server came back when it recovered');
  } finally {
    await vigil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
