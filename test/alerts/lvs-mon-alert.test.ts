/**
 * examples/lvs-director/lvs.alert, the mon alert script of the mon.cf example, run
 * with mon's argument vector and stdin. ipvsadm is a fake that records its argv
 * (IPVSADM points at it): this checks argument lists and idempotency, not IPVS.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'lvs-director', 'lvs.alert');
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-lvsalert-'));
  // "already exists" for 127.0.0.3 on -a, "no such destination" for 127.0.0.2 on -d
  writeFileSync(
    join(dir, 'ipvsadm'),
    `#!/bin/sh
for a in "$@"; do printf '%s|' "$a"; done >> "${dir}/calls"; echo >> "${dir}/calls"
case "$1 $5" in
  "-a 127.0.0.3:8080") echo "Destination already exists" >&2; exit 255 ;;
  "-d 127.0.0.2:8080") echo "No such destination" >&2; exit 255 ;;
esac
exit 0
`,
  );
  chmodSync(join(dir, 'ipvsadm'), 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function alert(args: string[], stdin: string) {
  writeFileSync(join(dir, 'calls'), '');
  const r = spawnSync(SCRIPT, args, { input: stdin, env: { ...process.env, IPVSADM: join(dir, 'ipvsadm') }, encoding: 'utf8', timeout: 10_000 });
  const calls = readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(0, -1).split('|'));
  return { status: r.status, stderr: r.stderr, calls };
}
const MON = ['-s', 'http', '-g', 'web', '-t', '1795661761'];

test('failure alert: failing hosts removed, the others (re-)added; already there/gone is fine', () => {
  assert.ok(existsSync(SCRIPT));
  const r = alert([...MON, '-h', '127.0.0.2 127.0.0.3 127.0.0.4', 'tcp', '127.0.0.100:80', '8080', 'nat', '2'], '127.0.0.2 127.0.0.4\n\nHOST 127.0.0.2: refused\n');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.calls, [
    ['-d', '-t', '127.0.0.100:80', '-r', '127.0.0.2:8080'],
    ['-a', '-t', '127.0.0.100:80', '-r', '127.0.0.3:8080', '-m', '-w', '2'],
    ['-e', '-t', '127.0.0.100:80', '-r', '127.0.0.3:8080', '-m', '-w', '2'],
    ['-d', '-t', '127.0.0.100:80', '-r', '127.0.0.4:8080'],
  ]);
});

test('upalert (-u): every host added; IPv6 hosts in brackets; names are never run', () => {
  const r = alert([...MON, '-u', '-h', '127.0.0.5 fd00::7 $(touch${IFS}pwned)', 'udp', '[fd00::1]:53', '53', 'dr'], 'ignored\n');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.calls, [
    ['-a', '-u', '[fd00::1]:53', '-r', '127.0.0.5:53', '-g', '-w', '1'],
    ['-a', '-u', '[fd00::1]:53', '-r', '[fd00::7]:53', '-g', '-w', '1'],
  ]);
  assert.match(r.stderr, /skipping "\$\(touch\$\{IFS\}pwned\)": real servers must be IP addresses/);
  assert.equal(existsSync('pwned'), false);
});

test('bad arguments and a missing ipvsadm are errors', () => {
  assert.notEqual(alert([...MON, '-h', '127.0.0.2', 'tcp', '127.0.0.100:80', '8080', 'masq'], '').status, 0);
  const r = spawnSync(SCRIPT, [...MON, '-h', '127.0.0.2', 'tcp', '127.0.0.100:80', '8080', 'nat'], { input: '127.0.0.2\n', env: { ...process.env, IPVSADM: join(dir, 'no-such') }, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ipvsadm for 127\.0\.0\.2:8080 failed \(exit 127\): cannot run/);
  assert.ok(execFileSync('perl', ['-c', SCRIPT], { stdio: 'pipe' }) !== undefined);
});
