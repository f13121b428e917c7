/**
 * Email through the dispatcher and the store, against a real SMTP server: a
 * stopped server, a wrong password, and vigil killed with SIGKILL mid-delivery.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import email from '../../alerts/email.ts';
import { openStore } from '../../core/store.ts';
import { createDispatcher } from '../../core/dispatcher.ts';
import type { AlertEvent, Logger } from '../../core/types.ts';
import { startSmtp, header, type TestSmtp } from '../helpers/smtp.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CHILD = join(ROOT, 'test/helpers/email-outbox-child.ts');

const servers: TestSmtp[] = [];
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) await s.stop();
});

function ev(id: string, type: AlertEvent['type'] = 'down'): AlertEvent {
  return {
    id, type, watch: 'web', service: 'http', hosts: ['127.0.0.2'], failedHosts: type === 'up' ? [] : ['127.0.0.2'],
    summary: `${type} ${id}`, detail: 'd', output: 'o', at: Date.now(), count: 1, incident: 'web/http/1',
  };
}

function recorder() {
  const lines: string[] = [];
  const mk = () => (f: Record<string, unknown>, m: string) => void lines.push(`${m} ${JSON.stringify(f)}`);
  const log: Logger = { debug: mk(), info: mk(), warn: mk(), error: mk(), child: () => log };
  return { log, lines };
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ids = (s: TestSmtp) => s.messages.map((m) => header(m.raw, 'X-Vigil-Event')!);

test('SMTP server stopped: alerts queue in the outbox and go out in order once it is back', async () => {
  const s = await startSmtp();
  servers.push(s);
  await s.stop();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-eo-'));
  const store = openStore(dir);
  const { log } = recorder();
  const alert = await email.create({ smtp: s.url, to: 'ops@example.com' }, { log, now: Date.now, configDir: dir, stateDir: dir });
  const d = createDispatcher({ store, resolve: () => ({ plugin: 'email', alert }), log, retry: { baseMs: 50, maxMs: 200, jitter: 0 } });
  d.dispatch([{ event: ev('down-1'), target: 't' }]);
  d.dispatch([{ event: ev('up-1', 'up'), target: 't' }]);
  await until(() => (store.list({})[1]?.attempts ?? 0) >= 2, 'two failed attempts');
  const down = store.list({}).find((r) => r.eventId === 'down-1')!;
  assert.equal(down.state, 'pending');
  assert.match(down.lastError!, /cannot reach the mail server/);
  assert.equal(store.list({}).find((r) => r.eventId === 'up-1')!.attempts, 0, 'the up waits behind its down');
  await s.start();
  await until(() => store.pending().length === 0, 'delivery after the server came back');
  assert.deepEqual(ids(s), ['down-1', 'up-1']);
  assert.deepEqual(store.history({}).map((h) => h.type), ['alert', 'upalert']);
  d.close();
  await alert.close?.();
  store.close();
  rmSync(dir, { recursive: true });
});

test('a wrong password is retried, then given up, and never written to logs or the outbox', async () => {
  const s = await startSmtp({ auth: { user: 'vigil', pass: 'right' } });
  servers.push(s);
  process.env.VIGIL_TEST_OUTBOX_PW = 'n0t-the-Passw0rd';
  const dir = mkdtempSync(join(tmpdir(), 'vigil-eo-'));
  const store = openStore(dir);
  const { log, lines } = recorder();
  const metrics: string[] = [];
  const alert = await email.create(
    { smtp: s.url, to: 'ops@example.com', user: 'vigil', passwordEnv: 'VIGIL_TEST_OUTBOX_PW' },
    { log, now: Date.now, configDir: dir, stateDir: dir },
  );
  const d = createDispatcher({
    store, resolve: () => ({ plugin: 'email', alert }), log, onMetric: (m) => void metrics.push(m),
    retry: { baseMs: 20, maxMs: 50, jitter: 0, maxAttempts: 3 },
  });
  d.dispatch([{ event: ev('e1'), target: 't' }]);
  await until(() => store.pending().length === 0, 'give-up');
  const row = store.list({})[0]!;
  assert.equal(row.state, 'given-up');
  assert.equal(row.attempts, 3);
  assert.match(row.lastError!, /gave up after 3 attempts; last error: email via smtp:\/\/127\.0\.0\.1:\d+: the SMTP server refused the login of user "vigil"/);
  assert.equal(s.authFailures, 3);
  assert.deepEqual(metrics, ['alert_failed', 'alert_failed', 'alert_failed', 'alert_given_up']);
  assert.ok(lines.some((l) => l.startsWith('alert delivery given up')));
  const everything = lines.join('\n') + JSON.stringify(store.list({}));
  assert.ok(!everything.includes('n0t-the-Passw0rd'), 'the password appears nowhere');
  d.close();
  await alert.close?.();
  store.close();
  rmSync(dir, { recursive: true });
});

test('stopping vigil sends a digest that is still collecting instead of keeping it until the next start', async () => {
  const s = await startSmtp();
  servers.push(s);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-eo-'));
  const store = openStore(dir);
  const { log } = recorder();
  const alert = await email.create({ smtp: s.url, to: 'ops@example.com', digest: '10m' }, { log, now: Date.now, configDir: dir, stateDir: dir });
  const d = createDispatcher({ store, resolve: () => ({ plugin: 'email', alert }), log });
  d.dispatch([{ event: ev('a'), target: 't1' }, { event: ev('b'), target: 't2' }]);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(s.messages.length, 0, 'the digest window is open');
  const t0 = Date.now();
  await d.drain(5000);
  assert.ok(Date.now() - t0 < 2000, 'drain did not wait for the ten-minute window');
  assert.equal(s.messages.length, 1);
  assert.deepEqual(s.messages[0]!.raw.match(/^X-Vigil-Event: .*$/gm), ['X-Vigil-Event: a', 'X-Vigil-Event: b']);
  assert.equal(store.pending().length, 0);
  d.close();
  await alert.close?.();
  store.close();
  rmSync(dir, { recursive: true });
});

interface Child {
  proc: ChildProcess;
  lines: Array<{ msg: string; [k: string]: unknown }>;
  exited: Promise<number | null>;
}

function runChild(stateDir: string, url: string, mode: 'dispatch' | 'resume', count = 0): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, stateDir, url, mode, String(count)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(proc);
  const lines: Child['lines'] = [];
  let buf = '';
  proc.stdout!.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Child['lines'][number]);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, lines, exited };
}

const count = (c: Child, msg: string) => c.lines.filter((l) => l.msg === msg).length;

test('SIGKILL mid-delivery, restart while SMTP is down, SMTP back: each mail arrives exactly once', async () => {
  const s = await startSmtp();
  servers.push(s);
  s.hangAfter = 2; // accept two mails, then hold the third in DATA: it is in flight when vigil dies
  const dir = mkdtempSync(join(tmpdir(), 'vigil-eo-'));
  const first = runChild(dir, s.url, 'dispatch', 5);
  await until(() => count(first, 'alert delivered') === 2 && s.inData === 1, 'two delivered and the third in flight', 15_000);
  first.proc.kill('SIGKILL');
  assert.equal(await first.exited, null);

  const peek = openStore(dir);
  assert.equal(peek.list({ state: 'delivered' }).length, 2);
  assert.equal(peek.pending().length, 3, 'the killed process had committed all five rows before delivering');
  peek.close();

  // The mail server goes down too; the restarted vigil keeps the mails until it is back.
  s.hangAfter = null;
  await s.stop();
  const second = runChild(dir, s.url, 'resume');
  await until(() => count(second, 'alert delivery failed; will retry') >= 1, 'the restarted vigil retrying', 15_000);
  await s.start();
  assert.equal(await second.exited, 0);
  assert.equal(count(second, 'outbox empty'), 1);
  const expected = [1, 2, 3, 4, 5].map((i) => `web/http/127.0.0.${i}/1764128000000/${i}`);
  assert.deepEqual(ids(s), expected, 'each mail once, in order: the two accepted before the kill were not resent');
  const check = openStore(dir);
  assert.equal(check.history({ kind: 'alert' }).length, 5);
  assert.equal(check.list({ state: 'delivered' }).length, 5);
  check.close();
  rmSync(dir, { recursive: true });
});
