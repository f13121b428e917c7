/**
 * End to end: `vigil run` as a child process against real TCP servers on
 * loopback; one server dies and comes back; the mon-style alert script's exact
 * argv and stdin are asserted for the alert and the upalert.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVigil } from '../helpers/vigil-process.ts';
import { kill, listen } from '../helpers/servers.ts';


async function until<T>(what: string, fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('vigil run: a dead server gives the mon alert argv and stdin, its recovery the upalert', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const a = await listen('127.0.0.2', 0);
  const port = (a.server.address() as { port: number }).port;
  let b = await listen('127.0.0.3', port);
  const calls = join(dir, 'calls');
  const recorder = join(dir, 'record.alert');
  // Records argv (NUL-separated) and stdin of every call, one set of files per call;
  // `.done` last, so a call is read only once its stdin is complete.
  writeFileSync(
    recorder,
    `#!/bin/sh\nf="${calls}.$(date +%s%N).$$"\nfor a in "$@"; do printf '%s\\0' "$a"; done > "$f.argv"\ncat > "$f.stdin"\n: > "$f.done"\n`,
  );
  chmodSync(recorder, 0o755);
  const cfg = join(dir, 'vigil.yaml');
  writeFileSync(
    cfg,
    `state_dir: ./state
hostgroups:
  web: [127.0.0.2, 127.0.0.3]
watches:
  web:
    services:
      tcp:
        interval: 1s
        timeout: 1s
        monitor: { plugin: tcp, port: ${port} }
        periods:
          - when: always
            alertevery: 1h
            alerts: [{ plugin: script, path: ./record.alert, args: [ops@example.com, "two words"] }]
            upalerts: [{ plugin: script, path: ./record.alert, args: [upalertarg] }]
`,
  );
  const vigil = startVigil(['run', '-c', cfg]);
  const readCalls = () =>
    readdirSync(dir)
      .filter((f) => f.startsWith('calls.') && f.endsWith('.done'))
      .sort()
      .map((f) => {
        const base = join(dir, f.slice(0, -'.done'.length));
        return { argv: readFileSync(`${base}.argv`, 'utf8').split('\0').slice(0, -1), stdin: readFileSync(`${base}.stdin`, 'utf8') };
      });
  try {
    // Both up: checks pass, no alert.
    await vigil.waitFor(/host-up.*127\.0\.0\.3|127\.0\.0\.3.*host-up/, 15_000);
    assert.equal(readCalls().length, 0, 'no alert while everything is up');

    await kill(b);
    const down = await until('the down alert', () => readCalls()[0], 15_000);
    const t = Number(down.argv[7]);
    assert.deepEqual(down.argv, ['-s', 'tcp', '-g', 'web', '-h', '127.0.0.2 127.0.0.3', '-t', String(t), 'ops@example.com', 'two words']);
    assert.ok(Math.abs(t - Date.now() / 1000) < 30, '-t is the time in seconds');
    const [first, ...rest] = down.stdin.split('\n');
    assert.equal(first, '127.0.0.3', 'first stdin line is the failing host, as mon monitors print it');
    assert.match(rest.join('\n'), /127\.0\.0\.3/);
    assert.match(vigil.output(), /host-down/);

    b = await listen('127.0.0.3', port);
    const up = await until('the upalert', () => readCalls().find((c) => c.argv.includes('-u')), 15_000);
    assert.deepEqual(up.argv.filter((_, i) => i !== 7), ['-s', 'tcp', '-g', 'web', '-h', '127.0.0.2 127.0.0.3', '-t', '-u', 'upalertarg']);
    assert.equal(up.stdin, down.stdin, 'the upalert gets the output of the last failing run, as in mon');
    assert.equal(readCalls().length, 2, 'alertevery 1h: one alert and one upalert, nothing else');
  } finally {
    const code = await vigil.stop();
    await kill(a);
    await kill(b);
    assert.equal(code, 0, `vigil exits 0 on SIGTERM; output:\n${vigil.output().slice(-2000)}`);
  }
});
