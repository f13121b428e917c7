import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logicalLines } from '../../core/config/moncf-lexer.ts';
import { quoteWords } from '../../core/config/moncf-words.ts';
import { parseAlertAfter, parseAlertEvery, parseExitRange, timevalMs } from '../../core/config/moncf-time.ts';

test('continuation keeps text before the backslash and strips the next line\'s indent', () => {
  const ll = logicalLines('monitor envdump.monitor -x \\\n        "two words"\nnext\n');
  assert.deepEqual(ll.map((l) => [l.text, l.line, l.endLine]), [
    ['monitor envdump.monitor -x "two words"', 1, 2],
    ['next', 3, 3],
  ]);
});

test('comment lines are dropped, even inside a continuation, and never end a block', () => {
  const ll = logicalLines('a \\\n# comment\n  b\n   # indented comment\nc\n');
  assert.deepEqual(ll.map((l) => l.text), ['a b', 'c']);
});

test('no trailing comments: "# x" stays part of the value', () => {
  assert.equal(logicalLines('interval 5m # x\n')[0]!.text, 'interval 5m # x');
});

test('blank and whitespace-only lines become empty logical lines; CRLF is tolerated', () => {
  assert.deepEqual(logicalLines('a\r\n   \r\n\nb').map((l) => l.text), ['a', '', '', 'b']);
});

test('a continuation pending at EOF is lost, as in mon', () => {
  assert.deepEqual(logicalLines('a\nb \\\n').map((l) => l.text), ['a']);
});

test('backslash followed by trailing whitespace still continues', () => {
  assert.deepEqual(logicalLines('hostgroup g a \\   \n\tb\n').map((l) => l.text), ['hostgroup g a b']);
});

test('quoteWords splits like Text::ParseWords quotewords', () => {
  assert.deepEqual(quoteWords(`alertarg1 "quoted arg"`), ['alertarg1', 'quoted arg']);
  assert.deepEqual(quoteWords(`-S "web server is back up" mis`), ['-S', 'web server is back up', 'mis']);
  assert.deepEqual(quoteWords(`a\\ b 'c d'e "x\\"y"`), ['a b', 'c de', 'x"y']);
  assert.deepEqual(quoteWords(`'it''s'`), ['its']);
  assert.equal(quoteWords(`"open`), undefined);
  assert.deepEqual(quoteWords('   '), []);
});

test('timevals need a unit and allow fractions', () => {
  assert.equal(timevalMs('30s'), 30_000);
  assert.equal(timevalMs('1.5h'), 5_400_000);
  assert.equal(timevalMs('2D'), 172_800_000);
  assert.equal(timevalMs('30'), undefined);
  assert.equal(timevalMs('5m # x'), undefined);
});

test('alertafter forms, and the "not sensible" check against interval', () => {
  assert.deepEqual(parseAlertAfter('3', 60_000), { kind: 'count', count: 3 });
  assert.deepEqual(parseAlertAfter('10m', 60_000), { kind: 'duration', durationMs: 600_000 });
  assert.deepEqual(parseAlertAfter('2 30m', 600_000), { kind: 'count-within', count: 2, withinMs: 1_800_000 });
  assert.match(parseAlertAfter('4 30m', 600_000) as string, /not sensible/);
  assert.match(parseAlertAfter('1d', 1000) as string, /invalid/); // mon: no d, no fraction for alertafter
  assert.match(parseAlertAfter('1.5m', 1000) as string, /invalid/);
});

test('alertevery modes', () => {
  assert.deepEqual(parseAlertEvery('1h'), { ms: 3_600_000, mode: 'default' });
  assert.deepEqual(parseAlertEvery('45m strict'), { ms: 2_700_000, mode: 'strict' });
  assert.deepEqual(parseAlertEvery('1h observe_detail'), { ms: 3_600_000, mode: 'observe_detail' });
  assert.deepEqual(parseAlertEvery('1h ignore_summary'), { ms: 3_600_000, mode: 'ignore_summary' });
  assert.deepEqual(parseAlertEvery('1h summary'), { ms: 3_600_000, mode: 'summary' });
  assert.match(parseAlertEvery('0s') as string, /invalid/);
});

test('exit ranges', () => {
  assert.deepEqual(parseExitRange('3'), [3, 3]);
  assert.deepEqual(parseExitRange('1-5'), [1, 5]);
  assert.equal(parseExitRange('x'), undefined);
});
