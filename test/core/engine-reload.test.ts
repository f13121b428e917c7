/**
 * Reload keeps state (no resent alert, no forgotten outage); a bad config on
 * reload is reported and the running one kept. Also: maxprocs and cron.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { ConfigError } from '../../core/errors.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function events(file: string): Array<{ type: string; watch: string; service: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function until(what: string, fn: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('reload keeps failure state and never resends a down alert; a bad config keeps the running one', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-reload-'));
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const deadPort = port === 1 ? 2 : 1; // nothing listens on port 1 here: refused
  const alerts = join(dir, 'alerts.jsonl');
  const cfg = (extra: string) => `state_dir: ./state
hostgroups:
  g: [127.0.0.1]
watches:
  g:
    services:
      dead:
        interval: 200ms
        timeout: 500ms
        monitor: { plugin: tcp, port: ${deadPort} }
        alertevery: 1h
        alerts: [{ plugin: log, file: ${JSON.stringify(alerts)} }]
        upalerts: [{ plugin: log, file: ${JSON.stringify(alerts)} }]
${extra}`;
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, cfg(''));
  const engine = await Engine.start({ configFile: file, log: silentLogger });
  try {
    await until('the down alert', () => events(alerts).some((e) => e.type === 'down'));
    const before = engine.status().watches[0]!.services[0]!;
    assert.equal(before.status, 'fail');

    // A good reload that adds a service: the failing one keeps its outage and sends nothing new.
    writeFileSync(file, cfg(`      alive:\n        interval: 200ms\n        monitor: { plugin: tcp, port: ${port} }\n`));
    await engine.reload();
    await sleep(800);
    const after = engine.status().watches[0]!.services.find((s) => s.service === 'dead')!;
    assert.equal(after.status, 'fail');
    assert.equal(after.firstFailure, before.firstFailure, 'the outage is not forgotten');
    assert.ok(after.consecutiveFailures > before.consecutiveFailures, 'failure counter carried on');
    assert.equal(events(alerts).filter((e) => e.type === 'down').length, 1, 'no resent down alert');
    assert.ok(engine.status().watches[0]!.services.some((s) => s.service === 'alive'), 'the new service is there');

    // A bad reload: reported, and the running config stays.
    writeFileSync(file, cfg('      broken:\n        interval: 10\n        monitor: { plugin: tcp, port: 1 }\n'));
    await assert.rejects(engine.reload(), (err: unknown) => err instanceof ConfigError && /has no unit/.test(err.message));
    assert.deepEqual(engine.status().watches[0]!.services.map((s) => s.service).sort(), ['alive', 'dead']);
    await sleep(500);
    const alive = engine.status().watches[0]!.services.find((s) => s.service === 'alive')!;
    assert.equal(alive.status, 'ok', 'the running config keeps checking');
  } finally {
    await engine.close(500);
    server.close();
  }
});

test('maxprocs bounds checks in flight across services', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-maxprocs-'));
  writeFileSync(
    join(dir, 'slow.ts'),
    `let active = 0; export let peak = 0; (globalThis as any).__vigilPeak = () => peak;
export default { kind: 'monitor', name: 'test/slow', apiVersion: 1, create() { return { async check() {
  active++; peak = Math.max(peak, active); await new Promise((r) => setTimeout(r, 100)); active--; return { ok: true, summary: 'ok' }; } }; } };`,
  );
  const hosts = Array.from({ length: 6 }, (_, i) => `h${i}`);
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state\nmaxprocs: 3\nplugins: [./slow.ts]\nhostgroups:\n  a: [${hosts.join(', ')}]\n  b: [${hosts.join(', ')}]\nwatches:\n  a:\n    services:\n      s: { interval: 1s, monitor: { plugin: test/slow } }\n  b:\n    services:\n      s: { interval: 1s, monitor: { plugin: test/slow } }\n`,
  );
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger });
  let checks = 0;
  engine.on('check', () => checks++);
  await sleep(3000);
  const peak = (globalThis as any).__vigilPeak();
  await engine.close(200);
  assert.equal(peak, 3, `at most maxprocs=3 checks in flight (saw ${peak})`);
  assert.ok(checks >= 6, `checks still ran (${checks})`);
});

test('a cron schedule runs the service on its cron ticks', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cron-'));
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state\nhostgroups:\n  g: [127.0.0.1]\nwatches:\n  g:\n    services:\n      s: { cron: "* * * * * *", monitor: { plugin: tcp, port: ${port} } }\n`,
  );
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger });
  const at: number[] = [];
  engine.on('check', () => at.push(Date.now()));
  await sleep(3300);
  await engine.close(200);
  server.close();
  assert.ok(at.length >= 2 && at.length <= 4, `every second: ${at.length} checks in 3.3 s`);
});

test('reload closes the old plugin instances, never the new ones', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-reload-close-'));
  writeFileSync(
    join(dir, 'closable.ts'),
    `export default { kind: 'monitor', name: 'test/closable', apiVersion: 1, create() {
  let closed = false;
  return { async check() { return closed ? { ok: false, summary: 'used after close' } : { ok: true, summary: 'ok' }; },
           async close() { closed = true; } }; } };`,
  );
  const file = join(dir, 'vigil.yaml');
  const cfg = (interval: string) =>
    `state_dir: ./state\nplugins: [./closable.ts]\nhostgroups:\n  g: [h1]\nwatches:\n  g:\n    services:\n      s: { interval: ${interval}, monitor: { plugin: test/closable } }\n`;
  writeFileSync(file, cfg('200ms'));
  const engine = await Engine.start({ configFile: file, log: silentLogger });
  try {
    await until('the first check', () => engine.status().watches[0]!.services[0]!.status === 'ok');
    writeFileSync(file, cfg('150ms'));
    await engine.reload();
    await engine.testNow('g', 's');
    await sleep(400);
    const s = engine.status().watches[0]!.services[0]!;
    assert.equal(s.status, 'ok', `after reload the service still works: ${s.hosts[0]!.summary}`);
  } finally {
    await engine.close(200);
  }
});
