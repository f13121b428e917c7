/**
 * Debian's real `moncmd -a` logging in to vigil with mon's userfile
 * (monusers.cf, relative to cfbasedir, authtype userfile in mon.cf): the right
 * password lets an AUTH_ANY command through, a wrong one does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../core/engine/engine.ts';
import { startMonProtocol } from '../../core/mon-protocol/index.ts';
import { silentLogger } from '../../core/log.ts';
import { MON_ROOT, freePort, moncmd, perl, requireMonClient } from './mon-tools.ts';

test('moncmd -a logs in with a monusers.cf password (authtype userfile) and may then disable', { timeout: 30_000 }, async (t) => {
  requireMonClient();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-moncmd-login-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'mon.d'));
  writeFileSync(join(dir, 'mon.d', 'true.monitor'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'mon.d', 'true.monitor'), 0o755);
  writeFileSync(join(dir, 'auth.cf'), 'command section\nlist: all\nversion: all\ndisable: AUTH_ANY\ntrap section\n');
  const hash = execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', 'opPass-42', '$6$vigiltest$'], { encoding: 'utf8' });
  writeFileSync(join(dir, 'monusers.cf'), `# mon users\nops : ${hash}\n`);
  const port = await freePort();
  const cf = join(dir, 'mon.cf');
  writeFileSync(cf, `cfbasedir = ${dir}
basedir = ${dir}
mondir = mon.d
statedir = ${dir}/state
authtype = userfile
userfile = monusers.cf
serverbind = 127.0.0.1
serverport = ${port}
trapbind = 127.0.0.1
trapport = ${port}

hostgroup g 127.0.0.1

watch g
    service s
        interval 1h
        monitor true.monitor
`);
  const engine = await Engine.start({ configFile: cf, log: silentLogger, persist: false });
  const proto = await startMonProtocol(engine, silentLogger);
  t.after(async () => {
    await proto?.close();
    await engine.close(2000);
  });

  assert.deepEqual(await moncmd(port, 'disable', 'service', 'g', 's'), ['520 command could not be executed, unknown command'], 'no login: AUTH_ANY refuses');
  const login = async (pass: string) => {
    const cmds = join(dir, 'cmds');
    // moncmd takes pass=\S+ only (no spaces); it reads the credentials, then loses the first command line it read: hence the leading "version".
    writeFileSync(cmds, `user=ops\npass=${pass}\nversion\ndisable service g s\nlist disabled\n`);
    return perl([join(MON_ROOT, 'usr/bin/moncmd'), '-a', '-l', 'ops', '-s', '127.0.0.1', '-p', String(port), '-f', cmds]);
  };
  const bad = await login('wrong');
  assert.doesNotMatch(bad.stdout, /220 disable service completed/, bad.stdout + bad.stderr);
  assert.match(bad.stdout + bad.stderr, /Could not authenticate/, 'moncmd reports the failed login');
  assert.notEqual(bad.code, 0);
  assert.equal(engine.status().watches[0]!.services[0]!.disabled, false);

  const good = await login('opPass-42');
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /220 disable service completed\n/);
  assert.match(good.stdout, /watch g service s\n220 list disabled completed/);
});
