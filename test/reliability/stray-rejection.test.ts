/**
 * A plugin that leaves a rejected promise behind (a floating `fetch().then()`
 * in its check) must not take `vigil run` down: Node's default is to exit on an
 * unhandled rejection. vigil logs it and monitoring goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVigil } from '../helpers/vigil-process.ts';
import { report, sleep } from './report.ts';

const STRAY = `
let n = 0;
export default [{
  kind: 'monitor', apiVersion: 1, name: 'stray/rejects', optionsSchema: { type: 'object', additionalProperties: false },
  create: () => ({ async check() { n++; Promise.reject(new Error('floating rejection ' + n)); return { ok: true, summary: 'fine ' + n }; } }),
}];
`;

test("a plugin's floating promise rejection is logged and vigil keeps running", { timeout: 40_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-stray-'));
  writeFileSync(join(dir, 'stray.mjs'), STRAY);
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, 'state_dir: ./state\nplugins: [./stray.mjs]\nhostgroups:\n  g: [127.0.0.1]\nwatches:\n  g:\n    services:\n      s: { interval: 200ms, monitor: { plugin: stray/rejects } }\n');
  const vigil = startVigil(['run', '-c', file, '--json-log']);
  try {
    await vigil.waitFor(/vigil started/, 20_000);
    await vigil.waitFor(/floating rejection 3/, 10_000);
    await sleep(300);
    assert.equal(vigil.child.exitCode, null, `vigil died:\n${vigil.output().slice(-1500)}`);
    assert.match(vigil.output(), /unhandled promise rejection \(a bug in vigil or a plugin\); monitoring goes on/);
    report('plugin', 'a plugin leaving unhandled promise rejections', '1 rejection per check', 'logged, vigil run kept running and checking');
  } finally {
    await vigil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
