/**
 * Fuzz: what monitor scripts print. mon monitor scripts (monitors/script/mon-output.ts)
 * and Nagios plugins (monitors/nagios/perfdata.ts, status.ts): random and
 * plugin-like output with any exit never throws, the summary is one line,
 * failing hosts are group members, and metrics are finite numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { interpretRun, splitOutput } from '../../monitors/script/mon-output.ts';
import { parsePluginOutput, perfMetrics } from '../../monitors/nagios/perfdata.ts';
import { interpretPlugin } from '../../monitors/nagios/status.ts';
import { report, SOAK } from './report.ts';

const HOSTS = ['127.0.0.2', '127.0.0.3', 'web1.example.com', '[::1]'];
const piece = fc.oneof(
  fc.constantFrom(...HOSTS, '\n', '\r\n', ' ', ',', '|', "'", "''", '=', ';', ':', '@', '~', 'U', '1e999', '-0', 'NaN', '10:20', '@5:', 'ms', '%', 'OK', 'CRITICAL', '(NO SUMMARY)', '\u0000', '\u001b[31m', '\ud800'),
  fc.string({ maxLength: 10 }),
  fc.integer().map(String),
  fc.double().map(String),
);
const output = fc.oneof({ weight: 4, arbitrary: fc.array(piece, { maxLength: 40 }).map((a) => a.join('')) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) });
const perfLike = fc
  .tuple(fc.constantFrom('OK', 'WARNING', 'CRITICAL', ''), fc.array(fc.tuple(fc.constantFrom('time', "'a b'", "'it''s'", 'x', '', '=', 'constructor', '__proto__'), fc.oneof(fc.double(), fc.constantFrom('U', '', '1e999', '0,5')), fc.constantFrom('', 's', 'ms', '%', 'B', 'c'), fc.array(fc.constantFrom('', '10', '10:', '~:10', '@10:20', 'x', '1e400'), { maxLength: 4 })), { maxLength: 5 }), fc.string({ maxLength: 30 }))
  .map(([st, items, tail]) => `${st} - text|${items.map(([l, v, u, th]) => `${l}=${v}${u}${th.length ? ';' + th.join(';') : ''}`).join(' ')}\n${tail}`);
const ended = fc.oneof(
  fc.record({ exitCode: fc.integer({ min: 0, max: 255 }), signal: fc.constant(null) }),
  fc.record({ exitCode: fc.constant(null), signal: fc.constantFrom('SIGKILL', 'SIGTERM', 'SIGSEGV', 'SIGPIPE') as fc.Arbitrary<NodeJS.Signals> }),
  fc.record({ exitCode: fc.constant(null), signal: fc.constant(null), killedBecause: fc.constantFrom('timed out after 5s', 'vigil is shutting down') }),
);

test('mon monitor script output: any output and any exit end in a well-formed result', () => {
  let tried = 0;
  fc.assert(
    fc.property(output, ended, fc.subarray(HOSTS, { minLength: 1 }), (raw, end, hosts) => {
      tried++;
      const r = interpretRun(raw, end as never, hosts);
      assert.equal(r.ok, end.exitCode === 0 && !('killedBecause' in end));
      assert.doesNotMatch(r.summary, /\n/, 'summary is one line');
      assert.equal(r.output, raw, 'the raw output is kept for the alert stdin');
      for (const h of r.failedHosts ?? []) assert.ok(hosts.includes(h), `failed host ${h} is in the group`);
      if (!r.ok) assert.ok((r.failedHosts ?? []).length > 0, 'a failure fails at least one host');
      assert.ok(Number.isInteger(r.exitCode));
      const { first, rest } = splitOutput(raw);
      assert.equal(raw.startsWith(first.replace(/\r$/, '')), true);
      assert.ok(rest.length <= raw.length);
    }),
    { numRuns: 5000 * SOAK, seed: 0x5c1 },
  );
  report('fuzz', 'mon monitor script output', `${tried} outputs x exit codes/signals`, '0 throws, one-line summary, failing hosts always group members')
});

test('Nagios plugin output and perfdata: any output parses, metrics are finite, the summary is one line', () => {
  let tried = 0;
  fc.assert(
    fc.property(fc.oneof(output, perfLike), fc.integer({ min: 0, max: 255 }), fc.boolean(), (raw, code, aborted) => {
      tried++;
      const out = parsePluginOutput(raw);
      assert.doesNotMatch(out.summary, /\n/);
      for (const it of out.perf) assert.ok(it.label.length > 0, 'perf labels are not empty');
      const metrics = perfMetrics(out.perf);
      for (const [k, v] of Object.entries(metrics)) assert.ok(Number.isFinite(v), `metric ${k}=${v} is a finite number (JSON and /metrics cannot carry it otherwise)`);
      const r = interpretPlugin({ exitCode: code, signal: null, output: raw, durationMs: 5, aborted }, [2, 3]);
      assert.doesNotMatch(r.summary, /\n/);
      assert.equal(r.ok, !aborted && code !== 2 && code < 3 ? true : false);
      assert.ok(r.summary.length > 0);
    }),
    { numRuns: 5000 * SOAK, seed: 0x9a9 },
  );
  report('fuzz', 'Nagios plugin output + perfdata', `${tried} outputs x exit codes`, '0 throws, one-line summary, every metric a finite number');
});

test('regression (found by the fuzzer): an out-of-range perfdata number is left out, not Infinity', () => {
  const out = parsePluginOutput('OK - text|time=U;;;1e400 load=1e999 ok=1;2;3;0;10\n');
  assert.deepEqual(perfMetrics(out.perf), { ok: 1, ok_warn: 2, ok_crit: 3, ok_min: 0, ok_max: 10 });
  assert.equal(out.perf.find((p) => p.label === 'load')?.value, undefined);
});
