/**
 * Regression (found by the HTTP API fuzzer): one unauthenticated request with a
 * path the URL parser refuses ("GET //# HTTP/1.1") threw outside the handler's
 * try and killed the whole daemon. Checked against `vigil run` itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startVigil } from '../helpers/vigil-process.ts';
import { report } from './report.ts';

function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const s = connect(port, '127.0.0.1', () => s.write(text));
    s.on('data', (d) => (out += d));
    s.on('error', () => {});
    s.on('close', () => resolve(out));
    setTimeout(() => s.destroy(), 2000);
  });
}

test('requests with unparseable paths get a 400 and vigil keeps running', { timeout: 40_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-badurl-'));
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, `state_dir: ./state\ncontrol: { listen: "127.0.0.1:0", token: "t0k3n" }\nhostgroups:\n  g: [127.0.0.1]\nwatches:\n  g:\n    services:\n      s: { interval: 1h, monitor: { plugin: tcp, port: 1 } }\n`);
  const vigil = startVigil(['run', '-c', file, '--json-log']);
  try {
    const line = await vigil.waitFor(/status page listening/);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
    const bad = ['GET //# HTTP/1.1', 'GET //:99999/ HTTP/1.1', 'POST //#/api/reload HTTP/1.1', 'GET http://[::1/ HTTP/1.1'];
    for (const reqLine of bad) {
      const answer = await raw(port, `${reqLine}\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 4\d\d /, `${reqLine} -> ${JSON.stringify(answer.slice(0, 80))}`);
    }
    const ok = await raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(ok, /^HTTP\/1\.1 200 /);
    assert.equal(vigil.child.exitCode, null, `vigil died:\n${vigil.output().slice(-2000)}`);
    report('security', 'control API unparseable request paths', `${bad.length} raw requests against vigil run`, 'all 4xx, daemon still running');
  } finally {
    await vigil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
