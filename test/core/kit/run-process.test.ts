/**
 * core/kit/run-process.ts with real processes: exact 2>&1 order, separate streams,
 * stdin, environment, start errors, timeout/abort killing the group (TERM, then KILL
 * for a program that ignores TERM), and not waiting on a daemonised grandchild.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProcess, parseTimeout } from '../../../core/kit/run-process.ts';
import { findProgram, splitSearchPath } from '../../../core/kit/find-program.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGone, readPidFile, SCRIPTS, waitFor } from '../../fixtures/scripts/proc.ts';

test('stdout and stderr share one descriptor: 400 alternating lines keep their order', async () => {
  const prog = 'for (1..200) { print STDOUT "out $_\\n"; print STDERR "err $_\\n"; }';
  const r = await runProcess('perl', ['-e', '$|=1; select STDERR; $|=1; select STDOUT;' + prog]);
  const want = Array.from({ length: 200 }, (_, i) => `out ${i + 1}\nerr ${i + 1}\n`).join('');
  assert.equal(r.output, want);
  assert.deepEqual([r.exitCode, r.signal, r.truncated, r.timedOut], [0, null, false, false]);
});

test('separate streams when asked; stdin text; env added, removed, or replaced', async () => {
  process.env.VIGIL_TEST_DROP = 'inherited';
  try {
    const r = await runProcess('/bin/sh', ['-c', 'cat; echo "A=$A D=${VIGIL_TEST_DROP-unset}" >&2; exit 4'], {
      mergeOutput: false,
      stdin: 'from stdin\n',
      env: { A: 'a b', VIGIL_TEST_DROP: undefined },
    });
    assert.equal(r.output, 'from stdin\n');
    assert.equal(r.stderr, 'A=a b D=unset\n');
    assert.equal(r.exitCode, 4);
    const bare = await runProcess('/usr/bin/env', [], { extendEnv: false, env: { ONLY: '1' } });
    assert.equal(bare.output, 'ONLY=1\n');
  } finally {
    delete process.env.VIGIL_TEST_DROP;
  }
});

test('arguments are never interpreted by a shell', async () => {
  const r = await runProcess('/bin/echo', ['$(id)', '; rm -rf /', '`x`', '*']);
  assert.equal(r.output, '$(id) ; rm -rf / `x` *\n');
});

test('a program that cannot start rejects with a readable reason', async () => {
  await assert.rejects(runProcess('/nonexistent/prog', []), /cannot run \/nonexistent\/prog: no such file/);
  await assert.rejects(runProcess(`${SCRIPTS}/proc.ts`, []), /cannot run .*proc\.ts: permission denied/);
});

test('timeout: a program that obeys SIGTERM is gone at once, its child too', async () => {
  const t0 = Date.now();
  const r = await runProcess('/bin/sh', ['-c', 'sleep 1000 & echo $!; wait'], { timeoutMs: 200 });
  assert.ok(Date.now() - t0 < 1500);
  assert.deepEqual([r.timedOut, r.signal, r.exitCode], [true, 'SIGTERM', null]);
  assert.ok(await waitFor(() => isGone(Number(r.output.trim())), 2000));
});

test('abort: a program ignoring SIGTERM gets SIGKILL after the grace', async () => {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'vigil-rp-')), 'pid');
  const ctrl = new AbortController();
  const pending = runProcess('/bin/sh', ['-c', `trap '' TERM; sleep 1000 & echo $! > "$PIDFILE"; wait; wait`], {
    signal: ctrl.signal,
    killGraceMs: 300,
    env: { PIDFILE: pidFile },
  });
  const child = await readPidFile(pidFile); // the trap is set once the pid is written
  const t0 = Date.now();
  ctrl.abort();
  const r = await pending;
  const took = Date.now() - t0;
  assert.ok(took >= 280 && took < 2000, `took ${took}`);
  assert.equal(r.aborted, true);
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(await waitFor(() => isGone(child), 2000), `child ${child} survived`);
  const pre = await runProcess('/bin/sleep', ['5'], { signal: AbortSignal.abort() });
  assert.equal(pre.aborted, true);
});

test('a daemonised grandchild holding the output does not hold the result past lingerMs', async () => {
  const t0 = Date.now();
  const r = await runProcess('/bin/sh', ['-c', 'echo started; (sleep 3; echo late) & echo $!; exit 0'], { lingerMs: 200 });
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(r.exitCode, 0);
  assert.match(r.output, /^started\n\d+\n$/);
  process.kill(-r.pid, 'SIGKILL'); // the leftover group: its own group id is the program's pid
});

test('output over the cap is cut with a note, the program still runs to its end', async () => {
  const r = await runProcess('perl', ['-e', 'print "y" x 300000; exit 7'], { maxOutputBytes: 1000 });
  assert.equal(r.exitCode, 7);
  assert.equal(r.truncated, true);
  assert.equal(r.output, 'y'.repeat(1000) + '\n[vigil: output cut at 1000 bytes]\n');
});

test('parseTimeout and findProgram', () => {
  assert.equal(parseTimeout('30s'), 30_000);
  assert.equal(parseTimeout('250ms'), 250);
  assert.equal(parseTimeout('1.5m'), 90_000);
  assert.throws(() => parseTimeout('30'), /write it like 30s/);
  assert.deepEqual(splitSearchPath('/a::b', '/base'), ['/a', '/base/b']);
  assert.equal(findProgram('record.alert', ['/nonexistent', SCRIPTS], '/'), `${SCRIPTS}/record.alert`);
  assert.equal(findProgram('proc.ts', [SCRIPTS], '/'), undefined, 'not executable');
  assert.equal(findProgram('./scripts/hang.alert', [], `${SCRIPTS}/..`), `${SCRIPTS}/hang.alert`);
});
