/**
 * mon's `login USER PASS` against vigil's mon protocol server: userfile
 * (monusers.cf, real crypt(3) through Perl), getpwnam (a temporary system user
 * made with useradd/chpasswd; needs root), authtypes tried in order, and
 * auth.cf AUTH_ANY commands refused before and allowed after a login.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticate, parseUserFile, type LoginDeps } from '../../core/mon-protocol/login.ts';
import { verifyCrypt, verifySystemPassword } from '../../core/mon-protocol/auth-crypt.ts';
import { createMonProtocolServer } from '../../core/mon-protocol/server.ts';
import { monCfToModel } from '../../core/config/moncf.ts';
import { silentLogger } from '../../core/log.ts';
import { fakeRuntime } from '../compat/fake-runtime.ts';
import { rawClient } from '../compat/raw-mon-client.ts';

const CF = 'hostgroup web 127.0.0.2\n\nwatch web\n  service http\n    interval 1m\n    monitor tcp.monitor\n';
const AUTH = 'command section\nlist: all\ncheckauth: all\ndisable: AUTH_ANY\nenable: AUTH_ANY\ntrap section\n';

/** A crypt(3) hash made by Perl, as mkpasswd / htpasswd -d would. */
const crypt = (pw: string, salt: string) => execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', pw, salt], { encoding: 'utf8' });

async function server(authTypes: string[], userFile?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-login-'));
  writeFileSync(join(dir, 'auth.cf'), AUTH);
  const rt = fakeRuntime(monCfToModel(CF, '/x/mon.cf'), Date.now);
  const srv = createMonProtocolServer({ runtime: rt, listen: '127.0.0.1:0', authFile: join(dir, 'auth.cf'), log: silentLogger, authTypes, ...(userFile ? { userFile } : {}) });
  const { port } = await srv.listen();
  const disabled = () => rt.status().watches.find((w) => w.watch === 'web')!.services.find((s) => s.service === 'http')!.disabled;
  return { port, disabled, close: async () => { await srv.close(); rmSync(dir, { recursive: true, force: true }); } };
}

test('parseUserFile: "user : hash" lines, comments and blank lines skipped', () => {
  const u = parseUserFile('# mon users\n\nalice : $6$s$abc\n  bob:xyHASH\r\n   # indented comment\ncarol :  $1$a$b:c\n');
  assert.deepEqual([...u], [['alice', '$6$s$abc'], ['  bob', 'xyHASH'], ['carol', '$1$a$b:c']]);
});

test('authenticate: authtypes in order, first acceptance wins; pam and empty passwords refuse', async () => {
  const calls: string[] = [];
  const deps: LoginDeps = {
    userFile: '/nonexistent/monusers.cf',
    readUserFile: async () => 'ops : HASH\n',
    verifyCrypt: async (p, h) => (calls.push(`crypt ${h}`), p === 'right' && h === 'HASH'),
    verifySystemPassword: async (u, p) => (calls.push(`passwd ${u}`), u === 'root' && p === 'sys' ? 'ok' : 'bad-password'),
  };
  assert.deepEqual(await authenticate(['pam', 'userfile', 'getpwnam'], 'ops', 'right', '10.0.0.1', deps), { ok: true, why: 'userfile' });
  assert.deepEqual(calls, ['crypt HASH'], 'getpwnam is not tried after userfile accepted');
  assert.equal((await authenticate(['userfile', 'getpwnam'], 'root', 'sys', '10.0.0.1', deps)).why, 'getpwnam');
  const pam = await authenticate(['pam'], 'ops', 'right', '127.0.0.1', deps);
  assert.equal(pam.ok, false);
  assert.match(pam.why, /PAM is not supported/);
  assert.equal((await authenticate(['userfile'], 'ops', '', '127.0.0.1', deps)).ok, false, 'mon refuses an empty password');
  assert.equal((await authenticate(['trustlocal'], 'ops', '', '127.0.0.1', deps)).ok, true, 'trustlocal ignores the password');
  assert.equal((await authenticate(['trustlocal'], 'ops', 'x', '10.0.0.1', deps)).ok, false);
  assert.equal((await authenticate(['shadow', 'bogus'], 'ops', 'right', '127.0.0.1', deps)).ok, false);
  assert.equal((await authenticate([], 'ops', 'right', '127.0.0.1', deps)).ok, false);
});

test('verifyCrypt: DES, MD5 and SHA-512 hashes; a newline in the password cannot smuggle a hash', async () => {
  for (const salt of ['ab', '$1$saltsalt$', '$6$saltsalt$']) {
    const h = crypt('s3cret pw', salt);
    assert.equal(await verifyCrypt('s3cret pw', h), true, salt);
    assert.equal(await verifyCrypt('s3cret px', h), salt === 'ab' ? true : false, `${salt} (DES only looks at 8 characters, as crypt(3))`);
    assert.equal(await verifyCrypt('wrong', h), false, salt);
  }
  const known = crypt('x', '$6$abc$');
  assert.equal(await verifyCrypt(`x\n${known}`, crypt('other', '$6$zzz$')), false);
  assert.equal(await verifyCrypt('x', ''), false);
});

test('userfile login over the protocol: right password accepted, wrong and unknown user refused; AUTH_ANY needs it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-users-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const userFile = join(dir, 'monusers.cf');
  writeFileSync(userFile, `# who may log in\n\nops : ${crypt('hunter2 2', '$6$0123456789$')}\nold:${crypt('des', 'xy')}\n`);
  const s = await server(['userfile'], userFile);
  t.after(s.close);
  const c = await rawClient(s.port);
  assert.deepEqual(await c.cmd('disable service web http'), ['520 command could not be executed, unknown command'], 'AUTH_ANY refuses before login');
  assert.equal(s.disabled(), false);
  assert.deepEqual(await c.cmd('login ops wrong'), ['530 login unsuccessful']);
  assert.deepEqual(await c.cmd('login nobody hunter2 2'), ['530 login unsuccessful'], 'unknown user');
  assert.deepEqual(await c.cmd('login ops'), ['530 login unsuccessful'], 'no password');
  assert.deepEqual(await c.cmd('disable service web http'), ['520 command could not be executed, unknown command'], 'still not logged in');
  assert.deepEqual(await c.cmd('login ops hunter2 2'), ['220 login accepted'], 'the password is the rest of the line, spaces included');
  assert.deepEqual(await c.cmd('checkauth disable'), ['220 command authorized']);
  assert.deepEqual(await c.cmd('disable service web http'), ['220 disable service completed']);
  assert.equal(s.disabled(), true);
  assert.deepEqual(await c.cmd('login old des'), ['220 login accepted'], 'DES (htpasswd -d) hash');
  c.end();

  // The file is read at each login: a user removed is refused at once.
  writeFileSync(userFile, '# empty\n');
  const c2 = await rawClient(s.port);
  assert.deepEqual(await c2.cmd('login ops hunter2 2'), ['530 login unsuccessful']);
  c2.end();
});

test('userfile missing: logins refused, the next authtype still tried', async (t) => {
  const s = await server(['userfile', 'trustlocal'], '/nonexistent/vigil/monusers.cf');
  t.after(s.close);
  const c = await rawClient(s.port);
  assert.deepEqual(await c.cmd('login ops x'), ['220 login accepted'], 'trustlocal after a failed userfile');
  c.end();
  const s2 = await server(['userfile', 'pam'], '/nonexistent/vigil/monusers.cf');
  t.after(s2.close);
  const c2 = await rawClient(s2.port);
  assert.deepEqual(await c2.cmd('login ops x'), ['530 login unsuccessful']);
  c2.end();
});

test('getpwnam login: a temporary system user (useradd + chpasswd) accepted with its password, refused otherwise', async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test creates a system user with useradd and reads /etc/shadow: run it as root');
  const user = `vglt${process.pid % 100000}`;
  const pw = 'Corr3ct horse';
  execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', user]);
  t.after(() => execFileSync('userdel', [user]));
  execFileSync('chpasswd', [], { input: `${user}:${pw}\n` });
  assert.equal(await verifySystemPassword(user, pw), 'ok');
  assert.equal(await verifySystemPassword(user, 'nope'), 'bad-password');
  assert.equal(await verifySystemPassword(`${user}x`, pw), 'unknown-user');

  const s = await server(['getpwnam']);
  t.after(s.close);
  const c = await rawClient(s.port);
  assert.deepEqual(await c.cmd(`login ${user} wrong`), ['530 login unsuccessful']);
  assert.deepEqual(await c.cmd(`login ${user}zz ${pw}`), ['530 login unsuccessful'], 'unknown user');
  assert.deepEqual(await c.cmd('disable service web http'), ['520 command could not be executed, unknown command']);
  assert.deepEqual(await c.cmd(`login ${user} ${pw}`), ['220 login accepted']);
  assert.deepEqual(await c.cmd('disable service web http'), ['220 disable service completed']);
  assert.equal(s.disabled(), true);
  c.end();
});
