/**
 * Per-host results into one run (core/engine/aggregate.ts): mon's summary of the
 * failing hosts, and the limits on what one result may carry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS, fromHostResults } from '../../core/engine/aggregate.ts';
import type { HostCheckResult } from '../../core/types.ts';

test("a run's summary lists its failing hosts in order, its detail says why", () => {
  const results: Record<string, HostCheckResult> = {
    'b.example': { ok: false, summary: 'refused' },
    'a.example': { ok: false, summary: 'timed out' },
    'c.example': { ok: true, degraded: true, summary: 'slow' },
    'd.example': { ok: true, summary: 'fine' },
  };
  const run = fromHostResults(['a.example', 'b.example', 'c.example', 'd.example'], results, 1000, 12);
  assert.equal(run.ok, false);
  assert.equal(run.summary, 'a.example b.example');
  assert.deepEqual(run.failedHosts, ['a.example', 'b.example']);
  assert.deepEqual(run.degradedHosts, ['c.example']);
  assert.equal(run.detail, 'a.example: timed out\nb.example: refused\nc.example: degraded: slow');
});

test('a result over its limits is replaced by a capped copy; the others are kept as they are', () => {
  const fine: HostCheckResult = { ok: true, summary: 'fine', latencyMs: 1 };
  const huge: HostCheckResult = { ok: false, summary: 's'.repeat(LIMITS.hostSummary + 10), detail: 'd'.repeat(LIMITS.hostDetail + 1), latencyMs: 2 };
  const results: Record<string, HostCheckResult> = { 'a.example': fine, 'b.example': huge };
  const run = fromHostResults(['a.example', 'b.example'], results, 1000, 5);
  assert.equal(run.hosts['a.example'], fine, 'a result within the limits is not copied');
  const capped = run.hosts['b.example']!;
  assert.notEqual(capped, huge);
  assert.equal(capped.summary, `${'s'.repeat(LIMITS.hostSummary)}\n[vigil: cut at ${LIMITS.hostSummary} characters]`);
  assert.equal(capped.detail, `${'d'.repeat(LIMITS.hostDetail)}\n[vigil: cut at ${LIMITS.hostDetail} characters]`);
  assert.equal(capped.latencyMs, 2);
  assert.equal(huge.summary.length, LIMITS.hostSummary + 10, "the plugin's own result is not changed");
  assert.ok(run.detail.startsWith(`b.example: ${'s'.repeat(10)}`));
  assert.ok(run.detail.length < LIMITS.hostSummary + 100, "the run's detail carries the capped summary");
});
