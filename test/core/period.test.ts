/**
 * Time::Period: a table of mon's documented cases, then the same answers as the
 * real Perl module (Debian's libtime-period-perl) for many generated specs and times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { checkPeriod, inPeriod, parsePeriod, timeParts } from '../../core/period.ts';

/** Local time, so the tables hold in every time zone. Month is 1-12 here. */
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s);

// 2026-01-05 is a Monday; 2026-03-01 is a Sunday.
const cases: Array<[spec: string, when: Date, expected: boolean]> = [
  ['', at(2026, 1, 5, 3), true],
  ['   ', at(2026, 1, 5, 3), true],
  ['none', at(2026, 1, 5, 3), false],
  ['NONE', at(2026, 1, 5, 3), false],
  ['hr {9am-4pm}', at(2026, 1, 5, 8, 59, 59), false],
  ['hr {9am-4pm}', at(2026, 1, 5, 9, 0, 0), true],
  ['hr {9am-4pm}', at(2026, 1, 5, 16, 59, 59), true],
  ['hr {9am-4pm}', at(2026, 1, 5, 17, 0, 0), false],
  ['hr {10pm-2am}', at(2026, 1, 5, 21, 59, 59), false],
  ['hr {10pm-2am}', at(2026, 1, 5, 22, 0, 0), true],
  ['hr {10pm-2am}', at(2026, 1, 5, 0, 30), true],
  ['hr {10pm-2am}', at(2026, 1, 5, 2, 59, 59), true],
  ['hr {10pm-2am}', at(2026, 1, 5, 3, 0, 0), false],
  ['hr {12am}', at(2026, 1, 5, 0, 10), true],
  ['hr {12am}', at(2026, 1, 5, 12, 10), false],
  ['hr {12noon}', at(2026, 1, 5, 12, 10), true],
  ['hr {12pm}', at(2026, 1, 5, 12, 10), true],
  ['hr {12pm}', at(2026, 1, 5, 0, 10), false],
  ['hr {1pm}', at(2026, 1, 5, 13, 0), true],
  ['hr {11pm}', at(2026, 1, 5, 23, 59, 59), true],
  ['hr {12am-11am}', at(2026, 1, 5, 11, 59, 59), true],
  ['hr {12am-11am}', at(2026, 1, 5, 12, 0, 0), false],
  ['wd {Mon-Fri}', at(2026, 1, 5), true], // Monday
  ['wd {Mon-Fri}', at(2026, 1, 4), false], // Sunday
  ['wd {monday-friday}', at(2026, 1, 9), true], // only 2 letters count
  ['wd {Fri-Mon}', at(2026, 1, 4), true], // wraps over the weekend
  ['wd {Fri-Mon}', at(2026, 1, 7), false],
  ['wd {1 7}', at(2026, 1, 4), true], // 1 = Sunday
  ['wd {1 7}', at(2026, 1, 10), true], // 7 = Saturday
  ['wd {1 7}', at(2026, 1, 6), false],
  ['WD {Mon-Fri} HR {9AM-5PM}', at(2026, 1, 6, 17, 30), true],
  ['wd {Mon-Fri} hr {9am-5pm}', at(2026, 1, 10, 12), false], // Saturday: both scales must match
  ['wd {Mon Wed Fri} hr {9am-4pm}, wd {Tue Thu} hr {9am-2pm}', at(2026, 1, 6, 14, 30), true],
  ['wd {Mon Wed Fri} hr {9am-4pm}, wd {Tue Thu} hr {9am-2pm}', at(2026, 1, 6, 15, 0), false],
  ['wd {Mon Wed Fri} hr {9am-4pm}, wd {Tue Thu} hr {9am-2pm}', at(2026, 1, 7, 15, 0), true],
  ['mo {Nov-Feb}', at(2026, 1, 15), true],
  ['mo {Nov-Feb}', at(2026, 3, 1), false],
  ['mo {Jan Feb} mo {Nov Dec}', at(2026, 12, 1), true], // a repeated scale extends
  ['mo {january}', at(2026, 1, 31), true],
  ['month {12}', at(2026, 12, 31), true],
  ['md {31-1}', at(2026, 1, 31), true],
  ['md {31-1}', at(2026, 2, 1), true],
  ['md {31-1}', at(2026, 2, 2), false],
  ['yd {1}', at(2026, 1, 1, 12), true],
  ['yd {365}', at(2026, 12, 31), true],
  ['yd {366}', at(2024, 12, 31), true],
  ['yr {2026}', at(2026, 6, 1), true],
  ['yr {26}', at(2026, 6, 1), true],
  ['yr {2027-2025}', at(2026, 6, 1), true], // years never wrap; a reversed range is swapped
  ['year {1999}', at(2026, 6, 1), false],
  ['wk {1}', at(2026, 3, 1), true], // Sunday the 1st is still week 1
  ['wk {2}', at(2026, 3, 8), true],
  ['wk {1}', at(2026, 1, 3), true], // Saturday
  ['wk {2}', at(2026, 1, 4), true], // the first Sunday after the 1st starts week 2
  ['min {0-29}', at(2026, 1, 5, 10, 29, 59), true],
  ['min {0-29}', at(2026, 1, 5, 10, 30), false],
  ['sec {0-4 10-14}', at(2026, 1, 5, 10, 0, 12), true],
  ['sec {0-4 10-14}', at(2026, 1, 5, 10, 0, 7), false],
  ['hr { 9am - 5pm }', at(2026, 1, 5, 17, 0), true], // whitespace anywhere
  ['wd {}', at(2026, 1, 5), false], // an empty scale matches nothing, as in Time::Period
  ['wd {Mon-Fri},', at(2026, 1, 5), true], // a trailing comma is ignored, as in Perl
];

test('documented Time::Period cases', () => {
  for (const [spec, when, expected] of cases) {
    assert.equal(inPeriod(spec, when), expected, `${spec} at ${when.toString()}`);
    assert.equal(inPeriod(spec, when.getTime()), expected, `${spec} at ${when.getTime()} (ms)`);
  }
});

const bad: Array<[spec: string, part: RegExp]> = [
  ['always', /"always" has no "scale \{range\}" part/],
  ['wd Mon-Fri', /has no "scale \{range\}" part/],
  ['wd {Mon-Fri', /unbalanced braces/],
  ['wd {Mon-Fri} x', /unbalanced|outside/],
  ['wx {Mon}', /"wx" is not a scale/],
  ['hours {1}', /"hours" is not a scale/],
  ['hr {25}', /"25" is not an hour/],
  ['hr {9am-13pm}', /"9am-13pm" is not an hour/],
  ['hr {11noon}', /"11noon" is not an hour/],
  ["wd {Mon-Fxi}", /"mon-fxi" is not a day of the week/],
  ['mo {13}', /"13" is not a month/],
  ['md {0}', /"0" is not a day of the month/],
  ['yr {1969}', /"1969" is not a year/],
  ['min {60}', /"60" is not a minute/],
  ['wk {7}', /"7" is not a week of the month/],
  ['wd {1,2}', /unbalanced braces/],
  [',wd {1}', /has no "scale \{range\}" part/],
  ['hr {0-23}, junk', /"junk" has no/], // Time::Period would only notice this when the first part fails
];

test('a malformed spec throws an error naming the bad part', () => {
  for (const [spec, part] of bad) {
    assert.throws(() => parsePeriod(spec), part, spec);
    assert.match(checkPeriod(spec) ?? '', part, spec);
  }
  assert.equal(checkPeriod('wd {Mon-Fri} hr {9am-5pm}'), undefined);
});

test('week of the month follows Time::Period 1.25 (weeks start on Sunday)', () => {
  // March 2026 starts on a Sunday: days 1-7 week 0, 8-14 week 1, ... 29-31 week 4.
  assert.deepEqual([1, 7, 8, 14, 15, 29, 31].map((d) => timeParts(at(2026, 3, d)).wk), [0, 0, 1, 1, 2, 4, 4]);
  // May 2026 starts on a Friday: 1-2 week 0, 3-9 week 1, 31 week 5.
  assert.deepEqual([1, 2, 3, 9, 10, 31].map((d) => timeParts(at(2026, 5, d)).wk), [0, 0, 1, 1, 2, 5]);
});

// ---------------------------------------------------------------- against the real module

const PERL_MODULE = '/usr/share/perl5/Time/Period.pm';
const PERL = `use Time::Period; $| = 1;
while (my $l = <STDIN>) { chomp $l; my ($t, $p) = split /\\t/, $l, 2; print inPeriod($t, $p), "\\n"; }`;

function perlInPeriod(pairs: Array<[spec: string, epochSec: number]>): number[] {
  assert.ok(existsSync(PERL_MODULE), `${PERL_MODULE} is missing: apt-get install libtime-period-perl (listed in .ci/apt.d/config.txt)`);
  const input = pairs.map(([spec, t]) => `${t}\t${spec}\n`).join('');
  const r = spawnSync('perl', ['-e', PERL], { input, encoding: 'utf8', timeout: 20_000, env: process.env });
  assert.equal(r.status, 0, `perl failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map(Number);
}

const scaleValue: Record<string, fc.Arbitrary<string>> = {
  yr: fc.oneof(fc.integer({ min: 2020, max: 2032 }).map(String), fc.integer({ min: 20, max: 32 }).map(String)),
  mo: fc.oneof(fc.integer({ min: 1, max: 12 }).map(String), fc.constantFrom('jan', 'Feb', 'march', 'jun', 'Oct', 'dec')),
  wk: fc.integer({ min: 1, max: 6 }).map(String),
  yd: fc.integer({ min: 1, max: 366 }).map(String),
  md: fc.integer({ min: 1, max: 31 }).map(String),
  wd: fc.oneof(fc.integer({ min: 1, max: 7 }).map(String), fc.constantFrom('Su', 'mon', 'Tue', 'wednesday', 'th', 'Fri', 'sat')),
  hr: fc.oneof(
    fc.integer({ min: 0, max: 23 }).map(String),
    fc.integer({ min: 1, max: 12 }).map((h) => `${h}am`),
    fc.integer({ min: 1, max: 12 }).map((h) => `${h}pm`),
    fc.constant('12noon'),
  ),
  min: fc.integer({ min: 0, max: 59 }).map(String),
  sec: fc.integer({ min: 0, max: 59 }).map(String),
};
const scaleName: Record<string, string[]> = {
  yr: ['yr', 'year'], mo: ['mo', 'month'], wk: ['wk', 'week'], yd: ['yd', 'yday'], md: ['md', 'mday'],
  wd: ['wd', 'wday'], hr: ['hr', 'hour'], min: ['min', 'minute'], sec: ['sec', 'second'],
};
const rangeArb = (scale: string) =>
  fc.oneof(scaleValue[scale]!, fc.tuple(scaleValue[scale]!, scaleValue[scale]!, fc.constantFrom('-', ' - ')).map(([a, b, d]) => `${a}${d}${b}`));
const scaleArb = fc
  .constantFrom(...Object.keys(scaleValue))
  .chain((s) => fc.tuple(fc.constantFrom(...scaleName[s]!), fc.array(rangeArb(s), { minLength: 1, maxLength: 3 })))
  .map(([name, ranges]) => `${name} {${ranges.join(' ')}}`);
const specArb = fc
  .array(fc.array(scaleArb, { minLength: 1, maxLength: 3 }).map((s) => s.join(' ')), { minLength: 1, maxLength: 3 })
  .map((subs) => subs.join(', '));
// 2020-01-01 .. 2032-12-31, in whole seconds.
const timeArb = fc.integer({ min: 1_577_836_800, max: 2_019_686_399 });

test('same answers as the Time::Period Perl module for generated specs and times', () => {
  const pairs = fc.sample(fc.tuple(specArb, timeArb), { numRuns: 3000, seed: 20261126 });
  // Dense times around boundaries that matter: ends of hours, days, months, years.
  for (const t of [1_767_225_599, 1_767_225_600, 1_772_323_199, 1_772_323_200]) {
    for (const spec of ['hr {11pm}', 'hr {12am}', 'md {31-1}', 'mo {dec-jan}', 'wk {1}', 'yd {365-1}', 'wd {sa-su}']) pairs.push([spec, t]);
  }
  const perl = perlInPeriod(pairs);
  assert.equal(perl.length, pairs.length);
  let matched = 0;
  pairs.forEach(([spec, t], i) => {
    assert.notEqual(perl[i], -1, `generated spec is invalid for Time::Period: ${spec}`);
    assert.equal(inPeriod(spec, t * 1000) ? 1 : 0, perl[i], `${spec} at ${new Date(t * 1000).toString()}`);
    if (perl[i] === 1) matched++;
  });
  assert.ok(matched > 50, `only ${matched} of ${pairs.length} samples matched; the generator is too narrow to prove much`);
});

test('specs Time::Period rejects are rejected here too', () => {
  const specs = bad.map(([s]) => s).filter((s) => !s.includes(', junk')); // that one Perl only sees when the first part fails
  const perl = perlInPeriod(specs.map((s) => [s, 1_767_614_400]));
  specs.forEach((s, i) => assert.equal(perl[i], -1, `Time::Period accepts "${s}"`));
});
