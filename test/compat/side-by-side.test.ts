/**
 * Issue 4 item 8: the same scenario under the real mon daemon (Debian's
 * /usr/sbin/mon from .cache/mon-client, foreground, bound to loopback) and
 * under `vigil run`, with the SAME mon.cf file, the same monitor (Debian's
 * tcp.monitor) and an alert script that records its calls. Two loopback TCP
 * servers; kill one, then the other, restore both. The sequence of alert and
 * upalert calls (script, argv without the -t time, first stdin line) must match.
 * Run by hand: node --import tsx --test test/compat/side-by-side.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MON_ROOT, PERL5LIB, freePort, moncmd, requireMonClient, waitFor } from './mon-tools.ts';

const REPO = resolve(import.meta.dirname, '../..');

interface Daemon {
  stop(): Promise<void>;
  output(): string;
}

function daemon(cmd: string, args: string[], cwd: string): Daemon {
  let out = '';
  // Own process group, so the monitors it forks go with it.
  const child: ChildProcess = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PERL5LIB } });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((ok) => child.on('exit', () => ok()));
  return {
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

class Target {
  private server?: Server;
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}
  async up(): Promise<void> {
    this.server = createServer((s) => s.end());
    await new Promise<void>((ok, fail) => {
      this.server!.once('error', fail);
      this.server!.listen(this.port, this.host, ok);
    });
  }
  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((ok) => s.close(() => ok()));
  }
}

interface Call {
  script: string;
  argv: string[];
  summary: string;
}

function readCalls(file: string): Call[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [script = '', ...rest] = l.split('\t');
      const summary = rest.pop()!.replace(/^\|/, '');
      const argv: string[] = [];
      for (let i = 0; i < rest.length; i++) {
        if (rest[i] === '-t') i++; // the alert time differs by nature
        else argv.push(rest[i]!);
      }
      return { script, argv, summary };
    });
}

async function scenario(run: 'mon' | 'vigil', dir: string, cf: string, port: number, record: string, a: Target, b: Target): Promise<Call[]> {
  rmSync(record, { force: true });
  rmSync(join(dir, 'state'), { recursive: true, force: true });
  mkdirSync(join(dir, 'state'));
  await a.up();
  await b.up();
  const d =
    run === 'mon'
      ? daemon('perl', [join(MON_ROOT, 'usr/sbin/mon'), '-c', cf, '-P', '', '-L', join(dir, 'log'), '-D', join(dir, 'state')], dir)
      : daemon(process.execPath, ['--import', 'tsx', join(REPO, 'core/cli/main.ts'), 'run', '-c', cf], REPO);
  try {
    const healthy = async () => ((await moncmd(port, 'list', 'opstatus', 'web,tcp'))[0] ?? '').includes(' opstatus=1 ');
    await waitFor(`${run}: first successful check`, healthy, 15_000);
    await a.down();
    await waitFor(`${run}: first down alert`, () => readCalls(record).length >= 1, 15_000);
    await b.down();
    await waitFor(`${run}: second down alert`, () => readCalls(record).length >= 2, 15_000);
    await a.up();
    await b.up();
    await waitFor(`${run}: upalert`, () => readCalls(record).some((c) => c.argv.includes('-u')), 15_000);
    // A quiet stretch after recovery: no stray calls may follow.
    await new Promise((r) => setTimeout(r, 2500));
    return readCalls(record);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- ${run} output ---\n${d.output().slice(-3000)}\n--- calls ---\n${JSON.stringify(readCalls(record))}`);
  } finally {
    await d.stop();
    await a.down();
    await b.down();
  }
}

test('alert call sequence under the real mon daemon and under vigil match, same mon.cf', { timeout: 120_000 }, async () => {
  requireMonClient();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-side-by-side-'));
  for (const d of ['mon.d', 'alert.d', 'log', 'state']) mkdirSync(join(dir, d));
  copyFileSync(join(MON_ROOT, 'usr/lib/mon/mon.d/tcp.monitor'), join(dir, 'mon.d/tcp.monitor'));
  chmodSync(join(dir, 'mon.d/tcp.monitor'), 0o755);
  const record = join(dir, 'calls.log');
  writeFileSync(
    join(dir, 'alert.d/record.alert'),
    `#!/bin/sh\nIFS= read -r first\n{ printf '%s' "\${0##*/}"; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\t|%s\\n' "$first"; } >> "$RECORD_FILE"\ncat > /dev/null\n`,
  );
  chmodSync(join(dir, 'alert.d/record.alert'), 0o755);
  writeFileSync(join(dir, 'auth.cf'), 'command section\nlist: all\nversion: all\nquit: all\n');
  const port = await freePort();
  const targetPort = await freePort();
  const a = new Target('127.0.0.1', targetPort);
  const b = new Target('127.0.0.2', targetPort);
  const cf = join(dir, 'mon.cf');
  writeFileSync(
    cf,
    `basedir = ${dir}
cfbasedir = ${dir}
mondir = mon.d
alertdir = alert.d
statedir = ${dir}/state
logdir = ${dir}/log
authfile = ${dir}/auth.cf
serverbind = 127.0.0.1
serverport = ${port}
trapbind = 127.0.0.1
trapport = ${port}

hostgroup web 127.0.0.1 127.0.0.2

watch web
    service tcp
        interval 1s
        monitor tcp.monitor -p ${targetPort} -t 2
        RECORD_FILE=${record}
        period
            alert record.alert down "two words"
            alertevery 1h
            upalert record.alert up
`,
  );
  const mon = await scenario('mon', dir, cf, port, record, a, b);
  const vigil = await scenario('vigil', dir, cf, port, record, a, b);
  const expected: Call[] = [
    { script: 'record.alert', argv: ['-s', 'tcp', '-g', 'web', '-h', '127.0.0.1 127.0.0.2', 'down', 'two words'], summary: '127.0.0.1' },
    { script: 'record.alert', argv: ['-s', 'tcp', '-g', 'web', '-h', '127.0.0.1 127.0.0.2', 'down', 'two words'], summary: '127.0.0.1 127.0.0.2' },
    { script: 'record.alert', argv: ['-s', 'tcp', '-g', 'web', '-h', '127.0.0.1 127.0.0.2', '-u', 'up'], summary: '127.0.0.1 127.0.0.2' },
  ];
  assert.deepEqual(mon, expected, 'the real mon did not behave as this test expects (is it the mon of Debian 12?)');
  assert.deepEqual(vigil, mon, 'vigil differs from mon');
});
