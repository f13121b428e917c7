/**
 * When the engine writes service states: a transition within one save interval, a
 * failure that only repeats its still-down alert not until the minute's full save.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { tcpServer, type TestServer } from '../helpers/servers.ts';
import { until } from '../reliability/report.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function saved(dir: string): { at: number; state: { hosts: Record<string, { state: string }> } } {
  const db = new Database(join(dir, 'state', 'vigil.db'), { readonly: true });
  const row = db.prepare('SELECT state, saved_at FROM service_state WHERE id = ?').get('w/tcp') as { state: string; saved_at: number };
  db.close();
  return { at: row.saved_at, state: JSON.parse(row.state) };
}

test('a repeated still-down alert does not rewrite the state; a host coming back is saved within one interval', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-save-'));
  const servers: TestServer[] = [];
  t.after(async () => {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const one = await tcpServer((s) => s.destroy(), { host: '127.0.0.1' });
  servers.push(one);
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
hostgroups:
  w: [127.0.0.1, 127.0.0.2]
watches:
  w:
    services:
      tcp:
        interval: 200ms
        monitor: { plugin: tcp, port: ${one.port} }
        alerts: [ { plugin: log, file: events.log } ]
`,
  );
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger, saveIntervalMs: 300 });
  t.after(() => engine.close(2000));
  const stillDowns = () => (existsSync(join(dir, 'events.log')) ? readFileSync(join(dir, 'events.log'), 'utf8').match(/still-down/g)?.length ?? 0 : 0);

  await until('127.0.0.2 down with a still-down alert', () => stillDowns() >= 1, 10_000);
  await sleep(700); // the first save (a full one) has happened
  const first = saved(dir);
  assert.equal(first.state.hosts['127.0.0.2']?.state, 'down');
  const before = stillDowns();
  await sleep(1200); // four save intervals with nothing but still-down alerts
  assert.ok(stillDowns() >= before + 3, `still-down alerts kept coming (${before} -> ${stillDowns()})`);
  assert.equal(saved(dir).at, first.at, 'the state was not rewritten for repeated still-down alerts');

  // The same port on 127.0.0.2: the group's one service checks both hosts there.
  const two = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => two.once('error', reject).listen(one.port, '127.0.0.2', () => resolve()));
  t.after(() => new Promise<void>((r) => two.close(() => r())));
  await until('127.0.0.2 up', () => engine.status().watches[0]!.services[0]!.hosts.find((h) => h.host === '127.0.0.2')?.state === 'up', 10_000);
  await sleep(700);
  const after = saved(dir);
  assert.ok(after.at > first.at, 'the transition was saved');
  assert.equal(after.state.hosts['127.0.0.2']?.state, 'up');
});
