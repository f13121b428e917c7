/**
 * The `log` alert: one JSON line per event, appended to a file or written to stdout,
 * every event field but the (possibly secret) service environment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import plugin from '../../alerts/log.ts';
import { HOST_EVENTS, SERVICE_EVENTS, type AlertEvent } from '../../core/types.ts';
import { pluginContext } from '../fixtures/scripts/proc.ts';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-log-alert-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const down: AlertEvent = {
  id: 'web/http//1000/1',
  type: 'down',
  watch: 'web',
  service: 'http',
  hosts: ['127.0.0.2', '127.0.0.3'],
  failedHosts: ['127.0.0.2'],
  summary: '127.0.0.2',
  detail: 'refused',
  output: '127.0.0.2\nrefused\n',
  exitCode: 1,
  since: 1000,
  at: 61_000,
  count: 2,
  incident: 'web/http/1000',
  env: { DB_PASSWORD: 'hunter2' },
};
const hostUp: AlertEvent = { ...down, id: 'web/http/127.0.0.2/1000/2', type: 'host-up', host: '127.0.0.2', failedHosts: [], env: undefined };

test('wants every service and host event', () => {
  assert.deepEqual([...plugin.events!].sort(), [...SERVICE_EVENTS, ...HOST_EVENTS].sort());
});

test('appends one JSON line per event to a file relative to the config dir, without env', async () => {
  const alert = await plugin.create({ file: 'logs/events.jsonl' }, pluginContext({ configDir: tmp }));
  await alert.send(down, new AbortController().signal);
  await alert.send(hostUp, new AbortController().signal);
  const lines = readFileSync(join(tmp, 'logs/events.jsonl'), 'utf8').split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  const first = JSON.parse(lines[0]!);
  const { env: _omitted, ...expected } = down;
  assert.deepEqual(first, { time: '1970-01-01T00:01:01.000Z', sinceTime: '1970-01-01T00:00:01.000Z', ...expected });
  assert.equal(lines[0]!.includes('hunter2'), false);
  const second = JSON.parse(lines[1]!);
  assert.equal(second.type, 'host-up');
  assert.equal(second.host, '127.0.0.2');
});

test('writes to stdout when no file is given', async () => {
  const alert = await plugin.create({}, pluginContext());
  const seen: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => (seen.push(chunk), true)) as typeof process.stdout.write;
  try {
    await alert.send(down, new AbortController().signal);
  } finally {
    process.stdout.write = write;
  }
  assert.equal(seen.length, 1);
  assert.equal(JSON.parse(seen[0]!).incident, 'web/http/1000');
  assert.ok(seen[0]!.endsWith('\n'));
});

test('format text writes one short line per event for people', async () => {
  const { textLine } = await import('../../alerts/log.ts');
  const base = { id: 'x', watch: 'web', service: 'http', hosts: ['a', 'b'], failedHosts: ['b'], detail: '', output: '', at: Date.UTC(2026, 0, 2, 3, 4, 5), count: 1, incident: 'i' };
  assert.equal(textLine({ ...base, type: 'down', summary: 'b' }), '2026-01-02T03:04:05.000Z DOWN         web/http: b\n');
  assert.equal(
    textLine({ ...base, type: 'host-down', host: 'b', summary: 'x', result: { ok: false, summary: 'connect: refused' } }),
    '2026-01-02T03:04:05.000Z HOST-DOWN    web/http b: connect: refused\n',
  );
});
