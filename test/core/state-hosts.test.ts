/**
 * @fileoverview Per-host events (mon has none): host-down / host-up /
 * host-degraded on every change of a host's own state, outside every
 * service-level throttle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOSTS, fail, hostResult, ok, replay, service, S, context } from './state-fixtures.ts';
import { applyResult, initialState, hostResults } from '../../core/state.ts';

test('the first check tells the initial state of every host, from unknown', () => {
  const r = replay(service(), [{ at: 0, result: fail(['h2']) }]);
  assert.deepEqual(r.hostLog, ['0 host-up h1 count=1', '0 host-down h2 count=1', '0 host-up h3 count=1']);
  assert.equal(r.state.hosts.h2!.state, 'down');
  assert.equal(r.state.hosts.h1!.state, 'up');
});

test('a host failing while another recovers in the same run: one host-down, one host-up', () => {
  const r = replay(service(), [
    { at: 0, result: fail(['h1']) },
    { at: 10 * S, result: fail(['h1']) },
    { at: 20 * S, result: fail(['h2']) },
  ]);
  const last = r.hostLog.filter((l) => l.startsWith('20000 '));
  assert.deepEqual(last.sort(byHost), ['20000 host-up h1 count=1', '20000 host-down h2 count=1']);
  // the service stays failing the whole time: no service-level up
  assert.ok(!r.log.some((l) => l.includes(' up ')));
});

test('counts are the host\'s own consecutive failures / successes', () => {
  const r = replay(service(), [
    { at: 0, result: ok() },
    { at: 10 * S, result: fail(['h3']) },
    { at: 20 * S, result: fail(['h3']) },
    { at: 30 * S, result: ok() },
  ]);
  assert.equal(r.states[2]!.hosts.h3!.consecutiveFailures, 2);
  assert.equal(r.states[2]!.hosts.h1!.consecutiveSuccesses, 3);
  assert.deepEqual(r.hostLog.filter((l) => l.includes('h3')), [
    '0 host-up h3 count=1',
    '10000 host-down h3 count=1',
    '30000 host-up h3 count=1',
  ]);
});

test('per-host results with degraded: host-degraded, then host-up; ignored by disable and ack', () => {
  const svc = service([{ alertafter: { kind: 'count', count: 99 } }]);
  const run = (h1: ReturnType<typeof hostResult>) =>
    ok({ hosts: { h1, h2: hostResult(true), h3: hostResult(true) } });
  const r = replay(svc, [
    { at: 0, result: run(hostResult(true)) },
    { at: 10 * S, result: run(hostResult(true, { degraded: true, summary: 'slow: 900 ms' })), ctx: { disabled: true } },
    { at: 20 * S, result: run(hostResult(true)), ctx: { schedulerStopped: true } },
  ]);
  assert.deepEqual(r.hostLog.slice(3), ['10000 host-degraded h1 count=2', '20000 host-up h1 count=3']);
  const degraded = r.hostEvents[3]!;
  assert.equal(degraded.summary, 'slow: 900 ms');
  assert.equal(degraded.result?.degraded, true);
});

test('host event fields: id, incident pairing down with up, hosts, result', () => {
  const r = replay(service(), [
    { at: 0, result: ok() },
    { at: 10 * S, result: fail(['h2']) },
    { at: 30 * S, result: ok() },
  ]);
  const down = r.hostEvents.find((e) => e.type === 'host-down')!;
  const up = r.hostEvents.filter((e) => e.host === 'h2' && e.type === 'host-up')[1]!;
  assert.equal(down.host, 'h2');
  assert.equal(down.watch, 'web');
  assert.equal(down.service, 'http');
  assert.deepEqual(down.hosts, HOSTS);
  assert.deepEqual(down.failedHosts, ['h2']);
  assert.equal(down.result?.ok, false);
  assert.match(down.id, /^web\/http\/h2\/10000\/\d+$/);
  assert.equal(down.incident, 'web/http/h2/10000');
  assert.equal(up.incident, down.incident, 'the up closes the incident the down opened');
  assert.equal(up.since, 10000);
  assert.notEqual(up.id, down.id);
});

test('ok:false with no failing list: every host of the group counts as failed, excluded hosts aside', () => {
  const svc = service([{}], { excludeHosts: ['h3'] });
  const results = hostResults(fail([], { summary: 'boom' }), context(svc, 0));
  assert.deepEqual([...results.keys()].sort(), ['h1', 'h2']);
  assert.ok([...results.values()].every((r) => !r.ok));
});

test('hosts named in failedHosts but not in the per-host results are down too', () => {
  const svc = service();
  const res = fail(['h9'], { hosts: { h1: hostResult(true) } });
  const { hostEvents } = applyResult(initialState(svc, HOSTS), res, context(svc, 0));
  assert.deepEqual(hostEvents.map((e) => `${e.type} ${e.host}`).sort(), ['host-down h9', 'host-up h1']);
});

function byHost(a: string, b: string): number {
  return a.split(' ')[2]!.localeCompare(b.split(' ')[2]!);
}
