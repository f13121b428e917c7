/**
 * The plugin's own logic with a fake ipvsadm (a shell script that records its argv
 * and prints a table file). This checks argument vectors, idempotency and error
 * text only; the proof against the kernel's IPVS is test/vm/lvs-vm.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lvs, { createLvsAlert, type LvsOptions } from '../../alerts/lvs.ts';
import { silentLogger } from '../../core/log.ts';
import type { AlertEvent, PluginContext } from '../../core/types.ts';

let dir: string;
let fake: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-lvs-'));
  fake = join(dir, 'ipvsadm');
  writeFileSync(
    fake,
    `#!/bin/sh
d="${dir}"
for a in "$@"; do printf '%s|' "$a"; done >> "$d/log"; echo >> "$d/log"
if [ "$1" = "-S" ] || [ "$2" = "-S" ]; then cat "$d/table"; exit 0; fi
if [ -f "$d/fail" ]; then cat "$d/fail" >&2; exit 2; fi
exit 0
`,
  );
  chmodSync(fake, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function reset(table: string, fail?: string) {
  writeFileSync(join(dir, 'table'), table);
  writeFileSync(join(dir, 'log'), '');
  if (fail) writeFileSync(join(dir, 'fail'), fail);
  else rmSync(join(dir, 'fail'), { force: true });
}
const calls = () => readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(0, -1).split('|'));
const ctx = (hosts = ['127.0.0.2', '127.0.0.3']): PluginContext => ({ log: silentLogger, now: Date.now, configDir: dir, stateDir: dir, watch: 'web', service: 'http', hosts });
const event = (type: AlertEvent['type'], host: string): AlertEvent => ({
  id: `web/http/${host}/1/1`, type, watch: 'web', service: 'http', hosts: [], failedHosts: [], host, summary: host, detail: '', output: '', at: Date.now(), count: 1, incident: 'web/http/1',
});
const TABLE = '-A -t 127.0.0.100:80 -s rr\n-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 1\n-a -t 127.0.0.100:80 -r 127.0.0.3:80 -m -w 1\n';

test('plugin shape: host events, schema accepts the DESIGN.md form and rejects junk', async () => {
  assert.equal(lvs.name, 'lvs');
  assert.deepEqual(lvs.events, ['host-down', 'host-up', 'host-degraded']);
  const { default: Ajv } = await import('ajv');
  const validate = new Ajv.default({ allErrors: true }).compile(lvs.optionsSchema!);
  assert.ok(validate({ service: 'tcp 127.0.0.100:80', method: 'nat', mode: 'quiescent' }));
  assert.ok(validate({ services: ['fwmark 5', { service: 'udp [::1]:53', servers: ['[::2]:53', { address: 'web1', weight: 3 }] }], fall: 2, rise: 3, degradedWeight: 0.5 }));
  assert.ok(!validate({ method: 'nat' }), 'a service is required');
  assert.ok(!validate({ service: 'tcp 127.0.0.100:80', mode: 'drop' }));
  assert.ok(!validate({ service: 'http://x', method: 'nat' }));
  assert.ok(!validate({ service: 'tcp 127.0.0.100:80', command: 'sudo ipvsadm' }), 'command is an argv array, not a string');
});

test('host-down removes, host-up re-adds, with the command prefix as separate argv words', async () => {
  reset(TABLE);
  const a = await createLvsAlert({ service: 'tcp 127.0.0.100:80', method: 'nat', command: [fake, '--'] } as LvsOptions, ctx());
  // a prefix word "--" shows that every configured word is passed on as it is
  await a.send(event('host-down', '127.0.0.3'), AbortSignal.timeout(5000));
  assert.deepEqual(calls().slice(0, 2), [['--', '-S', '-n'], ['--', '-d', '-t', '127.0.0.100:80', '-r', '127.0.0.3:80']]);
  // status view, from the table re-read after the change (the fake's table file is what the "kernel" has)
  writeFileSync(join(dir, 'table'), '-A -t 127.0.0.100:80 -s rr\n-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 1\n');
  await a.apply();
  assert.deepEqual(
    a.describe().map((v) => [v.service, v.servers.map((s) => `${s.server} ${s.pool} ${s.health}`)]),
    [['tcp 127.0.0.100:80', ['127.0.0.2:80 in unknown', '127.0.0.3:80 out down']]],
  );
  reset('-A -t 127.0.0.100:80 -s rr\n-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 1\n');
  await a.send(event('host-up', '127.0.0.3'), AbortSignal.timeout(5000));
  assert.deepEqual(calls()[1], ['--', '-a', '-t', '127.0.0.100:80', '-r', '127.0.0.3:80', '-m', '-w', '1']);
});

test('observe drives fall/rise; start with a known-down host removes it (reload never re-adds)', async () => {
  reset(TABLE);
  const a = await createLvsAlert({ service: 'tcp 127.0.0.100:80', method: 'nat', command: [fake], fall: 2, rise: 2 }, ctx());
  await a.start({ '127.0.0.2': 'up', '127.0.0.3': 'up' });
  const obs = (ok3: boolean) => ({ watch: 'web', service: 'http', at: Date.now(), hosts: { '127.0.0.2': { ok: true, summary: 'ok' }, '127.0.0.3': { ok: ok3, summary: ok3 ? 'ok' : 'refused' } } });
  await a.observe(obs(false));
  assert.ok(!calls().some((c) => c[0] === '-d'), 'one failure with fall 2 keeps the server');
  await a.observe(obs(false));
  assert.deepEqual(calls().find((c) => c[0] === '-d'), ['-d', '-t', '127.0.0.100:80', '-r', '127.0.0.3:80']);
  assert.equal(a.health()['127.0.0.3'], 'down');
  // a host-up event while rise is not met is only a hint: no re-add
  reset('-A -t 127.0.0.100:80 -s rr\n-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 1\n');
  await a.observe(obs(true));
  await a.send(event('host-up', '127.0.0.3'), AbortSignal.timeout(5000));
  assert.ok(!calls().some((c) => c[0] === '-a'));
  await a.observe(obs(true));
  assert.deepEqual(calls().find((c) => c[0] === '-a'), ['-a', '-t', '127.0.0.100:80', '-r', '127.0.0.3:80', '-m', '-w', '1']);

  reset(TABLE);
  const b = await createLvsAlert({ service: 'tcp 127.0.0.100:80', method: 'nat', command: [fake] }, ctx());
  await b.start({ '127.0.0.2': 'up', '127.0.0.3': 'down' });
  assert.deepEqual(calls().filter((c) => c[0] !== '-S'), [['-d', '-t', '127.0.0.100:80', '-r', '127.0.0.3:80']]);
});

test('already there / already gone is success; other failures throw a clear error', async () => {
  reset(TABLE, 'Destination already exists\n');
  const a = await createLvsAlert({ service: 'tcp 127.0.0.100:80', method: 'nat', command: [fake], servers: ['127.0.0.2', '127.0.0.4'] }, ctx());
  await a.send(event('host-up', '127.0.0.4'), AbortSignal.timeout(5000));
  reset(TABLE, 'Permission denied (you must be root)\n');
  await assert.rejects(a.send(event('host-down', '127.0.0.2'), AbortSignal.timeout(5000)), /not allowed to change IPVS.*sudo/);
  reset(TABLE, "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
  await assert.rejects(a.send(event('host-down', '127.0.0.2'), AbortSignal.timeout(5000)), /kernel has no IPVS.*modprobe ip_vs/);
  const missing = await createLvsAlert({ service: 'tcp 127.0.0.100:80', command: [join(dir, 'no-such-ipvsadm')] }, ctx());
  await assert.rejects(missing.send(event('host-down', '127.0.0.2'), AbortSignal.timeout(5000)), /was not found.*install ipvsadm/);
  // start and observe never throw: the error is logged and retried at the next check
  await missing.start({ '127.0.0.2': 'down' });
  await missing.observe({ watch: 'web', service: 'http', at: 1, hosts: { '127.0.0.2': { ok: false, summary: 'x' } } });
});

test('dryRun prints the commands once and runs nothing but the table read', async () => {
  reset(TABLE);
  const printed: string[] = [];
  const { LvsAlert } = await import('../../alerts/lvs.ts');
  const { normalizeOptions } = await import('../../alerts/lvs/options.ts');
  const cfg = await normalizeOptions({ service: 'tcp 127.0.0.100:80', method: 'nat', command: [fake], dryRun: true, mode: 'quiescent' }, ['127.0.0.2', '127.0.0.3'], async (h) => h);
  const { execIpvsadm } = await import('../../alerts/lvs/runner.ts');
  const a = new LvsAlert(cfg, silentLogger, execIpvsadm, (l) => printed.push(l));
  await a.send(event('host-down', '127.0.0.3'), AbortSignal.timeout(5000));
  await a.send(event('host-down', '127.0.0.3'), AbortSignal.timeout(5000));
  assert.deepEqual(printed, [`lvs dry-run: ${fake} -e -t 127.0.0.100:80 -r 127.0.0.3:80 -m -w 0   # 127.0.0.3 is down (quiescent: weight 0) (weight 1 -> 0)`]);
  assert.deepEqual(calls(), [['-S', '-n'], ['-S', '-n']]);
  assert.ok(existsSync(join(dir, 'table')));
});

test('concurrent events are serialised: no two ipvsadm calls overlap', async () => {
  // the fake records start/end marks around a short sleep
  const slow = join(dir, 'slow-ipvsadm');
  writeFileSync(slow, `#!/bin/sh\necho "start $1" >> "${dir}/marks"\nsleep 0.05\n[ "$1" = "-S" ] && cat "${dir}/table"\necho "end $1" >> "${dir}/marks"\n`);
  chmodSync(slow, 0o755);
  writeFileSync(join(dir, 'marks'), '');
  reset(TABLE);
  const a = await createLvsAlert({ service: 'tcp 127.0.0.100:80', method: 'nat', command: [slow], mode: 'quiescent' }, ctx());
  await Promise.all([a.send(event('host-down', '127.0.0.2'), AbortSignal.timeout(5000)), a.send(event('host-down', '127.0.0.3'), AbortSignal.timeout(5000)), a.start({})]);
  const marks = readFileSync(join(dir, 'marks'), 'utf8').trim().split('\n');
  for (let i = 0; i < marks.length; i += 2) {
    assert.match(marks[i]!, /^start/);
    assert.match(marks[i + 1]!, /^end/);
  }
  assert.ok(marks.length >= 4);
});
