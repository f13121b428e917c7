/**
 * The state directory fails under `vigil run`: read-only from the start, and
 * full (a tiny tmpfs) while running. Each gives a clear error naming the cause,
 * and monitoring and alerting go on; once space is back the store writes again.
 * We run as root, and root ignores permission bits (chmod 0500 proves nothing),
 * so the faults are real mounts: a read-only bind mount (EROFS) and a 512 KiB
 * tmpfs (ENOSPC). Needs CAP_SYS_ADMIN (CI runs .ci/run as root). A read-only
 * remount under the running daemon is refused by the kernel (EBUSY) while
 * SQLite holds files open for writing, so the full disk covers write failures
 * at run time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVigil, type VigilProcess } from '../helpers/vigil-process.ts';
import { CRASH_PLUGINS } from './crash-fixtures.ts';
import { report, sleep, until } from './report.ts';

function mount(args: string[]): void {
  try {
    execFileSync('mount', args, { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`mount ${args.join(' ')} failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}. These tests need root with CAP_SYS_ADMIN (CI runs .ci/run as root).`);
  }
}
const umount = (dir: string) => {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  } catch {}
};

function setup(stateDir: string): { dir: string; file: string; events: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-statefault-'));
  writeFileSync(join(dir, 'crash.mjs'), CRASH_PLUGINS);
  const file = join(dir, 'vigil.yaml');
  writeFileSync(
    file,
    `state_dir: ${stateDir}
control: { listen: "127.0.0.1:0", token: "t" }
plugins: [./crash.mjs]
hostgroups:
  g: [127.0.0.11, 127.0.0.12]
watches:
  g:
    services:
      flap:
        interval: 150ms
        monitor: { plugin: crash/flap }
        periods: [ { when: always, alertafter: 1, alerts: [ { plugin: log, file: events.log } ], upalerts: [ { plugin: log, file: events.log } ] } ]
`,
  );
  const events = () => (existsSync(join(dir, 'events.log')) ? readFileSync(join(dir, 'events.log'), 'utf8').split('\n').filter(Boolean) : []);
  return { dir, file, events };
}

async function checksGoOn(vigil: VigilProcess, events: () => string[], what: string): Promise<void> {
  const n = events().length;
  await until(`${what}: new events reach the log alert`, () => events().length >= n + 4, 10_000);
  assert.equal(vigil.child.exitCode, null, `vigil died (${what}):\n${vigil.output().slice(-2000)}`);
}

test('read-only state directory from the start: a clear error, monitoring and alerts go on', { timeout: 60_000 }, async () => {
  const ro = mkdtempSync(join(tmpdir(), 'vigil-ro-'));
  mount(['--bind', ro, ro]);
  mount(['-o', 'remount,bind,ro', ro]);
  const { dir, file, events } = setup(ro);
  const vigil = startVigil(['run', '-c', file, '--json-log']);
  try {
    const err = await vigil.waitFor(/cannot open the state store/, 20_000);
    assert.ok(err.includes(ro), `the error names the directory: ${err}`);
    assert.match(err, /read-only|EROFS/i, `the error says why: ${err}`);
    await vigil.waitFor(/vigil started/);
    await checksGoOn(vigil, events, 'read-only state dir');
    report('process', 'state directory read-only at start (ro bind mount)', '1 start', 'clear error naming the dir and EROFS, checks and alerts went on');
  } finally {
    await vigil.stop();
    umount(ro);
    rmSync(dir, { recursive: true, force: true });
    rmSync(ro, { recursive: true, force: true });
  }
});

test('state directory fills up while running: a clear error, monitoring goes on, writes resume when space is back', { timeout: 90_000 }, async () => {
  const small = mkdtempSync(join(tmpdir(), 'vigil-full-'));
  mount(['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', small]);
  const state = join(small, 'state');
  mkdirSync(state);
  const { dir, file, events } = setup(state);
  const vigil = startVigil(['run', '-c', file, '--json-log']);
  try {
    await vigil.waitFor(/vigil started/, 20_000);
    await checksGoOn(vigil, events, 'healthy store');
    assert.doesNotMatch(vigil.output(), /state store: cannot|outbox write failed/);

    // Disk full: fill every byte left.
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(small, 'filler')}`, 'bs=4k'], { stdio: 'pipe' });
    } catch {} // dd ends with ENOSPC, as intended
    const full = await vigil.waitFor(/outbox write failed|state store: cannot|cannot record/, 15_000);
    assert.match(full, /full|ENOSPC|SQLITE_FULL/i, `the error says the disk is full: ${full}`);
    await checksGoOn(vigil, events, 'disk full');

    // Space back: the store works again (new outbox rows appear).
    rmSync(join(small, 'filler'));
    const rowsNow = async (api: string) => ((await (await fetch(`${api}/api/outbox?limit=10000`)).json()) as unknown[]).length;
    const api = /"url":"(http:\/\/[^"]+?)\/?"/.exec(await vigil.waitFor(/status page listening/))![1]!;
    const n0 = await rowsNow(api);
    await until('outbox rows to be written again after space came back', async () => (await rowsNow(api)) > n0 + 2, 15_000);

    report('process', 'state directory full under a running vigil (512 KiB tmpfs)', 'ENOSPC, then space freed',
      'clear error, checks and alerts went on, the store wrote again once space was back');
  } finally {
    await vigil.stop();
    umount(small);
    rmSync(dir, { recursive: true, force: true });
    rmSync(small, { recursive: true, force: true });
  }
});
