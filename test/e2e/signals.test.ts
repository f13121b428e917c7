/**
 * The daemon's signals: SIGHUP with a bad config is reported and the running
 * config kept; SIGHUP with a good one reloads; SIGTERM stops cleanly and fast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { startVigil } from '../helpers/vigil-process.ts';

test('SIGHUP reloads (bad config kept out), SIGTERM stops with exit 0', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sig-'));
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const file = join(dir, 'vigil.yaml');
  const good = (name: string) => `state_dir: ./state\nhostgroups:\n  g: [127.0.0.1]\nwatches:\n  g:\n    services:\n      ${name}: { interval: 500ms, monitor: { plugin: tcp, port: ${port} } }\n`;
  writeFileSync(file, good('one'));
  const vigil = startVigil(['run', '-c', file]);
  try {
    await vigil.waitFor(/vigil started/);
    writeFileSync(file, good('one').replace('500ms', '500'));
    vigil.child.kill('SIGHUP');
    const line = await vigil.waitFor(/reload failed/);
    assert.match(line, /has no unit/);
    assert.match(line, /vigil\.yaml:\d+/, 'the error names file and line');
    writeFileSync(file, good('two'));
    vigil.child.kill('SIGHUP');
    await vigil.waitFor(/config reloaded/);
    await vigil.waitFor(/"service":"two"|service=two/);
  } catch (err) {
    await vigil.stop('SIGKILL');
    server.close();
    throw err;
  } finally {
    const t0 = Date.now();
    const code = await vigil.stop('SIGTERM');
    server.close();
    assert.equal(code, 0, vigil.output().slice(-3000));
    assert.ok(Date.now() - t0 < 12_000, 'stops within the grace period');
  }
});
