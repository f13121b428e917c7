/**
 * @fileoverview The benchmark's scenarios: which run, with what windows, and how
 * long the bare loop warms up before it is measured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VIGIL_WARM_CHECKS, bareWarmS, specsFor } from './specs.ts';

test('the bare loop warms for at least 5 s and 2,500 probes', () => {
  // 100 probes a second (1,000 hosts every 10 s): 25 s.
  assert.equal(bareWarmS(1000, 10), 25);
  // From 500 a second on, 5 s is more than 2,500 probes.
  assert.equal(bareWarmS(5000, 10), 5);
  assert.equal(bareWarmS(20000, 10), 5);
  // Rounded up, never under 5.
  assert.equal(bareWarmS(3000, 10), 9);
  assert.equal(bareWarmS(200, 1), 13);
});

test('the full run: every scenario, two windows, references for all but null', () => {
  const all = specsFor({ smoke: false });
  assert.deepEqual(all.map((s) => `${s.kind}-${s.n}`), ['tcp-1000', 'tcp-5000', 'tcp-20000', 'http-1000', 'http-5000', 'http-20000', 'dns-1000', 'dns-5000', 'null-20000']);
  for (const s of all) {
    assert.equal(s.steadyS, 20);
    assert.equal(s.windowS, 40);
    assert.equal(s.timeoutS, s.kind === 'dns' ? 2 : 3);
    assert.equal(s.vigilWarmChecks, VIGIL_WARM_CHECKS);
    if (s.kind === 'null') assert.deepEqual([s.kills, s.bareS, s.bareWarmS, s.forkChecks], [0, 0, 0, 0]);
    else assert.deepEqual([s.kills, s.bareS, s.bareWarmS, s.forkChecks], [40, 10, bareWarmS(s.n, 10), 150]);
  }
  const tcp1000 = all.find((s) => s.kind === 'tcp' && s.n === 1000)!;
  assert.equal(tcp1000.bareWarmS, 25);
});

test('--only picks scenarios by name, --window sets the kill window, --smoke is one small tcp run', () => {
  assert.deepEqual(specsFor({ smoke: false, only: ['http-20000', 'dns-5000'] }).map((s) => `${s.kind}-${s.n}`), ['http-20000', 'dns-5000']);
  assert.deepEqual(specsFor({ smoke: false, only: ['tcp-7'] }), []);
  assert.equal(specsFor({ smoke: false, windowS: 60, only: ['tcp-5000'] })[0]!.windowS, 60);
  const [smoke, ...rest] = specsFor({ smoke: true });
  assert.equal(rest.length, 0);
  assert.deepEqual([smoke!.kind, smoke!.n, smoke!.intervalS, smoke!.bareWarmS, smoke!.vigilWarmChecks], ['tcp', 200, 1, 1, 0]);
});
