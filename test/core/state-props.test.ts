/**
 * @fileoverview Properties of the state machine over random runs (fast-check):
 * numalerts is never exceeded, an up always follows a down of its period, a
 * host never gets the same event twice in a row, and the state stays plain
 * JSON that the input never shares.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AlertAfter, AlertEvery } from '../../core/model.ts';
import { applyResult, initialState, type ServiceState } from '../../core/state.ts';
import { HOSTS, context, fail, ok, ref, service, S } from './state-fixtures.ts';

const alertafter = fc.option(
  fc.oneof(
    fc.record({ kind: fc.constant('count' as const), count: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ kind: fc.constant('duration' as const), durationMs: fc.integer({ min: 1, max: 60 }).map((n) => n * S) }),
    fc.record({
      kind: fc.constant('count-within' as const),
      count: fc.integer({ min: 1, max: 4 }),
      withinMs: fc.integer({ min: 30, max: 120 }).map((n) => n * S),
    }),
  ),
  { nil: undefined },
) as fc.Arbitrary<AlertAfter | undefined>;

const alertevery = fc.option(
  fc.record({
    ms: fc.integer({ min: 1, max: 120 }).map((n) => n * S),
    mode: fc.constantFrom('default', 'summary', 'strict', 'observe_detail', 'ignore_summary'),
  }),
  { nil: undefined },
) as fc.Arbitrary<AlertEvery | undefined>;

const periodArb = fc.record({ numalerts: fc.integer({ min: 0, max: 3 }), alertafter, alertevery });

const stepArb = fc.record({
  gap: fc.integer({ min: 1, max: 40 }).map((n) => n * S),
  failed: fc.subarray(HOSTS),
  disabled: fc.boolean(),
});

test('random runs keep mon\'s invariants', () => {
  fc.assert(
    fc.property(fc.array(periodArb, { minLength: 1, maxLength: 2 }), fc.array(stepArb, { maxLength: 40 }), (ps, steps) => {
      const svc = service(ps.map((p, i) => ({ ...p, key: `p${i}`, upalerts: [ref('up')] })));
      let state: ServiceState = initialState(svc, HOSTS);
      let now = 0;
      const downInOutage = new Map<string, number>(); // period -> failure events this outage
      const lastHostEvent = new Map<string, string>();
      for (const s of steps) {
        now += s.gap;
        const res = s.failed.length ? fail(s.failed) : ok();
        const before = JSON.stringify(state);
        const r = applyResult(state, { ...res, at: now }, context(svc, now, { disabled: s.disabled }));
        assert.equal(JSON.stringify(state), before, 'input not mutated');
        assert.deepEqual(JSON.parse(JSON.stringify(r.state)), r.state, 'plain JSON');
        if (s.disabled) assert.deepEqual(r.deliveries, []);
        for (const d of r.deliveries) {
          const p = svc.periods.find((x) => x.key === d.period)!;
          if (d.event.type === 'up') {
            assert.ok((downInOutage.get(p.key) ?? 0) > 0, `up in ${p.key} without a down`);
          } else {
            assert.ok(!res.ok, 'failure alerts only on failures');
            const n = (downInOutage.get(p.key) ?? 0) + 1;
            downInOutage.set(p.key, n);
            if (p.numalerts) assert.ok(n <= p.numalerts, `numalerts ${p.numalerts} exceeded in ${p.key}`);
            assert.equal(d.event.type, n === 1 ? 'down' : 'still-down');
          }
        }
        if (res.ok) downInOutage.clear();
        for (const e of r.hostEvents) {
          assert.notEqual(lastHostEvent.get(e.host!), e.type, `${e.host} got ${e.type} twice in a row`);
          lastHostEvent.set(e.host!, e.type);
        }
        state = r.state;
      }
    }),
    { numRuns: 300, seed: 20261126 },
  );
});
