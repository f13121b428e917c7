import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstBase, jittered, nextBase } from '../../core/schedule.ts';

/** A seeded PRNG so runs are repeatable. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test('fixed rate: a 10 s service is checked every 10 s +- jitter for 6 hours, no drift', () => {
  const rand = lcg(42);
  const c = { intervalMs: 10_000, randskewMs: 2000 };
  let now = 0;
  let base = firstBase(now, c, undefined, rand);
  const starts: number[] = [];
  for (let i = 0; i < 6 * 360; i++) {
    const at = jittered(base, now, c, rand);
    starts.push(at);
    now = at + 37 + (i % 5) * 150; // each check costs 37..637 ms
    base = nextBase(base, now, c.intervalMs);
  }
  const first = starts[0]!;
  for (let i = 0; i < starts.length; i++) {
    const ideal = first + i * 10_000;
    assert.ok(Math.abs(starts[i]! - ideal) <= 2000 + 2000, `run ${i} at ${starts[i]} strays from ${ideal}`);
  }
  const spanHours = (starts.at(-1)! - first) / 3_600_000;
  assert.ok(Math.abs(spanHours - (starts.length - 1) / 360) < 0.001, 'average period stays 10 s');
});

test('an overrun skips the missed slots but keeps the phase', () => {
  assert.equal(nextBase(0, 35_500, 10_000), 40_000);
  assert.equal(nextBase(0, 5_000, 10_000), 10_000);
  assert.equal(nextBase(0, 10_000, 10_000), 20_000);
});

test('first run spreads over randstart, else over min(interval, 2 s)', () => {
  assert.equal(firstBase(1000, { intervalMs: 60_000 }, undefined, () => 0.5), 2000);
  assert.equal(firstBase(1000, { intervalMs: 1000 }, undefined, () => 0.5), 1500);
  assert.equal(firstBase(1000, { intervalMs: 60_000 }, 30_000, () => 0.5), 16_000);
});

test('jitter never schedules into the past', () => {
  assert.equal(jittered(1000, 5000, { intervalMs: 10_000, randskewMs: 3000 }, () => 0), 5000);
  assert.equal(jittered(10_000, 0, { intervalMs: 10_000, randskewMs: 3000 }, () => 0), 7000);
  assert.equal(jittered(10_000, 0, { intervalMs: 10_000, randskewMs: 3000 }, () => 0.999999), 13_000);
});
