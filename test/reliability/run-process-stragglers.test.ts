/**
 * Regression (found by the plugin-fault soak): a monitor script that forks a
 * child and exits left that child running after every check, so processes piled
 * up without end. Monitors now end what their script left in its process group.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProcess } from '../../core/kit/run-process.ts';
import { straysWith } from './fault-fixtures.ts';
import { sleep, until } from './report.ts';

test('killStragglers ends what a finished program left in its group; without it the child stays', { timeout: 20_000 }, async () => {
  const mark = '293.771';
  const script = `sleep ${mark} & echo started; exit 0`;
  const kept = await runProcess('/bin/sh', ['-c', script], { lingerMs: 100 });
  assert.equal(kept.exitCode, 0);
  await sleep(100);
  const left = straysWith(mark);
  assert.equal(left.length, 1, 'without killStragglers the child outlives the program (mon behaviour, kept for alerts)');
  for (const pid of left) process.kill(pid, 'SIGKILL');

  const r = await runProcess('/bin/sh', ['-c', script], { lingerMs: 100, killStragglers: true, killGraceMs: 500 });
  assert.equal(r.exitCode, 0);
  assert.match(r.output, /started/);
  await until('the straggler to be gone', () => straysWith(mark).length === 0, 3000);

  const stubborn = await runProcess('/bin/sh', ['-c', `trap "" TERM; sleep ${mark} & echo x; exit 0`], { lingerMs: 100, killStragglers: true, killGraceMs: 300 });
  assert.equal(stubborn.exitCode, 0);
  await until('a child ignoring SIGTERM to be killed', () => straysWith(mark).length === 0, 3000);
});
