/**
 * @fileoverview What the OS says about a process (Linux /proc): CPU time of a
 * process and its children, peak and current RSS, TIME_WAIT sockets, and the
 * open-files limit. CPU comes in clock ticks (usually 10 ms).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let tickMs: number | undefined;
/** Length of one clock tick in ms (getconf CLK_TCK; 100 Hz on Linux). */
export function clockTickMs(): number {
  if (tickMs === undefined) {
    try {
      tickMs = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      tickMs = 10;
    }
    if (!Number.isFinite(tickMs) || tickMs <= 0) tickMs = 10;
  }
  return tickMs;
}

/** Fields 14..17 of /proc/PID/stat (utime stime cutime cstime), in ticks. */
function statTicks(pid: number): { self: number; reaped: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): field k is f[k - 3].
  return { self: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU ms (user+sys) of `pid`, its reaped children and its live descendants. */
export function cpuMs(pid: number): number | undefined {
  const t = statTicks(pid);
  if (!t) return undefined;
  let ticks = t.self + t.reaped;
  for (const c of childrenOf(pid)) ticks += (cpuMs(c) ?? 0) / clockTickMs();
  return ticks * clockTickMs();
}

/** VmHWM and VmRSS of `pid`, in KiB. */
export function memKiB(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { hwm: get('VmHWM'), rss: get('VmRSS') };
  } catch {
    return undefined;
  }
}

/** TCP sockets in TIME_WAIT on the whole machine (/proc/net/sockstat). */
export function timeWaitCount(): number | undefined {
  try {
    const m = /TCP: .*\btw (\d+)/.exec(readFileSync('/proc/net/sockstat', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** This process's soft and hard open-files limits (/proc/self/limits). */
export function nofileLimits(): { soft: number; hard: number } | undefined {
  try {
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return undefined;
    const n = (x: string) => (x === 'unlimited' ? Infinity : Number(x));
    return { soft: n(m[1]!), hard: n(m[2]!) };
  } catch {
    return undefined;
  }
}

/**
 * Raises this process's soft open-files limit to its hard limit (children inherit
 * it) with util-linux prlimit, argument array only. Returns the soft limit now.
 */
export function raiseNofile(): number | undefined {
  const l = nofileLimits();
  if (!l) return undefined;
  if (l.soft >= l.hard) return l.soft;
  const hard = Number.isFinite(l.hard) ? String(l.hard) : 'unlimited';
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${hard}:${hard}`], { stdio: 'ignore' });
  } catch {
    // Reported by the caller from the limit it reads back.
  }
  return nofileLimits()?.soft;
}
