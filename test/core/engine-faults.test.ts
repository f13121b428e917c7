/**
 * A monitor that throws, one that never settles and one that ignores its
 * AbortSignal must not stop other services from being checked on time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Engine, type CheckMetric } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';

const FAULTY = `
const base = { kind: 'monitor', apiVersion: 1, optionsSchema: { type: 'object', additionalProperties: false } };
export default [
  { ...base, name: 'faulty/throws', create() { return { async check() { throw new Error('I always throw'); } }; } },
  { ...base, name: 'faulty/never', create() { return { check(_h, signal) { return new Promise(() => {}); } }; } },
  { ...base, name: 'faulty/deaf', create() { return { check() { return new Promise((r) => setTimeout(() => r({ ok: true, summary: 'late' }), 60000).unref()); } }; } },
  { ...base, name: 'faulty/sync-throw', create() { return { check() { throw new Error('sync'); } }; } },
  { ...base, name: 'faulty/garbage', create() { return { async check() { return 42; } }; } },
];
`;

test('faulty monitors never delay a healthy service', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-faults-'));
  writeFileSync(join(dir, 'faulty.ts'), FAULTY);
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const svc = (name: string, monitor: string) => `      ${name}:\n        interval: 300ms\n        timeout: 200ms\n        monitor: ${monitor}\n`;
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
maxprocs: 10
plugins: [./faulty.ts]
hostgroups:
  g: [127.0.0.1]
watches:
  g:
    services:
${svc('healthy', `{ plugin: tcp, port: ${port} }`)}${svc('throws', '{ plugin: faulty/throws }')}${svc('never', '{ plugin: faulty/never }')}${svc('deaf', '{ plugin: faulty/deaf }')}${svc('syncthrow', '{ plugin: faulty/sync-throw }')}${svc('garbage', '{ plugin: faulty/garbage }')}`,
  );
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger });
  const checks: CheckMetric[] = [];
  engine.on('check', (m: CheckMetric) => checks.push(m));
  await new Promise((r) => setTimeout(r, 3500));
  const status = engine.status();
  await engine.close(500);
  server.close();

  const healthy = checks.filter((c) => c.service === 'healthy');
  assert.ok(healthy.length >= 8, `healthy service checked ${healthy.length} times in 3.5 s at a 300 ms interval`);
  assert.ok(healthy.every((c) => c.ok), 'healthy checks pass');
  const lags = healthy.map((c) => c.lagMs ?? 0).sort((a, b) => a - b);
  assert.ok(lags.at(-1)! < 150, `healthy service started late: max lag ${lags.at(-1)} ms`);

  const byName = Object.fromEntries(status.watches[0]!.services.map((s) => [s.service, s]));
  for (const name of ['throws', 'never', 'deaf', 'syncthrow', 'garbage']) {
    assert.equal(byName[name]!.status, 'fail', `${name} is reported as failing`);
    assert.ok(checks.filter((c) => c.service === name).length >= 5, `${name} keeps being checked`);
  }
  assert.match(byName.never!.hosts[0]!.summary ?? '', /timed out after 200 ms/);
  assert.match(byName.throws!.hosts[0]!.summary ?? '', /I always throw/);
  assert.match(byName.garbage!.hosts[0]!.summary ?? '', /returned no result/);
  assert.equal(byName.healthy!.status, 'ok');
});
