/**
 * @fileoverview The benchmark's memory per added host: the slope between the
 * smallest and the largest size of one kind, apart from the fixed cost of a busy vigil.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMarginal, formatTable, marginalMemory, pooledRef, ratios } from './report.ts';
import type { ScenarioResult } from './scenario.ts';

/** Only the fields the slope reads; the rest of a result does not matter here. */
function result(kind: string, n: number, hwmKiB: number, settledKiB?: number): ScenarioResult {
  return { spec: { kind, n }, hwmKiB, rssWindowKiB: { p50: settledKiB, max: settledKiB } } as unknown as ScenarioResult;
}

test('memory per added host is the slope between the smallest and the largest size of a kind', () => {
  const m = marginalMemory([
    result('tcp', 1000, 100 * 1024, 90 * 1024),
    result('tcp', 20000, 138 * 1024, 128 * 1024),
    result('tcp', 5000, 110 * 1024, 99 * 1024),
    result('dns', 1000, 96_000, 88_000),
    result('dns', 5000, 102_000, 92_000),
  ]);
  assert.deepEqual(
    m.map((x) => [x.kind, x.fromN, x.toN]),
    [
      ['tcp', 1000, 20000],
      ['dns', 1000, 5000],
    ],
  );
  // 38 MiB over 19,000 hosts; the figure above an empty process at 1,000 hosts would be far larger.
  assert.equal(Math.round(m[0]!.peakBytesPerHost), Math.round((38 * 1024 * 1024) / 19000));
  assert.equal(Math.round(m[0]!.settledBytesPerHost!), Math.round((38 * 1024 * 1024) / 19000));
  assert.equal(m[1]!.peakBytesPerHost, 1.5 * 1024);
  assert.equal(m[1]!.settledBytesPerHost, 1024);
  assert.match(formatMarginal(m), /dns 1000 -> 5000 +peak 1\.50 KiB\/host, settled 1\.00 KiB\/host/);
});

test('a kind run at one size only, or without RSS samples, gives no slope it cannot have', () => {
  const m = marginalMemory([result('null', 20000, 120 * 1024, 110 * 1024), result('http', 1000, 100 * 1024), result('http', 5000, 110 * 1024, 100 * 1024)]);
  assert.equal(m.length, 1);
  assert.equal(m[0]!.kind, 'http');
  assert.equal(m[0]!.settledBytesPerHost, undefined);
  assert.match(formatMarginal(m), /settled - KiB\/host/);
  assert.equal(formatMarginal([]), '');
});

test('a reference whose every probe failed gives no ratio, and the table says why', () => {
  const r = {
    ...result('http', 1000, 100 * 1024),
    cpuPerCheckMs: 0.1,
    lagMs: {}, latencyMs: {}, steady: {}, withKills: {}, detectMs: {}, alertMs: {}, vigilProblems: { count: 0, first: [] },
    bare: { probes: 100, failed: 2, cpuMs: 8, cpuPerProbeMs: 0.08 },
    fork: { probes: 150, failed: 150, cpuMs: 150, cpuPerProbeMs: 1, error: '/usr/lib/nagios/plugins/check_http not found: install ...' },
  } as unknown as ScenarioResult;
  const q = ratios(r);
  assert.equal(q.vsBare, 0.1 / 0.08);
  assert.equal(q.forkVsVigil, undefined);
  const table = formatTable(r);
  assert.match(table, /fork\+exec CPU per check \(mon\) +not measured: every one failed; first: \/usr\/lib\/nagios\/plugins\/check_http not found/);
  assert.match(table, /fork\+exec \/ vigil +-\n/);
  assert.match(table, /bare-Node CPU per probe +0\.080 ms  \(100 probes, 2 failed\)/);
  // Some failures are still a measurement: mon's checks of killed hosts fail too.
  assert.equal(ratios({ ...r, fork: { probes: 150, failed: 149, cpuMs: 300, cpuPerProbeMs: 2 } } as ScenarioResult).forkVsVigil, 20);
});

test('the bare loop run before and after vigil is one ceiling: CPU over probes of both runs', () => {
  const before = { probes: 20000, failed: 0, cpuMs: 1300, cpuPerProbeMs: 0.065 };
  const after = { probes: 19960, failed: 0, cpuMs: 1497, cpuPerProbeMs: 1497 / 19960 };
  const both = pooledRef([before, after])!;
  assert.equal(both.probes, 39960);
  assert.equal(both.cpuMs, 2797);
  assert.equal(both.cpuPerProbeMs, 2797 / 39960);
  assert.equal(both.error, undefined);
  assert.equal(pooledRef([]), undefined);
  assert.equal(pooledRef([{ ...before, probes: 0, cpuMs: 0 }])!.cpuPerProbeMs, NaN);
  assert.equal(pooledRef([{ ...before, failed: 20000, error: 'ECONNREFUSED' }, after])!.error, 'ECONNREFUSED');

  const r = {
    ...result('http', 20000, 100 * 1024),
    cpuPerCheckMs: 0.1,
    lagMs: {}, latencyMs: {}, steady: {}, withKills: {}, detectMs: {}, alertMs: {}, vigilProblems: { count: 0, first: [] },
    bare: both,
    bareRuns: [before, after],
  } as unknown as ScenarioResult;
  assert.equal(ratios(r).vsBare, 0.1 / (2797 / 39960));
  assert.match(formatTable(r), /each run \(before \/ after vigil\) +0\.065 ms \/ 0\.075 ms\n/);
});
