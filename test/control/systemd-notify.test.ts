/**
 * systemd notify through the real systemd-notify program, received on a real
 * unix datagram socket (held by python3: node has no datagram unix sockets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSystemdNotify, watchdogPeriodMs } from '../../core/control/systemd-notify.ts';
import { silentLogger } from '../../core/log.ts';
import { until } from './fixture.ts';

const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
s.settimeout(10)
while True:
    try:
        print(s.recv(4096).decode().replace("\\n", " "), flush=True)
    except socket.timeout:
        break
`;

test('watchdog period: half of WATCHDOG_USEC, only for our pid', () => {
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: '10000000' }, 42), 5000);
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '42' }, 42), 5000);
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '41' }, 42), undefined);
  assert.equal(watchdogPeriodMs({}, 42), undefined);
  assert.equal(watchdogPeriodMs({ WATCHDOG_USEC: 'x' }, 42), undefined);
});

test('READY=1 once, WATCHDOG=1 while alive, nothing while stuck', { timeout: 20_000 }, async () => {
  for (const p of ['/usr/bin/python3', '/bin/systemd-notify']) assert.ok(existsSync(p), `${p} is missing (packages python3 and systemd, .ci/apt.d/control.txt)`);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-notify-'));
  const sock = join(dir, 'notify.sock');
  const rx = spawn('/usr/bin/python3', ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lines: string[] = [];
  rx.stdout.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  let alive = true;
  const n = startSystemdNotify({ log: silentLogger, alive: () => alive, env: { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '1000000' } });
  try {
    await until('receiver listening', () => lines.includes('listening'), 5000);
    n.ready();
    n.ready();
    await until('READY=1 and two watchdog pings', () => lines.filter((l) => l.includes('WATCHDOG=1')).length >= 2 && lines.some((l) => l.includes('READY=1')), 8000);
    assert.equal(lines.filter((l) => l.includes('READY=1')).length, 1);
    assert.ok(lines.some((l) => l.includes(`MAINPID=${process.pid}`)));
    alive = false;
    await new Promise((r) => setTimeout(r, 700));
    lines = [];
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(lines.filter((l) => l.includes('WATCHDOG')), [], 'no pings while the loop is stuck');
  } finally {
    n.close();
    rx.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without NOTIFY_SOCKET nothing happens; without the program a warning says so', async () => {
  const warnings: string[] = [] as string[];
  const log = { ...silentLogger, warn: (_f: Record<string, unknown>, m: string) => void warnings.push(m) };
  const off = startSystemdNotify({ log, alive: () => true, env: {}, program: '/nonexistent/systemd-notify' });
  off.ready();
  off.close();
  assert.deepEqual(warnings, []);
  // With the program named but absent, the failed run is reported.
  const broken = startSystemdNotify({ log, alive: () => true, env: { NOTIFY_SOCKET: '/nonexistent/sock' }, program: '/nonexistent/systemd-notify' });
  broken.ready();
  await until('a warning', () => warnings.some((w: string) => w.includes('systemd-notify failed')), 5000);
  broken.close();
});
