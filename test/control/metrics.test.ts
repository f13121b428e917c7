/**
 * /metrics from a real engine, validated by Prometheus's own parser
 * (`promtool check metrics`, unpacked by test/setup/control.sh), then read for
 * the figures the issue asks for. The retry/give-up split is a unit test with
 * scripted dispatcher events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { startFixture, until } from './fixture.ts';
import { createMetrics, type MetricsSource } from '../../core/control/metrics.ts';

const PROMTOOL = '.cache/control/root/usr/bin/promtool';

function promtool(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(PROMTOOL, ['check', 'metrics'], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
    child.stdin!.end(text);
  });
}

/** Samples as `name{labels}` -> value (the exposition is already validated by promtool). */
function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

const SLOW = `      slow:
        interval: 1s
        timeout: 300ms
        monitor: { plugin: script, path: /bin/sh, args: ["-c", "sleep 5", "slow"] }
        periods:
          - when: always
            alertafter: 1
            alerts: [{ plugin: script, path: /bin/false, failOnExit: true }]
`;

test('promtool is unpacked (run test/setup/control.sh as root)', () => {
  assert.ok(existsSync(PROMTOOL), `${PROMTOOL} is missing: run "bash test/setup/control.sh" (it unpacks Debian's prometheus package)`);
});

test('/metrics: valid exposition with up/down, durations, counters, timeouts, lag, alerts, outbox, overdue, process', { timeout: 30_000 }, async () => {
  const f = await startFixture({ extraYaml: SLOW });
  try {
    const text = await until('a timeout and a failed alert counted', async () => {
      const r = await f.api('GET', '/metrics');
      return /vigil_check_timeouts_total\{watch="evil",service="slow"\} [1-9]/.test(r.text) && /vigil_alerts_failed_total\{plugin="script"\} [1-9]/.test(r.text) && /vigil_alerts_sent_total\{plugin="log"\} [1-9]/.test(r.text) ? r.text : undefined;
    }, 15_000);
    const r = await f.api('GET', '/metrics');
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    // promtool exits 1 when it cannot parse, 3 for lint remarks. The only remarks
    // allowed are about prom-client's own nodejs_* gauges named *_total.
    const lint = await promtool(text);
    const remarks = lint.out.split('\n').filter((l) => l.trim());
    assert.ok(lint.code === 0 || lint.code === 3, `promtool check metrics rejected the output (exit ${lint.code}):\n${lint.out}`);
    assert.deepEqual(remarks.filter((l) => !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(l)), []);
    // promtool must be able to fail: a broken line is a parse error.
    const broken = await promtool(text + 'vigil_broken{ 1\n');
    assert.equal(broken.code, 1);
    assert.match(broken.out, /parsing error/);

    const s = samples(text);
    const get = (k: string) => {
      assert.ok(s.has(k), `missing sample ${k}`);
      return s.get(k)!;
    };
    assert.equal(get('vigil_service_up{watch="web",service="tcp"}'), 0);
    assert.equal(get('vigil_host_up{watch="web",service="tcp",host="127.0.0.1"}'), 1);
    assert.equal(get('vigil_host_up{watch="web",service="tcp",host="127.0.0.2"}'), 0);
    assert.equal(get('vigil_service_overdue{watch="web",service="tcp"}'), 0);
    assert.equal(get('vigil_services_overdue'), 0);
    assert.ok(get('vigil_checks_total{watch="web",service="tcp"}') >= 2);
    assert.ok(get('vigil_checks_failed_total{watch="web",service="tcp"}') >= 1);
    assert.ok(get('vigil_check_duration_seconds_count{watch="web",service="tcp"}') >= 2);
    assert.ok(get('vigil_check_duration_seconds_bucket{le="+Inf",watch="web",service="tcp"}') >= 2);
    assert.ok(get('vigil_check_timeouts_total{watch="evil",service="slow"}') >= 1);
    assert.ok(get('vigil_scheduler_lag_seconds_count') >= 1);
    assert.ok(get('vigil_alerts_sent_total{plugin="log"}') >= 1);
    assert.ok(get('vigil_alerts_failed_total{plugin="script"}') >= 1);
    assert.ok(get('vigil_alerts_retried_total{plugin="script"}') >= 1);
    assert.ok(get('vigil_outbox_pending') >= 1, 'the failing /bin/false delivery waits for its retry');
    assert.equal(get('vigil_scheduler_running'), 1);
    assert.ok(get('vigil_events_total{type="host-down"}') >= 1);
    assert.ok(get('process_cpu_seconds_total') > 0);
    assert.ok(get('nodejs_heap_size_used_bytes') > 0);
    assert.match(text, /# TYPE vigil_check_duration_seconds histogram/);

    // The scheduler stopped by an operator shows as 0; its services go overdue only after 3 intervals.
    f.engine.stopScheduler();
    assert.equal(samples((await f.api('GET', '/metrics')).text).get('vigil_scheduler_running'), 0);
    f.engine.startScheduler();
  } finally {
    await f.close();
  }
});

/** Metrics fed by events the test emits itself, from an engine with nothing in it. */
function scripted(): { em: EventEmitter; m: ReturnType<typeof createMetrics> } {
  const em = new EventEmitter();
  const src: MetricsSource = {
    status: () => ({ startedAt: 0, now: 0, schedulerRunning: true, configFile: 'x', watches: [], disabledHosts: [] }),
    outbox: () => [],
    on: (name, fn) => (em.on(name, fn), () => em.off(name, fn)),
  };
  return { em, m: createMetrics(src) };
}

test('alerts: a failure followed by a give-up is not a retry', async () => {
  const { em, m } = scripted();
  // As the dispatcher does: each attempt in its own turn, a give-up right after the last failure.
  em.emit('metric', 'alert_failed', { plugin: 'email' });
  await new Promise((r) => setImmediate(r));
  em.emit('metric', 'alert_failed', { plugin: 'email' });
  em.emit('metric', 'alert_given_up', { plugin: 'email' });
  em.emit('metric', 'alert_delivered', { plugin: 'lvs' });
  await new Promise((r) => setImmediate(r));
  const s = samples(await m.text());
  m.close();
  assert.equal(s.get('vigil_alerts_failed_total{plugin="email"}'), 2);
  assert.equal(s.get('vigil_alerts_retried_total{plugin="email"}'), 1);
  assert.equal(s.get('vigil_alerts_given_up_total{plugin="email"}'), 1);
  assert.equal(s.get('vigil_alerts_sent_total{plugin="lvs"}'), 1);
});

test('checks: counted per service; the lag once per run, on its first host', async () => {
  const { em, m } = scripted();
  const check = (watch: string, service: string, ok: boolean, timedOut = false) => em.emit('check', { watch, service, host: 'h', durationMs: 20, ok, timedOut, lagMs: 3 });
  for (let run = 0; run < 3; run++) {
    check('web', 'http', true);
    check('web', 'http', false);
    check('web', 'http', false, true);
    em.emit('result', { watch: 'web', service: 'http' });
  }
  check('dns', 'soa', true);
  const s = samples(await m.text());
  m.close();
  assert.equal(s.get('vigil_checks_total{watch="web",service="http"}'), 9);
  assert.equal(s.get('vigil_checks_failed_total{watch="web",service="http"}'), 6);
  assert.equal(s.get('vigil_check_timeouts_total{watch="web",service="http"}'), 3);
  assert.equal(s.get('vigil_check_duration_seconds_count{watch="web",service="http"}'), 9);
  assert.equal(s.get('vigil_check_duration_seconds_bucket{le="0.025",watch="web",service="http"}'), 9);
  assert.equal(s.get('vigil_checks_total{watch="dns",service="soa"}'), 1);
  assert.equal(s.get('vigil_scheduler_lag_seconds_count'), 4, 'three runs of web/http and one of dns/soa');
});
