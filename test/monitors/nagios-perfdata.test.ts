/**
 * Table tests of the pure Nagios output parser: status line, long text, perfdata
 * (quoted labels, '' escapes, U values, UOMs, 3.x ranges) and the metrics derived.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePluginOutput, parseRange, perfMetrics, tokenize } from '../../monitors/nagios/perfdata.ts';
import { interpretPlugin } from '../../monitors/nagios/status.ts';

test('ranges: plain, open, ~, inside, malformed', () => {
  const table: [string, unknown][] = [
    ['10', { start: 0, end: 10, inside: false, text: '10' }],
    ['10:', { start: 10, end: Infinity, inside: false, text: '10:' }],
    ['~:5', { start: -Infinity, end: 5, inside: false, text: '~:5' }],
    ['10:20', { start: 10, end: 20, inside: false, text: '10:20' }],
    ['@10:20', { start: 10, end: 20, inside: true, text: '@10:20' }],
    ['-5.5:-1e1', null], // start > end
    ['', undefined],
    ['abc', null],
    ['1:x', null],
  ];
  for (const [text, want] of table) assert.deepEqual(parseRange(text), want, text);
});

test('tokenize keeps quoted labels with spaces and escaped quotes together', () => {
  assert.deepEqual(tokenize(` time=0.01s;1;2 'in use'=5% 'it''s'=1  `), ['time=0.01s;1;2', "'in use'=5%", "'it''s'=1"]);
});

test('perfdata items: labels, values, UOM, thresholds, min/max', () => {
  const table: [string, unknown][] = [
    ['time=0.000123s;1.000;2.000;0.000;10.000', [{ label: 'time', value: 0.000123, uom: 's', warn: { start: 0, end: 1, inside: false, text: '1.000' }, crit: { start: 0, end: 2, inside: false, text: '2.000' }, min: 0, max: 10 }]],
    ["'disk /var'=40%;80;90", [{ label: 'disk /var', value: 40, uom: '%', warn: { start: 0, end: 80, inside: false, text: '80' }, crit: { start: 0, end: 90, inside: false, text: '90' } }]],
    ["'it''s'=1c", [{ label: "it's", value: 1, uom: 'c' }]],
    ['load=U;;;0', [{ label: 'load', uom: '', min: 0 }]],
    ['size=1024B;@10:20;~:5;;', [{ label: 'size', value: 1024, uom: 'B', warn: { start: 10, end: 20, inside: true, text: '@10:20' }, crit: { start: -Infinity, end: 5, inside: false, text: '~:5' } }]],
    ['neg=-3.5e2ms', [{ label: 'neg', value: -350, uom: 'ms' }]],
  ];
  for (const [perf, want] of table) {
    const out = parsePluginOutput(`OK | ${perf}`);
    assert.deepEqual(out.perf, want, perf);
    assert.deepEqual(out.bad, [], perf);
  }
});

test('bad perfdata tokens are kept aside, good ones still read', () => {
  const out = parsePluginOutput('OK | a=1 junk =2 b=x c=3;abc d=4');
  assert.deepEqual(out.perf.map((p) => p.label), ['a', 'd']);
  assert.deepEqual(out.bad, ['junk', '=2', 'b=x', 'c=3;abc']);
});

test('long text and multi-line perfdata (the plugin API layout)', () => {
  const raw = [
    'DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968',
    '/ 15272 MB (77%);',
    '/boot 68 MB (69%); | /boot=68MB;88;93;0;98',
    '/home=69357MB;253404;253409;0;253414',
    "'/var log'=818MB;970;975;0;980",
    '',
  ].join('\n');
  const out = parsePluginOutput(raw);
  assert.equal(out.summary, 'DISK OK - free space: / 3326 MB (56%);');
  assert.equal(out.detail, '/ 15272 MB (77%);\n/boot 68 MB (69%);');
  assert.deepEqual(out.perf.map((p) => [p.label, p.value]), [['/', 2643], ['/boot', 68], ['/home', 69357], ['/var log', 818]]);
});

test('no perfdata, empty output', () => {
  assert.deepEqual(parsePluginOutput('TCP OK - 0.001 second response time\n'), { summary: 'TCP OK - 0.001 second response time', detail: '', perf: [], bad: [] });
  assert.deepEqual(parsePluginOutput(''), { summary: '', detail: '', perf: [], bad: [] });
});

test('metrics: values, plain-number thresholds, min and max; ranges and U left out', () => {
  const out = parsePluginOutput("X | time=0.5s;1;2;0;10 'a b'=U;@1:2;3: c=7;~:5;10:20");
  assert.deepEqual(perfMetrics(out.perf), { time: 0.5, time_warn: 1, time_crit: 2, time_min: 0, time_max: 10, c: 7 });
});

test('exit status: 0 ok, 1 degraded unless in failOn, 2/3 failed, signal and timeout are UNKNOWN failures', () => {
  const end = (exitCode: number | null, output: string, extra: object = {}) =>
    ({ exitCode, signal: exitCode === null ? ('SIGSEGV' as const) : null, output, durationMs: 1500, aborted: false, ...extra });
  assert.deepEqual(interpretPlugin(end(0, 'OK - fine | t=1s\n'), [2, 3]), { ok: true, summary: 'OK - fine', detail: undefined, metrics: { t: 1 } });
  assert.deepEqual(interpretPlugin(end(1, 'WARNING - slow\n'), [2, 3]), { ok: true, degraded: true, summary: 'WARNING - slow', detail: undefined, metrics: undefined });
  assert.equal(interpretPlugin(end(1, 'WARNING - slow\n'), [1, 2, 3]).ok, false);
  assert.equal(interpretPlugin(end(2, 'CRITICAL - down\n'), [2, 3]).ok, false);
  assert.deepEqual(interpretPlugin(end(3, ''), [2, 3]), { ok: false, summary: 'UNKNOWN (exit 3, no output)', detail: undefined, metrics: undefined });
  assert.deepEqual(interpretPlugin(end(3, 'UNKNOWN - ?\n'), [2]), { ok: true, degraded: true, summary: 'UNKNOWN - ?', detail: undefined, metrics: undefined });
  assert.deepEqual(interpretPlugin(end(127, 'check_x: error while loading shared libraries\n'), [2, 3]).ok, false);
  assert.equal(interpretPlugin(end(null, 'half'), [2, 3]).summary, 'UNKNOWN: plugin killed by signal SIGSEGV: half');
  assert.deepEqual(interpretPlugin(end(null, '', { aborted: true, signal: 'SIGTERM' }), [2, 3]), { ok: false, summary: 'UNKNOWN: timed out after 1.5s', detail: undefined, metrics: undefined });
});
