/**
 * The `script` alert against a real recorder script (test/fixtures/scripts/record.alert):
 * exact mon argv, stdin and MON_* environment per event kind, exit handling, path
 * lookup, and a hanging script killed with the child it forked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import plugin from '../../alerts/script.ts';
import type { AlertEvent } from '../../core/types.ts';
import { SCRIPTS, isGone, pluginContext, readPidFile, waitFor } from '../fixtures/scripts/proc.ts';

const AT = 1_795_661_761_000;
const tmp = mkdtempSync(join(tmpdir(), 'vigil-script-alert-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function ev(over: Partial<AlertEvent> = {}): AlertEvent {
  return {
    id: 'web/http//1795661751000/1',
    type: 'down',
    watch: 'web',
    service: 'http',
    description: 'front page answers',
    hosts: ['127.0.0.2', '127.0.0.3'],
    failedHosts: ['127.0.0.2'],
    summary: '127.0.0.2',
    detail: '\n127.0.0.2 could not connect: Connection refused\n',
    output: '127.0.0.2\n\n127.0.0.2 could not connect: Connection refused\n',
    exitCode: 1,
    since: AT - 10_000,
    at: AT,
    count: 3,
    incident: 'web/http/1795661751000',
    env: { SVC_COLOR: 'red' },
    ...over,
  };
}

interface Rec {
  argv: string[];
  stdin: string;
  env: Record<string, string>;
}

let n = 0;
/** Runs one event through a fresh alert instance and returns what the script recorded. */
async function deliver(e: AlertEvent, opts: Record<string, unknown> = {}): Promise<Rec | undefined> {
  const file = join(tmp, `rec-${++n}.json`);
  const alert = await plugin.create(
    { path: 'record.alert', args: ['alertarg1', 'quoted arg'], env: { RECORD_FILE: file, OPT_X: 'y' }, ...opts } as never,
    pluginContext({ stateDir: '/var/lib/vigil', env: { SVC_FROM_CTX: 'ctx' } }),
  );
  await alert.send(e, new AbortController().signal);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as Rec;
}

const HEAD = ['-s', 'http', '-g', 'web', '-h', '127.0.0.2 127.0.0.3', '-t', '1795661761'];
const ARGS = ['alertarg1', 'quoted arg'];

test('down: mon argv without flag, monitor output on stdin, failure environment', async () => {
  const r = (await deliver(ev()))!;
  assert.deepEqual(r.argv, [...HEAD, ...ARGS]);
  assert.equal(r.stdin, '127.0.0.2\n\n127.0.0.2 could not connect: Connection refused\n');
  assert.equal(r.env.MON_ALERTTYPE, 'failure');
  assert.equal(r.env.MON_RETVAL, '1');
  assert.equal(r.env.MON_OPSTATUS, '0');
  assert.equal(r.env.MON_GROUP, 'web');
  assert.equal(r.env.MON_SERVICE, 'http');
  assert.equal(r.env.MON_DESCRIPTION, 'front page answers');
  assert.equal(r.env.MON_LAST_SUMMARY, '127.0.0.2');
  assert.equal(r.env.MON_FIRST_FAILURE, '1795661751');
  assert.equal(r.env.MON_LAST_FAILURE, '1795661761');
  assert.equal(r.env.MON_STATEDIR, '/var/lib/vigil');
  assert.equal(r.env.MON_CFBASEDIR, SCRIPTS);
  assert.equal(r.env.SVC_COLOR, 'red');
  assert.equal(r.env.SVC_FROM_CTX, 'ctx');
  assert.equal(r.env.OPT_X, 'y');
});

test('up: -u, stdin is the last failing output, MON_RETVAL 0, opstatus 1', async () => {
  const r = (await deliver(ev({ type: 'up', exitCode: 0, lastSuccess: AT })))!;
  assert.deepEqual(r.argv, [...HEAD, '-u', ...ARGS]);
  assert.equal(r.stdin, '127.0.0.2\n\n127.0.0.2 could not connect: Connection refused\n');
  assert.equal(r.env.MON_ALERTTYPE, 'up');
  assert.equal(r.env.MON_RETVAL, '0');
  assert.equal(r.env.MON_OPSTATUS, '1');
  assert.equal(r.env.MON_LAST_SUCCESS, '1795661761');
});

test('ack: -a, the comment on stdin, MON_RETVAL unset even if vigil has one', async () => {
  process.env.MON_RETVAL = 'leaked';
  try {
    const r = (await deliver(ev({ type: 'ack', comment: 'alice: working on it' })))!;
    assert.deepEqual(r.argv, [...HEAD, '-a', ...ARGS]);
    assert.equal(r.stdin, 'alice: working on it');
    assert.equal(r.env.MON_ALERTTYPE, 'ack');
    assert.equal('MON_RETVAL' in r.env, false);
  } finally {
    delete process.env.MON_RETVAL;
  }
});

test('trap failure: -T and the trap status; trap timeout: -O', async () => {
  const t = (await deliver(ev({ source: 'trap', exitCode: 4, output: 'disk full\n\ndetail line\n' })))!;
  assert.deepEqual(t.argv, [...HEAD, '-T', ...ARGS]);
  assert.equal(t.stdin, 'disk full\n\ndetail line\n');
  assert.equal(t.env.MON_ALERTTYPE, 'trap');
  assert.equal(t.env.MON_RETVAL, '4');
  const o = (await deliver(ev({ source: 'traptimeout', type: 'still-down' })))!;
  assert.deepEqual(o.argv, [...HEAD, '-O', ...ARGS]);
  assert.equal(o.env.MON_ALERTTYPE, 'traptimeout');
});

test('startup: no flag, empty stdin, opstatus 7; test: mon\'s test stdin; disable: -D', async () => {
  const s = (await deliver(ev({ type: 'startup', exitCode: undefined, output: '' })))!;
  assert.deepEqual(s.argv, [...HEAD, ...ARGS]);
  assert.equal(s.stdin, '');
  assert.equal(s.env.MON_ALERTTYPE, 'startup');
  assert.equal(s.env.MON_RETVAL, '0');
  assert.equal(s.env.MON_OPSTATUS, '7');
  const t = (await deliver(ev({ type: 'test', exitCode: 2, test: true })))!;
  assert.deepEqual(t.argv, [...HEAD, ...ARGS]);
  assert.equal(t.stdin, 'test\ntest detail\n');
  assert.equal(t.env.MON_ALERTTYPE, 'test');
  assert.equal(t.env.MON_RETVAL, '2');
  const d = (await deliver(ev({ type: 'disable' })))!;
  assert.deepEqual(d.argv, [...HEAD, '-D', ...ARGS]);
  assert.equal(d.env.MON_ALERTTYPE, 'disable');
});

test('host events: ignored by default, sent with the single host in -h when hostEvents is on', async () => {
  const hostDown = ev({ type: 'host-down', host: '127.0.0.3', summary: 'refused' });
  assert.equal(await deliver(hostDown), undefined);
  const r = (await deliver(hostDown, { hostEvents: true }))!;
  assert.deepEqual(r.argv, ['-s', 'http', '-g', 'web', '-h', '127.0.0.3', '-t', '1795661761', ...ARGS]);
  assert.equal(r.env.VIGIL_EVENT, 'host-down');
  const up = (await deliver(ev({ type: 'host-up', host: '127.0.0.3' }), { hostEvents: true }))!;
  assert.deepEqual(up.argv, ['-s', 'http', '-g', 'web', '-h', '127.0.0.3', '-t', '1795661761', '-u', ...ARGS]);
});

test('a non-zero exit is only logged, unless failOnExit makes the delivery fail', async () => {
  const file = join(tmp, 'exit.json');
  const opts = { path: 'record.alert', env: { RECORD_FILE: file, RECORD_EXIT: '3' } };
  const lenient = await plugin.create(opts, pluginContext());
  await lenient.send(ev(), new AbortController().signal);
  const strict = await plugin.create({ ...opts, failOnExit: true }, pluginContext());
  await assert.rejects(strict.send(ev(), new AbortController().signal), /exited with status 3/);
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 2);
});

test('path lookup: the config dir, then alertdir; a missing script fails the delivery with where it looked', async () => {
  const viaDir = await plugin.create(
    { path: 'record.alert', alertdir: SCRIPTS, env: { RECORD_FILE: join(tmp, 'dir.json') } },
    pluginContext({ configDir: tmp }),
  );
  await viaDir.send(ev(), new AbortController().signal);
  assert.ok(existsSync(join(tmp, 'dir.json')));
  const missing = await plugin.create({ path: 'nope.alert', alertdir: '/nonexistent' }, pluginContext({ configDir: tmp }));
  await assert.rejects(missing.send(ev(), new AbortController().signal), /"nope\.alert" not found \(looked in .*\/nonexistent\)/);
});

test('a hanging script is killed at the timeout together with the child it forked', async () => {
  const file = join(tmp, 'hang.pid');
  const alert = await plugin.create({ path: 'hang.alert', timeout: '300ms', env: { RECORD_FILE: file } }, pluginContext());
  const started = Date.now();
  const sent = alert.send(ev(), new AbortController().signal);
  const grandchild = await readPidFile(file);
  assert.equal(isGone(grandchild), false, 'the forked child runs while the script hangs');
  await sent; // lenient by default: logged, not thrown
  const took = Date.now() - started;
  assert.ok(took >= 300 && took < 5000, `took ${took} ms`);
  assert.ok(await waitFor(() => isGone(grandchild), 2000), `grandchild ${grandchild} survived`);
});
