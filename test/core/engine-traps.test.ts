/**
 * Traps through the engine: a trap is processed like a monitor exit, a missing
 * heartbeat (traptimeout) is a failure, and trapduration recovers with an upalert.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

async function until<T>(what: string, fn: () => T | undefined, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

test('traps, traptimeout and trapduration', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-traps-'));
  const log = join(dir, 'alerts.jsonl');
  const alerts = `alerts: [{ plugin: log, file: ${JSON.stringify(log)} }]\n        upalerts: [{ plugin: log, file: ${JSON.stringify(log)} }]`;
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
hostgroups:
  box: [box7]
watches:
  box:
    services:
      beat:
        traptimeout: 400ms
        ${alerts}
      disk:
        trapduration: 300ms
        ${alerts}
`,
  );
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger });
  try {
    // No heartbeat: a traptimeout failure.
    const timeout = await until('the traptimeout alert', () => read(log).find((e) => e.service === 'beat' && e.type === 'down'));
    assert.equal(timeout.source, 'traptimeout');
    assert.equal(timeout.summary, 'trap timeout');
    assert.match(timeout.output, /^trap timeout\ntrap timeout after 0s at /);

    // A good trap recovers it (upalert), and restarts the countdown.
    engine.trap('box', 'beat', 0, 'alive', '', '127.0.0.1');
    await until('the upalert', () => read(log).find((e) => e.service === 'beat' && e.type === 'up'));
    assert.equal(engine.status().watches[0]!.services.find((s) => s.service === 'beat')!.lastTrapHost, '127.0.0.1');

    // A failing trap alerts with source trap; trapduration then recovers it with an upalert.
    engine.trap('box', 'disk', 1, 'disk full on box7', 'detail line 1');
    const down = await until('the trap alert', () => read(log).find((e) => e.service === 'disk' && e.type === 'down'));
    assert.equal(down.source, 'trap');
    assert.equal(down.summary, 'disk full on box7');
    assert.equal(down.output, 'disk full on box7\n\ndetail line 1');
    assert.equal(down.exitCode, 1);
    await until('the trapduration recovery', () => read(log).find((e) => e.service === 'disk' && e.type === 'up'));
    assert.equal(engine.status().watches[0]!.services.find((s) => s.service === 'disk')!.status, 'ok');
  } finally {
    await engine.close(200);
  }
});
