import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyCommand, historyFilter } from '../../core/cli/history-command.ts';
import { openStore, deliveryId } from '../../core/store.ts';
import type { AlertEvent } from '../../core/types.ts';

const HOUR = 3_600_000;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await historyCommand(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

function ev(id: string, service: string, at: number): AlertEvent {
  return { id, type: 'down', watch: 'web', service, hosts: ['127.0.0.2'], failedHosts: ['127.0.0.2'], summary: `${service} failed`, detail: '', output: '', at, count: 1, incident: 'i' };
}

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-hist-'));
  writeFileSync(
    join(dir, 'vigil.yaml'),
    [
      'state_dir: ./var',
      'store: { retention: 30d }',
      'hostgroups: { web: [127.0.0.2] }',
      'watches:',
      '  web:',
      '    services:',
      '      http:',
      '        interval: 10s',
      '        monitor: { plugin: tcp, port: 8080 }',
    ].join('\n') + '\n',
  );
  const now = Date.now();
  const s = openStore(join(dir, 'var'));
  s.appendHistory({ id: 'f1', kind: 'failure', at: now - 3 * HOUR, watch: 'web', service: 'http', type: 'failure', summary: 'old failure' });
  s.appendHistory({ id: 'a1', kind: 'alert', at: now - 30 * 60_000, watch: 'web', service: 'http', type: 'alert', summary: '127.0.0.2 refused', plugin: 'email', args: 'web/http/always/alerts/0' });
  s.appendHistory({ id: 'a2', kind: 'alert', at: now - 10 * 60_000, watch: 'web', service: 'smtp', type: 'upalert', summary: 'smtp back', plugin: 'email' });
  s.enqueue([
    { id: deliveryId('e1', 't1'), target: 't1', plugin: 'email', event: ev('e1', 'http', now), createdAt: now - 5 * 60_000 },
    { id: deliveryId('e2', 't2'), target: 't2', plugin: 'email', event: ev('e2', 'smtp', now), createdAt: now - 4 * 60_000 },
  ]);
  s.markFailed(deliveryId('e1', 't1'), now + 60_000, 'email via smtp://127.0.0.1:2525: cannot reach the mail server');
  s.markDelivered(deliveryId('e2', 't2'), now - 3 * 60_000);
  return { dir, s };
}

test('vigil history shows records oldest first, then the deliveries not yet made', async () => {
  const { dir, s } = fixture();
  const r = await run(['-c', join(dir, 'vigil.yaml')]);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.match(lines[0]!, /^TIME\s+KIND\s+TYPE\s+WATCH\/SERVICE\s+HOST\s+VIA\s+SUMMARY$/);
  assert.match(lines[1]!, /failure\s+failure\s+web\/http\s+-\s+-\s+old failure$/);
  assert.match(lines[2]!, /alert\s+alert\s+web\/http\s+-\s+email\s+127\.0\.0\.2 refused$/);
  assert.match(lines[3]!, /alert\s+upalert\s+web\/smtp/);
  assert.match(r.out, /Alert deliveries pending or given up:/);
  assert.match(r.out, /pending\s+1\s+down\s+web\/http\s+email\s+t1\s+.*cannot reach the mail server/);
  assert.doesNotMatch(r.out, /\bt2\b/, 'a delivered mail is not listed as outstanding');
  s.close();
  rmSync(dir, { recursive: true });
});

test('filters by watch/service, time and kind; --deliveries and --json', async () => {
  const { dir, s } = fixture();
  const cfg = join(dir, 'vigil.yaml');
  let r = await run(['-c', cfg, '--service', 'web/smtp']);
  assert.match(r.out, /smtp back/);
  assert.doesNotMatch(r.out, /old failure|refused/);
  r = await run(['-c', cfg, '--since', '1h']);
  assert.doesNotMatch(r.out, /old failure/);
  assert.match(r.out, /refused/);
  r = await run(['-c', cfg, '--kind', 'failure']);
  assert.match(r.out, /old failure/);
  assert.doesNotMatch(r.out, /refused/);
  r = await run(['-c', cfg, '--deliveries']);
  assert.match(r.out, /pending\s+1\s+down\s+web\/http/);
  assert.match(r.out, /delivered\s+1\s+down\s+web\/smtp/);
  r = await run(['--state-dir', join(dir, 'var'), '--json', '--limit', '2']);
  const j = JSON.parse(r.out) as { history: Array<{ id: string }>; deliveries: Array<{ id: string; state: string }> };
  assert.deepEqual(j.history.map((h) => h.id), ['a1', 'a2']);
  assert.deepEqual(j.deliveries.map((d) => d.state), ['pending']);
  s.close();
  assert.ok(!existsSync(join(dir, 'var', 'vigil.db-shm')), 'after a clean close the WAL index is gone');
  r = await run(['--state-dir', join(dir, 'var')]);
  assert.equal(r.code, 0, `reads a stopped daemon's store too: ${r.err}`);
  rmSync(dir, { recursive: true });
});

test('bad arguments and a missing store give clear messages', async () => {
  let r = await run(['--state-dir', '/nonexistent/var']);
  assert.equal(r.code, 1);
  assert.match(r.err, /no state store at \/nonexistent\/var\/vigil\.db: vigil has not run with this state_dir yet/);
  r = await run(['--state-dir', '/x', '--since', 'yesterday-ish']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--since yesterday-ish: give a duration/);
  r = await run([]);
  assert.equal(r.code, 2);
  assert.match(r.err, /which config\? Give it with -c FILE/);
  assert.deepEqual(historyFilter({ service: 'web/http', since: '2h' }, 10 * HOUR), { limit: 50, watch: 'web', service: 'http', since: 8 * HOUR });
});
