/**
 * The command line as an operator meets it: version, help, check, test, and
 * what a mistake on the command line prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { runVigil } from '../helpers/vigil-process.ts';

const VERSION = JSON.parse(readFileSync('package.json', 'utf8')).version;

test('--version and --help', async () => {
  const v = await runVigil(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), VERSION);
  const h = await runVigil(['--help']);
  assert.equal(h.code, 0);
  for (const cmd of ['run -c FILE', 'check -c FILE', 'test -c FILE', 'import', 'status', 'lvs show']) assert.ok(h.stdout.includes(cmd), `help mentions ${cmd}`);
  const bad = await runVigil(['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
  const noConfig = await runVigil(['check']);
  assert.equal(noConfig.code, 2);
  assert.match(noConfig.stderr, /Give it with -c FILE/);
});

test('check: a good config is OK, the five-mistake one reports all five with lines', async () => {
  const ok = await runVigil(['check', '-c', 'examples/quickstart.yaml']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /OK/);
  const bad = await runVigil(['check', '-c', 'test/fixtures/config/five-mistakes.yaml']);
  assert.equal(bad.code, 1);
  const lines = bad.stdout.split('\n').filter((l) => /five-mistakes\.yaml:\d+:\d+: /.test(l));
  assert.equal(lines.length, 5, bad.stdout);
  assert.deepEqual(lines.map((l) => Number(/yaml:(\d+):/.exec(l)![1])), [15, 16, 17, 19, 27]);
  assert.match(bad.stdout, /5 problems/);
});

test('test: one check now, per host, exit status says whether all passed', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, `state_dir: ./state\nhostgroups:\n  g: [127.0.0.1]\nwatches:\n  g:\n    services:\n      up: { interval: 1m, monitor: { plugin: tcp, port: ${port} } }\n      down: { interval: 1m, monitor: { plugin: tcp, port: 1 } }\n`);
  try {
    const up = await runVigil(['test', '-c', file, 'g/up']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /^UP\s+127\.0\.0\.1\s+[\d.]+ ms\s+127\.0\.0\.1:\d+: connected/m);
    const down = await runVigil(['test', '-c', file, 'g/down']);
    assert.equal(down.code, 1);
    assert.match(down.stdout, /^DOWN\s+127\.0\.0\.1 .*refused/m);
    assert.match(down.stdout, /g\/down: FAILED: 127\.0\.0\.1/);
    const json = JSON.parse((await runVigil(['test', '-c', file, 'g/up', '--json'])).stdout);
    assert.equal(json.ok, true);
    assert.equal(json.hosts['127.0.0.1'].ok, true);
    const unknown = await runVigil(['test', '-c', file, 'g/nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /watch "g" has no service "nope"/);
  } finally {
    server.close();
  }
});

test('bin/vigil.js runs the CLI directly and through a symlink (npm link, npx)', async () => {
  const { execFileSync } = await import('node:child_process');
  const { symlinkSync } = await import('node:fs');
  const bin = join(process.cwd(), 'bin/vigil.js');
  assert.equal(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim(), VERSION);
  const link = join(mkdtempSync(join(tmpdir(), 'vigil-bin-')), 'vigil');
  symlinkSync(bin, link);
  assert.equal(execFileSync(link, ['--version'], { encoding: 'utf8' }).trim(), VERSION);
});
