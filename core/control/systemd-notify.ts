/**
 * @fileoverview systemd readiness and watchdog (Type=notify, WatchdogSec=).
 * Node has no unix datagram sockets, so the messages go through the
 * `systemd-notify` program (argument array, no shell) with --pid=our pid; the
 * unit needs NotifyAccess=all for systemd to accept them from that child.
 * --no-block: do not wait for systemd's barrier reply (it never comes outside systemd).
 * Without NOTIFY_SOCKET or without the program this does nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from '../types.ts';

export interface SystemdNotifier {
  /** Sends READY=1 once. */
  ready(): void;
  close(): void;
}

const CANDIDATES = ['/usr/bin/systemd-notify', '/bin/systemd-notify'];

/** Watchdog ping period: half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; undefined when off. */
export function watchdogPeriodMs(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(500, Math.floor(usec / 2000));
}

export function startSystemdNotify(opts: { log: Logger; alive: () => boolean; env?: NodeJS.ProcessEnv; program?: string }): SystemdNotifier {
  const env = opts.env ?? process.env;
  const program = opts.program ?? CANDIDATES.find((p) => existsSync(p));
  if (!env.NOTIFY_SOCKET) return { ready() {}, close() {} };
  if (!program) {
    opts.log.warn({}, 'NOTIFY_SOCKET is set but systemd-notify is not installed; readiness and watchdog pings are skipped (install systemd, or use Type=simple)');
    return { ready() {}, close() {} };
  }
  const send = (msg: string) =>
    execFile(program, ['--no-block', `--pid=${process.pid}`, msg], { env, timeout: 5000 }, (err) => {
      if (err) opts.log.warn({ msg, err: err.message }, 'systemd-notify failed; does the unit set NotifyAccess=all?');
    });
  const period = watchdogPeriodMs(env, process.pid);
  // Ping only while the loop and scheduler look alive, so systemd restarts a stuck vigil.
  const timer = period ? setInterval(() => opts.alive() && send('WATCHDOG=1'), period) : undefined;
  timer?.unref();
  let sent = false;
  return {
    ready() {
      if (sent) return;
      sent = true;
      send('READY=1');
    },
    close() {
      clearInterval(timer);
    },
  };
}
