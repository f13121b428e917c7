import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependFor, evalDepend, hmExcludedHosts, hmRemainingHosts, parentCountsAsOk, parseDepend, rememberedOk } from '../../core/depend.ts';

const env = (down: string[]) => (t: string) => !down.includes(t);
const ev = (expr: string, down: string[] = []) => evalDepend(parseDepend(expr).ast, env(down));

test('table: operators, words, precedence and parentheses', () => {
  const rows: Array<[string, string[], boolean]> = [
    ['a:b', [], true],
    ['a:b', ['a:b'], false],
    ['a:b && c:d', ['c:d'], false],
    ['a:b || c:d', ['c:d'], true],
    ['a:b || c:d', ['a:b', 'c:d'], false],
    ['!a:b', ['a:b'], true],
    ['! a:b', [], false],
    ['a:b and c:d', ['a:b'], false],
    ['a:b or c:d', ['a:b'], true],
    ['not a:b', ['a:b'], true],
    ['a:b || c:d && e:f', ['a:b', 'e:f'], false], // && binds tighter than ||
    ['(a:b || c:d) && e:f', ['a:b'], true],
    ['not a:b || c:d', ['a:b', 'c:d'], true], // not is looser than ||: not (a || c)
    ['not a:b and c:d', ['a:b'], true],
    ['a:b or c:d and e:f', ['a:b', 'e:f'], false], // and tighter than or
    ['a:b or c:d and e:f', ['c:d'], true],
    ['!(a:b && c:d)', ['c:d'], true],
    ['x-1.y:svc_2 && SELF.z:a', [], true],
    ['1', [], true],
    ['0 || a:b', [], true],
  ];
  for (const [expr, down, want] of rows) assert.equal(ev(expr, down), want, `${expr} with ${down.join(',') || 'nothing'} down`);
});

test('terms are listed once, in order', () => {
  assert.deepEqual(parseDepend('a:b && (c:d || !a:b)').terms, ['a:b', 'c:d']);
});

test('a space-separated list is AND-ed and flagged (mon BUG: it silences the service forever)', () => {
  const p = parseDepend('routers:ping serversbd2:ping');
  assert.equal(p.implicitAnd, true);
  assert.equal(evalDepend(p.ast, env([])), true);
  assert.equal(evalDepend(p.ast, env(['serversbd2:ping'])), false);
  assert.equal(parseDepend('a:b && c:d').implicitAnd, false);
  assert.equal(parseDepend('a:b not c:d').implicitAnd, true);
});

test('syntax errors are thrown, never evaluated; nothing is passed to an eval', () => {
  for (const bad of ['a:b &&', '(a:b', 'a:b )', 'process.exit()', 'a:b ; c:d', '', 'a:b || || c:d', 'require("fs")']) {
    assert.throws(() => parseDepend(bad), /bad dependency expression/, bad);
  }
});

test('hm: hosts named in a failing parent\'s summary are removed (substring match, as mon)', () => {
  const hosts = ['10.0.0.1', '10.0.0.11', 'web2'];
  assert.deepEqual(hmExcludedHosts(hosts, ['web2 failed']), ['web2']);
  // mon's grep /\Qhost\E/ is a substring test: 10.0.0.1 is inside "10.0.0.11".
  assert.deepEqual(hmRemainingHosts(hosts, ['10.0.0.11']), ['web2']);
  assert.deepEqual(hmRemainingHosts(hosts, []), hosts);
});

test('which expressions gate alerts, monitor runs, hosts', () => {
  const svc = { depend: 'a:b', depBehavior: 'm' as const, alertdepend: 'c:d' };
  assert.deepEqual(dependFor(svc, 'monitor'), ['a:b']);
  assert.deepEqual(dependFor(svc, 'alerts'), ['c:d']);
  assert.deepEqual(dependFor(svc, 'hosts'), []);
  assert.deepEqual(dependFor({ depend: 'a:b', depBehavior: 'a' }, 'alerts'), ['a:b']);
});

test('parent success states as mon counts them (untested counts as ok)', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter(parentCountsAsOk), [1, 2, 3, 5, 7]);
});

test('dep_memory keeps a recovered parent failed for a while (mon BUG fixed)', () => {
  assert.equal(rememberedOk(true, 1000, 60_000, 30_000), false);
  assert.equal(rememberedOk(true, 1000, 60_000, 61_000), true);
  assert.equal(rememberedOk(false, undefined, 60_000, 0), false);
  assert.equal(rememberedOk(true, undefined, undefined, 0), true);
});
