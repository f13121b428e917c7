/**
 * The benchmark's hook inside vigil (core/engine/bench-stats.ts): the gap between two
 * checks of one host is what the benchmark's `missed` and `early` rows are read from,
 * so its unit must stay milliseconds whatever the hook stores per host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachBenchStats, histAbove, histCount, type BenchStats } from '../../core/engine/bench-stats.ts';

test('the gap between two checks of a host is counted in ms, per host', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-bench-stats-')), 'stats.json');
  let emit: (m: unknown) => void = () => {};
  const stop = attachBenchStats({ on: (name, fn) => ((emit = name === 'check' ? fn : emit), () => {}) }, file);
  const check = (host: string) => emit({ watch: 'w', host, durationMs: 0.5, ok: true, timedOut: false, lagMs: 0 });
  check('a');
  check('b');
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 150));
  check('a');
  const gapMs = Date.now() - t0;
  stop();
  const s = JSON.parse(readFileSync(file, 'utf8')) as BenchStats;
  assert.equal(s.checks, 3);
  assert.equal(histCount(s.gap), 1, 'one gap: host a checked twice, b once');
  assert.equal(histAbove(s.gap, gapMs - 20), 1, `the gap is about ${gapMs} ms`);
  assert.equal(histAbove(s.gap, gapMs + 20), 0, `the gap is about ${gapMs} ms`);
});
