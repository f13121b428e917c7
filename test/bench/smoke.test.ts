/**
 * @fileoverview CI smoke run of the benchmark: `test/bench/run.ts --smoke` (N = 200
 * tcp hosts, a few seconds) end to end as a child process. It proves the
 * benchmark works and prints its table; it asserts that the numbers exist and are
 * sane, never performance targets (those come from `npm run bench`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';

test('npm run bench -- --smoke measures vigil and both references and prints the table', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'vigil-bench-smoke-'));
  try {
    const out = join(dir, 'results.json');
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/bench/run.ts'), '--smoke', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const kill = setTimeout(() => child.kill('SIGKILL'), 80_000);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    clearTimeout(kill);
    assert.equal(code, 0, `bench --smoke failed:\n${stderr.slice(-3000)}`);

    for (const row of ['checks/s achieved / configured', 'scheduler lag p50 / p99 / max', 'vigil CPU per check', 'the same while hosts die', 'bare-Node CPU per probe', 'fork+exec CPU per check', 'kill -> host-down', 'host-down -> alert']) {
      assert.ok(stdout.includes(row), `table row "${row}" missing from:\n${stdout}`);
    }
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    assert.ok(doc.machine.cores >= 1 && typeof doc.date === 'string');
    assert.equal(doc.scenarios.length, 1);
    const s = doc.scenarios[0];
    assert.equal(s.spec.n, 200);
    assert.ok(s.checks > 0, 'vigil ran checks in the window');
    // Sane, not fast: the rate is within a factor of the configured one.
    assert.ok(s.achievedPerS > s.configuredPerS / 4 && s.achievedPerS < s.configuredPerS * 4, `rate ${s.achievedPerS} vs ${s.configuredPerS}`);
    assert.ok(Number.isFinite(s.cpuPerCheckMs) && s.cpuPerCheckMs > 0 && s.cpuPerCheckMs < 100, `cpu per check ${s.cpuPerCheckMs}`);
    // The CPU compared with the bare loop is the steady window's; the kill window's is kept beside it.
    assert.ok(s.steady.checks > 0 && s.steady.windowS > 1 && s.steady.checks < s.checks, `steady window ${JSON.stringify(s.steady)}`);
    assert.ok(s.withKills.checks > 0 && s.withKills.cpuPerCheckMs > 0 && s.steady.checks + s.withKills.checks === s.checks, `kill window ${JSON.stringify(s.withKills)}`);
    assert.ok(s.lagMs.p50 >= 0 && s.lagMs.p99 >= s.lagMs.p50);
    assert.ok(s.latencyMs.p50 > 0 && s.latencyMs.p99 >= s.latencyMs.p50);
    assert.ok(s.hwmKiB > 10_000, `peak RSS ${s.hwmKiB} KiB`);
    // RSS sampled over the window: a median no higher than the peak.
    assert.ok(s.rssWindowKiB.p50 > 10_000 && s.rssWindowKiB.p50 <= s.rssWindowKiB.max && s.rssWindowKiB.max <= s.hwmKiB, `window RSS ${JSON.stringify(s.rssWindowKiB)}`);
    assert.ok(Number.isFinite(s.steadyBytesPerHost), 'steady RSS per host computed against the empty process');
    assert.ok(s.bare.probes > 0 && s.bare.cpuPerProbeMs > 0, 'bare-Node reference ran');
    // Twice, before vigil and after it; the second leaves out the killed targets.
    assert.equal(s.bareRuns.length, 2);
    assert.equal(s.bare.probes, s.bareRuns[0].probes + s.bareRuns[1].probes);
    // Its warm-up is not counted: about one second's probes (200 hosts every 1 s), not two.
    const perWindow = (s.spec.n / s.spec.intervalS) * s.spec.bareS;
    const alive = (s.spec.n - s.spec.kills) / s.spec.n;
    for (const [run, share] of [[s.bareRuns[0], 1], [s.bareRuns[1], alive]]) {
      assert.ok(run.probes >= perWindow * share * 0.5 && run.probes <= perWindow * share * 1.5, `bare probes ${run.probes}, expected about ${perWindow * share} (warm-up ${s.spec.bareWarmS} s left out)`);
    }
    assert.equal(s.bareRuns[1].failed, 0, 'the run after vigil left the killed targets out');
    assert.ok(s.fork.probes > 0 && s.fork.failed === 0, `fork reference ran cleanly: ${s.fork.error ?? ''}`);
    assert.equal(s.falseFailures, 0, `hosts that were never killed failed: ${s.falseFailureHosts.join(' ')}`);
    // Every killed endpoint was seen going down, and the alert followed.
    assert.ok(s.detectMs.samples >= 1 && s.detectMs.samples === s.detectMs.of, `detected ${s.detectMs.samples} of ${s.detectMs.of} kills`);
    assert.ok(s.detectMs.p50 > 0 && s.detectMs.max < 10_000);
    assert.ok(s.alertMs.samples >= 1 && s.alertMs.p50 >= 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
