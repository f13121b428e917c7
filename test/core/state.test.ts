/**
 * @fileoverview mon's alert rules (mon-reference.md a.7, a.8) as a table:
 * each case is a service's periods, steps on a fake clock (ms), and the alert
 * log it must produce (`AT TYPE PERIOD plugins`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Period, Service } from '../../core/model.ts';
import { fail, ok, ref, replay, service, M, S, type Step } from './state-fixtures.ts';

interface Case {
  name: string;
  periods: Partial<Period>[];
  extra?: Partial<Service>;
  steps: Step[];
  expect: string[];
}

const withUp = { upalerts: [ref('mail-up')] };

const cases: Case[] = [
  {
    name: 'without alertevery a down service alerts on every failing check; success from untested sends nothing',
    periods: [withUp],
    steps: [
      { at: 0, result: ok() },
      { at: 10 * S, result: fail() },
      { at: 20 * S, result: fail() },
      { at: 30 * S, result: fail() },
    ],
    expect: ['10000 down always mail', '20000 still-down always mail', '30000 still-down always mail'],
  },
  {
    name: 'a failure from untested alerts at once; recovery sends the upalert',
    periods: [withUp],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: fail() },
      { at: 20 * S, result: ok() },
      { at: 30 * S, result: ok() },
    ],
    expect: ['0 down always mail', '10000 still-down always mail', '20000 up always mail-up'],
  },
  {
    name: 'no upalerts configured: recovery sends nothing',
    periods: [{}],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: ok() },
    ],
    expect: ['0 down always mail'],
  },
  {
    name: 'alertafter N: N consecutive failures, reset by success',
    periods: [{ alertafter: { kind: 'count', count: 3 }, ...withUp }],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: fail() },
      { at: 20 * S, result: ok() },
      { at: 30 * S, result: fail() },
      { at: 40 * S, result: fail() },
      { at: 50 * S, result: fail() },
      { at: 60 * S, result: fail() },
    ],
    expect: ['50000 down always mail', '60000 still-down always mail'],
  },
  {
    name: 'no upalert when alertafter suppressed the down alert',
    periods: [{ alertafter: { kind: 'count', count: 3 }, ...withUp }],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: fail() },
      { at: 20 * S, result: ok() },
    ],
    expect: [],
  },
  {
    name: 'alertafter N TIMEVAL: the window restarts after TIMEVAL',
    periods: [{ alertafter: { kind: 'count-within', count: 3, withinMs: 60 * S } }],
    steps: [
      { at: 0, result: fail() }, // window starts, 1
      { at: 30 * S, result: fail() }, // 2
      { at: 70 * S, result: fail() }, // 70 s > 60 s: new window, 1
      { at: 80 * S, result: fail() }, // 2
      { at: 90 * S, result: fail() }, // 3 -> alert
      { at: 100 * S, result: fail() }, // still inside the window, 4 -> alert
      { at: 140 * S, result: fail() }, // window over: restarts at 1
    ],
    expect: ['90000 down always mail', '100000 still-down always mail'],
  },
  {
    name: 'alertafter TIMEVAL: only once failing for more than TIMEVAL',
    periods: [{ alertafter: { kind: 'duration', durationMs: 30 * S } }],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: fail() },
      { at: 30 * S, result: fail() }, // exactly 30 s: mon still waits (<=)
      { at: 40 * S, result: fail() },
    ],
    expect: ['40000 down always mail'],
  },
  {
    name: 'alertevery: repeats suppressed, a changed summary alerts anyway, the window expires',
    periods: [{ alertevery: { ms: 60 * M, mode: 'default' } }],
    steps: [
      { at: 0, result: fail(['h1']) },
      { at: 10 * S, result: fail(['h1']) },
      { at: 20 * S, result: fail(['h1', 'h2']) },
      { at: 30 * S, result: fail(['h1', 'h2']) },
      { at: 20 * S + 60 * M, result: fail(['h1', 'h2']) },
    ],
    expect: ['0 down always mail', '20000 still-down always mail', '3620000 still-down always mail'],
  },
  {
    name: 'alertevery: a success resets the timer, so a new outage alerts at once',
    periods: [{ alertevery: { ms: 60 * M, mode: 'default' } }],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: ok() },
      { at: 20 * S, result: fail() },
    ],
    expect: ['0 down always mail', '20000 down always mail'],
  },
  {
    name: 'alertevery strict: no summary exception and a success does not reset the timer',
    periods: [{ alertevery: { ms: 60 * M, mode: 'strict' } }],
    steps: [
      { at: 0, result: fail(['h1']) },
      { at: 20 * S, result: fail(['h1', 'h2']) },
      { at: 30 * S, result: ok() },
      { at: 40 * S, result: fail(['h1']) },
      { at: 60 * M, result: fail(['h1']) },
    ],
    expect: ['0 down always mail', '3600000 down always mail'],
  },
  {
    name: 'alertevery ignore_summary: no summary exception, but a success resets',
    periods: [{ alertevery: { ms: 60 * M, mode: 'ignore_summary' } }],
    steps: [
      { at: 0, result: fail(['h1']) },
      { at: 20 * S, result: fail(['h1', 'h2']) },
      { at: 30 * S, result: ok() },
      { at: 40 * S, result: fail(['h1']) },
    ],
    expect: ['0 down always mail', '40000 down always mail'],
  },
  {
    name: 'alertevery observe_detail: a changed output alerts anyway, same summary or not',
    periods: [{ alertevery: { ms: 60 * M, mode: 'observe_detail' } }],
    steps: [
      { at: 0, result: fail(['h1'], { output: 'h1\nrefused\n' }) },
      { at: 10 * S, result: fail(['h1'], { output: 'h1\nrefused\n' }) },
      { at: 20 * S, result: fail(['h1'], { output: 'h1\ntimed out\n' }) },
    ],
    expect: ['0 down always mail', '20000 still-down always mail'],
  },
  {
    name: 'numalerts counts events, not alert lines, and a success resets it',
    periods: [{ numalerts: 2, alerts: [ref('mail'), ref('page')], ...withUp }],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: fail() },
      { at: 20 * S, result: fail() },
      { at: 30 * S, result: ok() },
      { at: 40 * S, result: fail() },
    ],
    expect: [
      '0 down always mail+page',
      '10000 still-down always mail+page',
      '30000 up always mail-up',
      '40000 down always mail+page',
    ],
  },
  {
    name: 'a failure outside every period sends nothing; each period has its own outage',
    periods: [
      { key: 'day', spec: '0-100000', alerts: [ref('mail')], ...withUp },
      { key: 'night', spec: '100000-200000', alerts: [ref('page')] },
    ],
    steps: [
      { at: 50 * S, result: fail() },
      { at: 150 * S, result: fail() },
      { at: 160 * S, result: fail() },
      { at: 250 * S, result: fail() },
      { at: 260 * S, result: ok() }, // day had sent a down, but day is not now
    ],
    expect: ['50000 down day mail', '150000 down night page', '160000 still-down night page'],
  },
  {
    name: 'ack: failure alerts stop, the ackalert goes out, recovery still upalerts and clears the ack',
    periods: [{ ackalerts: [ref('mail-ack')], ...withUp }],
    steps: [
      { at: 0, result: fail() },
      { at: 5 * S, ack: 'ops: on it' },
      { at: 10 * S, result: fail() },
      { at: 20 * S, result: ok() },
      { at: 30 * S, result: fail() },
    ],
    expect: ['0 down always mail', '5000 ack always mail-ack', '20000 up always mail-up', '30000 down always mail'],
  },
  {
    name: 'ackalert only after a down alert (alertafter held it back)',
    periods: [{ alertafter: { kind: 'count', count: 5 }, ackalerts: [ref('mail-ack')] }],
    steps: [
      { at: 0, result: fail() },
      { at: 5 * S, ack: 'ops: on it' },
    ],
    expect: [],
  },
  {
    name: 'no_comp_alerts: ackalert and one upalert even without a down alert',
    periods: [{ alertafter: { kind: 'count', count: 5 }, ackalerts: [ref('mail-ack')], noCompAlerts: true, ...withUp }],
    steps: [
      { at: 0, result: fail() },
      { at: 5 * S, ack: 'ops: on it' },
      { at: 10 * S, result: ok() },
      { at: 20 * S, result: fail() },
      { at: 30 * S, result: ok() }, // mon: at most one upalert until a down alert went out again
    ],
    expect: ['5000 ack always mail-ack', '10000 up always mail-up'],
  },
  {
    name: 'unack_summary: a changed summary ends the ack and alerts again',
    periods: [{ alertafter: { kind: 'count', count: 2 } }],
    extra: { unackSummary: true },
    steps: [
      { at: 0, result: fail(['h1']) },
      { at: 10 * S, result: fail(['h1']) },
      { at: 15 * S, ack: 'ops: on it' },
      { at: 20 * S, result: fail(['h1']) },
      { at: 30 * S, result: fail(['h1', 'h2']) }, // unacked; consecutive count restarts at 1
      { at: 40 * S, result: fail(['h1', 'h2']) },
    ],
    expect: ['10000 down always mail', '40000 still-down always mail'],
  },
  {
    name: 'a disabled service updates its state but delivers nothing, not even the upalert',
    periods: [withUp],
    steps: [
      { at: 0, result: fail(), ctx: { disabled: true } },
      { at: 10 * S, result: ok(), ctx: { disabled: true } },
      { at: 20 * S, result: fail(), ctx: { disabled: true } },
      { at: 30 * S, result: fail() },
    ],
    expect: ['30000 down always mail'],
  },
  {
    name: 'alert dependency down drops failure alerts, not upalerts',
    periods: [withUp],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: fail(), ctx: { alertDependOk: false } },
      { at: 20 * S, result: ok(), ctx: { alertDependOk: false } },
    ],
    expect: ['0 down always mail', '20000 up always mail-up'],
  },
  {
    name: 'scheduler stopped drops every alert',
    periods: [withUp],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: ok(), ctx: { schedulerStopped: true } },
    ],
    expect: ['0 down always mail'],
  },
  {
    name: 'alertexitrange on the period and exit= on alert lines',
    periods: [
      { key: 'crit', exitRange: [2, 2], alerts: [ref('page')] },
      { key: 'any', alerts: [ref('mail', { exitRange: [1, 1] }), ref('sms', { exitRange: [2, 3] })] },
    ],
    steps: [
      { at: 0, result: fail(['h1'], { exitCode: 1 }) },
      { at: 10 * S, result: fail(['h1'], { exitCode: 2 }) },
    ],
    expect: ['0 down any mail', '10000 down crit page', '10000 still-down any sms'],
  },
  {
    name: 'upalertafter: an outage shorter than it gets no upalert (mon BUG fixed)',
    periods: [{ upalertafterMs: 60 * S, ...withUp }],
    steps: [
      { at: 0, result: fail() },
      { at: 30 * S, result: ok() },
      { at: 100 * S, result: fail() },
      { at: 200 * S, result: ok() },
    ],
    expect: ['0 down always mail', '100000 down always mail', '200000 up always mail-up'],
  },
  {
    name: 'startupalerts count in numalerts (mon QUIRK) but do not arm the upalert',
    periods: [{ numalerts: 1, startupalerts: [ref('mail-start')], ...withUp }],
    steps: [
      { at: 0, startup: true },
      { at: 10 * S, result: fail() }, // numalerts 1 already used by the startup alert
      { at: 20 * S, result: ok() },
      { at: 30 * S, result: fail() },
    ],
    expect: ['0 startup always mail-start', '30000 down always mail'],
  },
  {
    name: 'alertevery strict: an upalert sent by the period restarts its timer (mon)',
    periods: [{ alertevery: { ms: 60 * M, mode: 'strict' }, ...withUp }],
    steps: [
      { at: 0, result: fail() },
      { at: 10 * S, result: ok() },
      { at: 20 * S, result: fail() },
    ],
    expect: ['0 down always mail', '10000 up always mail-up', '20000 down always mail'],
  },
  {
    name: 'a startup alert does not start the alertevery timer (differs from mon)',
    periods: [{ alertevery: { ms: 60 * M, mode: 'strict' }, startupalerts: [ref('mail-start')] }],
    steps: [
      { at: 0, startup: true },
      { at: 10 * S, result: fail() },
    ],
    expect: ['0 startup always mail-start', '10000 down always mail'],
  },
  {
    name: 'disablealerts fire (mon BUG fixed) and are not counted',
    periods: [{ numalerts: 1, disablealerts: [ref('mail-off')] }],
    steps: [
      { at: 0, disable: true },
      { at: 10 * S, result: fail() },
    ],
    expect: ['0 disable always mail-off', '10000 down always mail'],
  },
  {
    name: 'redistribute gets every status event, even disabled or acked, and is not counted',
    periods: [{ numalerts: 1, ...withUp }],
    extra: { redistribute: ref('redist') },
    steps: [
      { at: 0, result: ok() },
      { at: 10 * S, result: fail(), ctx: { disabled: true } },
      { at: 20 * S, result: fail() },
      { at: 25 * S, ack: 'ops: on it' },
      { at: 30 * S, result: fail() },
      { at: 40 * S, result: ok() },
      { at: 50 * S, result: ok(), ctx: { schedulerStopped: true } },
    ],
    expect: [
      '0 up (redistribute) redist',
      '10000 down (redistribute) redist',
      '20000 still-down (redistribute) redist',
      '20000 down always mail',
      '25000 ack (redistribute) redist',
      '30000 still-down (redistribute) redist',
      '40000 up (redistribute) redist',
      '40000 up always mail-up',
    ],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const r = replay(service(c.periods, c.extra), c.steps);
    assert.deepEqual(r.log, c.expect);
  });
}

test('the decision is taken at alert time (ctx.now), not at the time the run started', () => {
  const svc = service([{ key: 'day', spec: '0-100000' }]);
  const late = replay(svc, [{ at: 150 * S, result: fail(['h1'], { at: 50 * S }) }]);
  assert.deepEqual(late.log, []);
  const r = replay(svc, [{ at: 50 * S, result: fail() }]);
  assert.deepEqual(r.log, ['50000 down day mail']);
});

test('the up event carries the last failing run, as mon sends it', () => {
  const svc = service([withUp]);
  const r = replay(svc, [
    { at: 0, result: fail(['h1'], { output: 'h1\nfirst\n' }) },
    { at: 10 * S, result: fail(['h1', 'h2'], { output: 'h1 h2\nsecond\n', detail: 'second' }) },
    { at: 20 * S, result: ok({ output: 'all fine\n', summary: 'all fine' }) },
  ]);
  const up = r.deliveries.find((d) => d.event.type === 'up')!.event;
  assert.equal(up.output, 'h1 h2\nsecond\n');
  assert.equal(up.summary, 'h1 h2');
  assert.equal(up.detail, 'second');
  assert.equal(up.since, 0);
  assert.equal(up.count, 2);
  assert.equal(up.exitCode, 0);
  assert.equal(r.state.summary, 'all fine');
});

test('redistribute on a success gets the previous run\'s output (mon)', () => {
  const svc = service([{}], { redistribute: ref('redist') });
  const r = replay(svc, [
    { at: 0, result: fail(['h1'], { output: 'h1\nbad\n' }) },
    { at: 10 * S, result: ok({ output: 'ok1\n', summary: 'ok1' }) },
    { at: 20 * S, result: ok({ output: 'ok2\n', summary: 'ok2' }) },
  ]);
  const outs = r.deliveries.filter((d) => d.ref.plugin === 'redist').map((d) => d.event.output);
  assert.deepEqual(outs, ['h1\nbad\n', 'h1\nbad\n', 'ok1\n']);
});
