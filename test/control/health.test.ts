/**
 * Self-watch: readiness and liveness rules (pure), and overdue services shown
 * by the API, /metrics and /healthz of a real engine whose scheduler is stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveness, readiness } from '../../core/control/health.ts';
import type { ServiceStatusView, StatusSnapshot } from '../../core/runtime.ts';
import { startFixture, until } from './fixture.ts';

function svc(name: string, over: Partial<ServiceStatusView>): ServiceStatusView {
  return { watch: 'w', service: name, status: 'ok', opstatus: 1, lastOpstatus: 1, running: false, overdue: false, summary: '', detail: '', consecutiveFailures: 0, failureCount: 0, alertsSent: 0, disabled: false, acked: false, monitor: 'tcp', hosts: [], intervalMs: 1000, ...over };
}
function snap(services: ServiceStatusView[], extra: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return { startedAt: 1000, now: 5000, schedulerRunning: true, configFile: 'x', watches: [{ watch: 'w', disabled: false, hosts: [], services }], disabledHosts: [], ...extra };
}

test('readiness: every scheduled, enabled service checked since start', () => {
  assert.equal(readiness(snap([svc('a', { lastCheck: 2000 }), svc('b', { lastCheck: 1500 })])).ok, true);
  const r = readiness(snap([svc('a', { lastCheck: 2000 }), svc('b', {})]));
  assert.equal(r.ok, false);
  assert.deepEqual(r.problems, ['not checked yet since start: w/b']);
  // Checked before this start (restored state) does not count.
  assert.equal(readiness(snap([svc('a', { lastCheck: 500 })])).ok, false);
  // Trap-only and disabled services are not waited for.
  assert.equal(readiness(snap([svc('t', { intervalMs: undefined }), svc('d', { disabled: true })])).ok, true);
});

test('liveness: a stale loop tick, or every service overdue while the scheduler runs', () => {
  assert.equal(liveness(10_000, 9_500, 5000, snap([svc('a', {})])).ok, true);
  const stale = liveness(20_000, 9_000, 5000, snap([svc('a', {})]));
  assert.equal(stale.ok, false);
  assert.match(stale.problems[0]!, /last ticked 11 s ago/);
  const late = liveness(10_000, 9_900, 5000, snap([svc('a', { overdue: true }), svc('b', { overdue: true })]));
  assert.equal(late.ok, false);
  assert.match(late.problems[0]!, /scheduler is not running checks/);
  // One late service is that service's problem; a stopped scheduler is the operator's choice.
  assert.equal(liveness(10_000, 9_900, 5000, snap([svc('a', { overdue: true }), svc('b', {})])).ok, true);
  assert.equal(liveness(10_000, 9_900, 5000, snap([svc('a', { overdue: true })], { schedulerRunning: false })).ok, true);
});

test('an overdue service is flagged in the API and in /metrics', { timeout: 20_000 }, async () => {
  const f = await startFixture();
  try {
    await until('first checks', () => f.engine.status().watches.every((w) => w.services.every((s) => s.lastCheck)));
    f.engine.stopScheduler();
    const s = await until('web/tcp overdue', async () => {
      const r = await f.api('GET', '/api/services/web/tcp');
      return r.json.overdue ? r.json : undefined;
    }, 8000);
    assert.equal(s.overdue, true);
    const m = (await f.api('GET', '/metrics')).text;
    assert.match(m, /^vigil_service_overdue\{watch="web",service="tcp"\} 1$/m);
    assert.match(m, /^vigil_services_overdue [12]$/m);
    const h = await f.api('GET', '/healthz');
    assert.equal(h.status, 200, 'stopped by the operator is not a health failure');
    assert.ok(h.json.checks.overdueServices.includes('web/tcp'));
  } finally {
    await f.close();
  }
});
