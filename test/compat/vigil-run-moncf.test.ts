/**
 * Acceptance as a new user would try it: Debian's own /etc/mon/mon.cf (with
 * statedir/logdir moved to a temp dir and a free port) through `vigil check -c`
 * and `vigil run -c`, then Debian's moncmd against it. Also: a service disabled
 * over the mon protocol (after a trustlocal login) stays disabled across a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MON_ROOT, freePort, moncmd, perl, requireMonClient, waitFor } from './mon-tools.ts';

const REPO = resolve(import.meta.dirname, '../..');
const MAIN = join(REPO, 'core/cli/main.ts');

function vigil(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((ok) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, timeout: 30_000 }, (err, stdout, stderr) => {
      ok({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: String(stdout) + String(stderr) });
    });
  });
}

function startVigil(cf: string): { child: ChildProcess; log: () => string; stop: () => Promise<number | null> } {
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', '-c', cf], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  return {
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

async function debianMonCf(extraGlobals: string): Promise<{ cf: string; port: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-debian-moncf-'));
  const port = await freePort();
  const original = readFileSync(join(MON_ROOT, 'etc/mon/mon.cf'), 'utf8');
  const text = `serverport = ${port}\ntrapport = ${port}\n${extraGlobals}${original
    .replace(/^statedir\s*=.*$/m, `statedir = ${dir}/state`)
    .replace(/^logdir\s*=.*$/m, `logdir = ${dir}`)
    .replace(/^historicfile\s*=.*$/m, `historicfile = ${dir}/history.log`)}`;
  const cf = join(dir, 'mon.cf');
  writeFileSync(cf, text);
  return { cf, port, dir };
}

test('Debian\'s mon.cf: vigil check passes with notes, vigil run answers moncmd like mon', { timeout: 60_000 }, async (t) => {
  requireMonClient();
  const { cf, port } = await debianMonCf('');
  const check = await vigil(['check', '-c', cf]);
  assert.equal(check.code, 0, check.out);
  assert.match(check.out, /note: .*mon\.cf:\d+: dtlogging is kept but not used/);
  assert.match(check.out, /OK/);

  const v = startVigil(cf);
  t.after(() => v.stop());
  const ops = await waitFor('moncmd list opstatus', async () => {
    const out = await moncmd(port, 'list', 'opstatus');
    return out.at(-1) === '220 list opstatus completed' ? out : undefined;
  }, 20_000);
  assert.equal(ops.length, 5, ops.join('\n'));
  for (const svc of ['trap', 'ping', 'http', 'smtp']) {
    assert.ok(ops.some((l) => l.startsWith(`group=localhost service=${svc} opstatus=7 last_opstatus=7 exitval=undef `)), `${svc}: ${ops.join('\n')}`);
  }
  assert.ok(ops.some((l) => / monitor=smtp\.monitor\\20-t\\2060 .* interval=600 monitor_duration=-1 monitor_running=0$/.test(l)));
  assert.deepEqual(await moncmd(port, 'list', 'descriptions'), [
    'localhost trap trap', 'localhost ping Responses\\20to\\20ping', 'localhost http HTTP\\20service', 'localhost smtp SMTP\\20service', '220 list descriptions completed',
  ]);
  // Debian's default auth: changes need a login.
  assert.deepEqual(await moncmd(port, 'disable', 'service', 'localhost', 'http'), ['520 command could not be executed, unknown command']);
  assert.equal(await v.stop(), 0, v.log());
});

test('disabled over the mon protocol survives a restart (trustlocal login via moncmd -a)', { timeout: 60_000 }, async (t) => {
  requireMonClient();
  const { cf, port, dir } = await debianMonCf('authtype = trustlocal\n');
  let v = startVigil(cf);
  t.after(() => v.stop());
  await waitFor('vigil listening', async () => (await moncmd(port, 'version'))[0] === 'version 9745', 20_000);
  const cmds = join(dir, 'cmds');
  // moncmd reads the credentials, then loses the first command line it read: hence the leading "version".
  writeFileSync(cmds, 'user=ops\npass=anything\nversion\ndisable service localhost http\ndisable host localhost\nlist disabled\n');
  const r = await perl([join(MON_ROOT, 'usr/bin/moncmd'), '-a', '-l', 'ops', '-s', '127.0.0.1', '-p', String(port), '-f', cmds]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /220 disable service completed\n/);
  assert.match(r.stdout, /220 disable host completed\n/);
  assert.match(r.stdout, /group localhost: localhost\nwatch localhost\nwatch localhost service http\n220 list disabled completed/);
  assert.equal(await v.stop(), 0, v.log());

  v = startVigil(cf);
  const after = await waitFor('list disabled after restart', async () => {
    const out = await moncmd(port, 'list', 'disabled');
    return out.at(-1) === '220 list disabled completed' ? out : undefined;
  }, 20_000);
  assert.deepEqual(after, ['group localhost: localhost', 'watch localhost', 'watch localhost service http', '220 list disabled completed']);
  assert.deepEqual(await moncmd(port, 'list', 'group', 'localhost'), ['hostgroup localhost *localhost', '220 list group completed']);
});
