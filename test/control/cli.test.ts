/**
 * `vigil status|disable|enable|ack|test-now|reload` against a running engine's
 * API: the table, --json, the token rules, errors an operator can act on.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { apiCommand } from '../../core/cli/api-command.ts';
import { formatStatusTable } from '../../core/control/status-table.ts';
import { startFixture, until, listen, kill, TOKEN, type Fixture } from './fixture.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
  await until('both watches checked', () => f.engine.status().watches.every((w) => w.services.every((s) => s.hosts.every((h) => h.state !== 'unknown'))));
});
after(async () => {
  await f?.close();
});

/** Runs the command in process with console output captured. */
async function vigil(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const saved = { log: console.log, error: console.error, env: { ...process.env } };
  let out = '';
  let err = '';
  console.log = (...a: unknown[]) => void (out += a.join(' ') + '\n');
  console.error = (...a: unknown[]) => void (err += a.join(' ') + '\n');
  delete process.env.VIGIL_TOKEN;
  delete process.env.VIGIL_URL;
  Object.assign(process.env, env);
  try {
    const code = await apiCommand([...args, '--url', f.base]);
    return { code, out, err };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.env = saved.env;
  }
}

test('vigil status: a plain table when not on a terminal', async () => {
  const r = await vigil(['status']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines[0], '2 of 2 services failing');
  assert.match(lines[1]!, /^SERVICE\s+STATE\s+HOSTS\s+CHECKED\s+SINCE\s+WHY$/);
  const web = lines.find((l) => l.startsWith('web/tcp'))!;
  assert.match(web, /^web\/tcp\s+FAIL\s+1\/2 up down: 127\.0\.0\.2\s+\d+s ago\s+\d+s ago\s+127\.0\.0\.2:\d+: connect: connection refused$/);
  assert.match(lines.find((l) => l.startsWith('evil/html'))!, /FAIL .*<script>/);
  assert.doesNotMatch(r.out, /\x1b\[/, 'no colour codes when not on a terminal');
});

test('vigil status --json prints the API snapshot', async () => {
  const r = await vigil(['status', '--json']);
  assert.equal(r.code, 0);
  const snap = JSON.parse(r.out);
  assert.deepEqual(snap.watches.map((w: { watch: string }) => w.watch), ['web', 'evil']);
});

test('changes need the token: refused without, done with VIGIL_TOKEN or --token', async () => {
  let r = await vigil(['disable', 'host', '127.0.0.2']);
  assert.equal(r.code, 1);
  assert.match(r.err, /needs the control token[\s\S]*--token or the VIGIL_TOKEN/);
  assert.deepEqual(f.engine.status().disabledHosts, []);
  r = await vigil(['disable', 'host', '127.0.0.2'], { VIGIL_TOKEN: TOKEN });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'disabled host 127.0.0.2\n');
  assert.deepEqual(f.engine.status().disabledHosts, ['127.0.0.2']);
  r = await vigil(['enable', 'host', '127.0.0.2', '--token', TOKEN]);
  assert.equal(r.out, 'enabled host 127.0.0.2\n');
  assert.deepEqual(f.engine.status().disabledHosts, []);
  r = await vigil(['disable', 'service', 'web', 'tcp', '--token', TOKEN]);
  assert.equal(r.out, 'disabled service web/tcp\n');
  r = await vigil(['enable', 'service', 'web', 'tcp', '--token', TOKEN]);
  r = await vigil(['disable', 'watch', 'evil', '--token', TOKEN]);
  assert.equal(r.out, 'disabled watch evil\n');
  assert.equal(f.engine.status().watches[1]!.disabled, true);
  r = await vigil(['enable', 'watch', 'evil', '--token', TOKEN]);
  assert.equal(f.engine.status().watches[1]!.disabled, false);
});

test('ack, test-now, reload and their errors', async () => {
  let r = await vigil(['ack', 'web', 'tcp', 'cable', 'swap', '--token', TOKEN]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^acknowledged web\/tcp: FAIL .*\[acked\]$/m);
  assert.match(f.engine.status().watches[0]!.services[0]!.ackComment ?? '', /cable swap/);
  r = await vigil(['test-now', 'evil', 'html', '--token', TOKEN]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^checked evil\/html: FAIL \(<script>/);
  r = await vigil(['test-now', 'evil', 'nope', '--token', TOKEN]);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'vigil test-now: watch "evil" has no service "nope"\n');
  r = await vigil(['reload', '--token', TOKEN]);
  assert.equal(r.out, 'config reloaded\n');
  r = await vigil(['ack', 'web', 'tcp']);
  assert.equal(r.code, 2);
  assert.match(r.err, /needs a watch, a service and a comment/);
  r = await vigil(['disable', 'everything']);
  assert.equal(r.code, 2);
});

test('an unreachable vigil is reported with what to check', async () => {
  // A port that was free a moment ago refuses connections.
  const l = await listen('127.0.0.1', 0);
  const port = (l.server.address() as { port: number }).port;
  await kill(l);
  const code = await new Promise<{ code: number | null; err: string }>((resolve) => {
    // Through the real `vigil` entry point.
    execFile(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'status', '--url', `http://127.0.0.1:${port}`], { timeout: 20_000 }, (e, _o, err) => resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, err }));
  });
  assert.equal(code.code, 1);
  assert.match(code.err, /cannot reach vigil at http:\/\/127\.0\.0\.1:\d+: connection refused\. Is vigil running/);
});

test('status table: colours on a terminal, cut to its width', () => {
  const snap = f.engine.status();
  const text = formatStatusTable(snap, { color: true, width: 60, now: snap.now });
  assert.match(text, /^\x1b\[31;1m2 of 2 services failing\x1b\[0m/);
  for (const line of text.split('\n')) assert.ok(line.replace(/\x1b\[[0-9;]*m/g, '').length <= 60, line);
  snap.schedulerRunning = false;
  assert.match(formatStatusTable(snap, { color: false }), /scheduler STOPPED/);
});
