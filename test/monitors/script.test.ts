/**
 * The `script` monitor's output rules against a real script of ours
 * (test/fixtures/scripts/rules.monitor): summary/detail, (NO SUMMARY), stderr merged
 * in order, exit codes, death by signal, output cap, and a hang killed with its
 * forked child when the check's signal fires.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import plugin from '../../monitors/script.ts';
import type { GroupChecker, RunInfo } from '../../core/types.ts';
import { SCRIPTS, isGone, pluginContext, readPidFile, waitFor } from '../fixtures/scripts/proc.ts';

const HOSTS = ['127.0.0.2', '127.0.0.3'];
const RUN: RunInfo = { watch: 'web', service: 'rules' };
const tmp = mkdtempSync(join(tmpdir(), 'vigil-script-mon-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

async function checker(mode: string, over: Record<string, unknown> = {}, ctx = pluginContext()): Promise<GroupChecker> {
  const c = await plugin.create({ path: 'rules.monitor', env: { MODE: mode, RECORD_FILE: join(tmp, `${mode}.pid`) }, ...over } as never, ctx);
  return c as GroupChecker;
}
const never = () => new AbortController().signal;

test('exit 0 is ok, with no failed hosts', async () => {
  const r = await (await checker('ok')).check(HOSTS, never(), RUN);
  assert.equal(r.ok, true);
  assert.deepEqual(r.failedHosts, []);
  assert.equal(r.exitCode, 0);
});

test('an empty first line is (NO SUMMARY) for decisions, the raw output is kept, every host failed', async () => {
  const r = await (await checker('empty-first')).check(HOSTS, never(), RUN);
  assert.equal(r.ok, false);
  assert.equal(r.summary, '(NO SUMMARY)');
  assert.equal(r.output, '\n127.0.0.2 said nothing useful\n');
  assert.equal(r.detail, '127.0.0.2 said nothing useful\n');
  assert.deepEqual(r.failedHosts, HOSTS);
  assert.equal(r.exitCode, 1);
});

test('stderr is merged into stdout in order; hosts named in the summary are the failed ones', async () => {
  const r = await (await checker('stderr')).check(HOSTS, never(), RUN);
  assert.equal(r.output, '127.0.0.3\nto stderr\nback to stdout\n');
  assert.equal(r.summary, '127.0.0.3');
  assert.equal(r.detail, 'to stderr\nback to stdout\n');
  assert.deepEqual(r.failedHosts, ['127.0.0.3']);
  assert.equal(r.exitCode, 2);
});

test('a summary naming no host fails every host with the exit code', async () => {
  const r = await (await checker('unnamed')).check(HOSTS, never(), RUN);
  assert.deepEqual([r.ok, r.summary, r.exitCode, r.failedHosts], [false, 'something broke', 5, HOSTS]);
});

test('a script killed by a signal is a failure naming the signal (mon would call it a success)', async () => {
  const r = await (await checker('signal')).check(HOSTS, never(), RUN);
  assert.equal(r.ok, false);
  assert.equal(r.summary, 'killed by signal SIGKILL: about to die');
  assert.equal(r.exitCode, 137);
});

test('huge output is capped with a note', async () => {
  const r = await (await checker('huge', { maxOutputBytes: 65536 })).check(HOSTS, never(), RUN);
  assert.equal(r.ok, false);
  assert.ok(r.output!.startsWith('x'.repeat(65536) + '\n[vigil: output cut at 65536 bytes]'));
  assert.ok(r.output!.length < 65536 + 100);
});

test('a hang is killed with its forked child when the check signal fires', async () => {
  const c = await checker('hang');
  const started = Date.now();
  const pending = c.check(HOSTS, AbortSignal.timeout(400), RUN);
  const grandchild = await readPidFile(join(tmp, 'hang.pid'));
  assert.equal(isGone(grandchild), false);
  const r = await pending;
  assert.equal(r.ok, false);
  assert.match(r.summary, /^timed out after \d+\.\ds, killed$/);
  assert.ok(Date.now() - started < 5000);
  assert.ok(await waitFor(() => isGone(grandchild), 2000), `grandchild ${grandchild} survived`);
  rmSync(join(tmp, 'hang.pid'));
  const ctrl = new AbortController();
  const stopping = (await checker('hang')).check(HOSTS, ctrl.signal, RUN);
  await readPidFile(join(tmp, 'hang.pid'));
  ctrl.abort(new Error('shutdown'));
  assert.match((await stopping).summary, /^stopped after \d+\.\ds \(vigil is stopping or reloading\), killed$/);
});

test('argv is args then hosts (or no hosts), environment carries MON_* from the run', async () => {
  const run: RunInfo = {
    watch: 'web', service: 'rules', description: 'rule check', lastSummary: '127.0.0.2', lastOutput: '127.0.0.2\nx\n',
    lastFailure: 1_795_661_770_000, firstFailure: 1_795_661_761_000, lastSuccess: 1_795_661_757_000, dependStatus: true,
  };
  const ctx = pluginContext({ stateDir: '/var/lib/vigil', env: { SVC_A: 'from service' } });
  const r = await (await checker('env', { args: ['-p', '8080', 'two words'] }, ctx)).check(HOSTS, never(), run);
  const lines = r.output!.trimEnd().split('\n');
  assert.equal(lines[0], 'argv: [-p] [8080] [two words] [127.0.0.2] [127.0.0.3]');
  const env = lines.slice(1).join('\n');
  for (const want of [
    'MON_GROUP=web', 'MON_SERVICE=rules', 'MON_DESCRIPTION=rule check', 'MON_LAST_SUMMARY=127.0.0.2',
    'MON_LAST_FAILURE=1795661770', 'MON_FIRST_FAILURE=1795661761', 'MON_LAST_SUCCESS=1795661757',
    'MON_DEPEND_STATUS=1', 'MON_STATEDIR=/var/lib/vigil', `MON_CFBASEDIR=${SCRIPTS}`, 'SVC_A=from service',
  ]) assert.ok(env.includes(want), `missing ${want} in\n${env}`);
  const bare = await (await checker('env', { args: ['-x'], noHosts: true })).check(HOSTS, never(), RUN);
  assert.equal(bare.output!.split('\n')[0], 'argv: [-x]');
});

test('a script that is nowhere on the search path fails the check with where it looked', async () => {
  const c = (await plugin.create({ path: 'nope.monitor', mondir: '/nonexistent:rel' }, pluginContext({ configDir: tmp }))) as GroupChecker;
  await assert.rejects(c.check(HOSTS, never(), RUN), /"nope\.monitor" not found \(looked in \/nonexistent, .*\/rel\)/);
});
