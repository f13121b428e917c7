/**
 * @fileoverview What service events carry, stable ids, counters, test alerts,
 * reload (adoptState) and purity of the state machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOSTS, context, fail, ok, ref, replay, service, S, M } from './state-fixtures.ts';
import {
  acknowledge,
  adoptState,
  applyResult,
  applyResultInPlace,
  initialState,
  serviceEventId,
  testAlert,
  NO_SUMMARY,
} from '../../core/state.ts';

test('a down event carries everything an alert needs', () => {
  const svc = service([{ key: 'office', spec: 'wd {Mon-Fri}' }]);
  const r = replay(svc, [
    { at: 0, result: ok() },
    { at: 10 * S, result: fail(['h1', 'h2'], { exitCode: 2, source: 'trap' }) },
  ]);
  const e = r.deliveries[0]!.event;
  assert.equal(e.type, 'down');
  assert.equal(e.watch, 'web');
  assert.equal(e.service, 'http');
  assert.equal(e.description, 'front page');
  assert.deepEqual(e.hosts, HOSTS);
  assert.deepEqual(e.failedHosts, ['h1', 'h2']);
  assert.equal(e.summary, 'h1 h2');
  assert.equal(e.detail, 'h1,h2 refused');
  assert.equal(e.output, 'h1 h2\nh1,h2 refused\n');
  assert.equal(e.exitCode, 2);
  assert.equal(e.since, 10000);
  assert.equal(e.at, 10000);
  assert.equal(e.count, 1);
  assert.equal(e.incident, 'web/http/10000');
  assert.equal(e.period, 'office');
  assert.equal(e.source, 'trap');
  assert.deepEqual(e.env, { SITE: 'a' });
  // seq 1-3: the first run's host-up events; 4: this down
  assert.equal(e.id, serviceEventId('web', 'http', undefined, 10000, 4));
  assert.equal(e.id, 'web/http/-/10000/4');
  assert.equal(r.deliveries[0]!.period, 'office');
});

test('ids are unique per event and stable: a replay gives the same ids', () => {
  const svc = service([{ alerts: [ref('mail'), ref('page')] }]);
  const steps = [0, 10, 20].map((t) => ({ at: t * S, result: fail() }));
  const a = replay(svc, steps);
  const b = replay(svc, steps);
  const ids = a.deliveries.map((d) => d.event.id);
  assert.deepEqual(ids, b.deliveries.map((d) => d.event.id));
  assert.equal(new Set(ids).size, 3, 'two refs share one event; three runs make three events');
  assert.ok(ids.every((id) => id.startsWith('web/http/-/0/')), 'all of one incident');
});

test('a blank first line is "(NO SUMMARY)", as in mon', () => {
  const r = replay(service(), [{ at: 0, result: fail([], { summary: '  ', output: '\nsomething broke\n' }) }]);
  assert.equal(r.deliveries[0]!.event.summary, NO_SUMMARY);
  assert.equal(r.state.summary, NO_SUMMARY);
});

test('counters: failureCount, consecutive, first/last failure, lastStatus, alertsSent honours alerts_dont_count', () => {
  const svc = service([{ key: 'a' }, { key: 'b', alertsDontCount: true }]);
  const r = replay(svc, [
    { at: 0, result: ok() },
    { at: 10 * S, result: fail() },
    { at: 20 * S, result: fail() },
  ]);
  const s = r.state;
  assert.equal(s.status, 'fail');
  assert.equal(s.lastStatus, 'fail');
  assert.equal(r.states[1]!.lastStatus, 'ok');
  assert.equal(s.failureCount, 2);
  assert.equal(s.consecutiveFailures, 2);
  assert.equal(s.firstFailure, 10000);
  assert.equal(s.lastFailure, 20000);
  assert.equal(s.lastChange, 10000);
  assert.equal(s.lastSuccess, 0);
  assert.equal(s.periods.a!.alertSent, 2);
  assert.equal(s.periods.b!.alertSent, 2);
  assert.equal(s.alertsSent, 2, 'period b does not count');
  assert.equal(s.lastAlert, 20000);
  const after = applyResult(s, { ...ok(), at: 30 * S }, context(svc, 30 * S)).state;
  assert.equal(after.consecutiveFailures, 0);
  assert.equal(after.firstFailure, undefined);
  assert.equal(after.alertsSent, 0);
  assert.equal(after.failureCount, 2);
});

test('applyResult is pure: the input state is untouched and the output survives JSON', () => {
  const svc = service([{ alertevery: { ms: M, mode: 'default' }, upalerts: [ref('up')] }]);
  let state = initialState(svc, HOSTS);
  for (const [t, res] of [[0, fail()], [10, fail(['h2'])], [20, ok()]] as const) {
    const before = structuredClone(state);
    const next = applyResult(state, { ...res, at: t * S }, context(svc, t * S)).state;
    assert.deepEqual(state, before);
    assert.deepEqual(JSON.parse(JSON.stringify(next)), next);
    state = next;
  }
});

test('applyResultInPlace (the engine\'s form) updates the state itself and decides exactly as applyResult', () => {
  const svc = service([{ alertevery: { ms: M, mode: 'default' }, upalerts: [ref('up')] }]);
  let pure = initialState(svc, HOSTS);
  const mine = initialState(svc, HOSTS);
  const runs = [[0, fail()], [10, fail(['h2'])], [70, fail(['h2'])], [80, ok()], [90, fail(['h1'])], [95, ok()]] as const;
  for (const [t, res] of runs) {
    const a = applyResult(pure, { ...res, at: t * S }, context(svc, t * S));
    const b = applyResultInPlace(mine, { ...res, at: t * S }, context(svc, t * S));
    assert.equal(b.state, mine, 'the same object');
    assert.deepEqual(b.state, a.state);
    assert.deepEqual(b.deliveries, a.deliveries);
    assert.deepEqual(b.hostEvents, a.hostEvents);
    pure = a.state;
  }
});

test('acknowledge: only a failing service; the comment is the ackalert stdin', () => {
  const svc = service([{ ackalerts: [ref('mail-ack')] }]);
  const fresh = initialState(svc, HOSTS);
  const none = acknowledge(fresh, 'ops: x', context(svc, 0));
  assert.equal(none.state, fresh);
  assert.deepEqual(none.deliveries, []);
  const r = replay(svc, [
    { at: 0, result: fail() },
    { at: 5 * S, ack: 'ops: on it' },
  ]);
  assert.deepEqual(r.state.ack, { at: 5000, comment: 'ops: on it' });
  const e = r.deliveries[1]!.event;
  assert.equal(e.type, 'ack');
  assert.equal(e.output, 'ops: on it');
  assert.equal(e.comment, 'ops: on it');
  assert.equal(e.exitCode, undefined, 'mon leaves MON_RETVAL unset for ackalerts');
});

test('testAlert: that period\'s lines, test output, flagged, not counted, unknown period named', () => {
  const svc = service([
    { key: 'day', upalerts: [ref('mail-up')], alerts: [ref('mail'), ref('page', { exitRange: [2, 2] })] },
  ]);
  const r = replay(svc, [{ at: 0, result: fail() }]);
  const ctx = context(svc, 7 * S);
  const ds = testAlert(r.state, 'alert', 'day', ctx);
  assert.deepEqual(ds.map((d) => d.ref.plugin), ['mail']);
  const e = ds[0]!.event;
  assert.equal(e.type, 'test');
  assert.equal(e.test, true);
  assert.equal(e.output, 'test\ntest detail\n');
  assert.equal(e.summary, 'test');
  assert.deepEqual(testAlert(r.state, 'alert', 'day', ctx, 2).map((d) => d.ref.plugin), ['mail', 'page']);
  const up = testAlert(r.state, 'upalert', 'day', ctx);
  assert.equal(up[0]!.event.type, 'up');
  assert.equal(up[0]!.event.test, true);
  assert.equal(r.state.periods.day!.alertSent, 1, 'not counted');
  assert.throws(() => testAlert(r.state, 'alert', 'night', ctx), /period "night" is not defined for web\/http; its periods are: "day"/);
});

test('adoptState: a reload never resends a down alert already sent', () => {
  const svc = service([{ key: 'p', alertevery: { ms: 60 * M, mode: 'default' } }]);
  const before = replay(svc, [{ at: 0, result: fail() }]);
  // new config: same period plus a new one; host h3 removed, h4 added
  const svc2 = service([{ key: 'p', alertevery: { ms: 60 * M, mode: 'default' } }, { key: 'q', alerts: [ref('page')] }]);
  const hosts2 = ['h1', 'h2', 'h4'];
  const adopted = adoptState(before.state, svc2, hosts2);
  assert.deepEqual(Object.keys(adopted.hosts), hosts2);
  assert.equal(adopted.hosts.h4!.state, 'unknown');
  assert.equal(adopted.hosts.h1!.state, 'down');
  assert.equal(adopted.periods.p!.alertSent, 1);
  assert.equal(adopted.periods.p!.downSent, true);
  assert.equal(adopted.periods.q!.alertSent, 0);
  assert.equal(adopted.seq, before.state.seq, 'ids keep counting up');
  const after = replay(svc2, [{ at: 10 * S, result: fail() }], adopted);
  assert.deepEqual(after.log, ['10000 down q page'], 'p stays quiet; only the new period alerts');
  const dropped = adoptState(before.state, service([{ key: 'other' }]), HOSTS);
  assert.deepEqual(Object.keys(dropped.periods), ['other']);
  assert.equal(dropped.alertsSent, 0);
});

test('with the real Time::Period evaluator: hr {9am-4pm} alerts until 16:59:59 local, not at 17:00', async () => {
  const { inPeriod } = await import('../../core/period.ts');
  const svc = service([{ key: 'office', spec: 'hr {9am-4pm}' }]);
  const at = (h: number, m: number, s: number) => new Date(2026, 10, 26, h, m, s).getTime();
  const run = (t: number) =>
    applyResult(initialState(svc, HOSTS), { ...fail(), at: t }, context(svc, t, { inPeriod })).deliveries.length;
  assert.equal(run(at(16, 59, 59)), 1);
  assert.equal(run(at(17, 0, 0)), 0);
  assert.equal(run(at(8, 59, 59)), 0);
  assert.equal(run(at(9, 0, 0)), 1);
});
