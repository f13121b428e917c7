/**
 * @fileoverview Run an external program the way mon does, safely: an argv array
 * (never a shell), its own process group so a timeout or abort kills the program
 * and everything it forked, stdout and stderr merged on ONE descriptor (exact
 * `2>&1` order) unless asked to keep them apart, and output capped so a runaway
 * program cannot eat the daemon's memory. Part of the plugin API, like core/types.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface RunOptions {
  /** Extra environment; a value of `undefined` removes the variable. */
  env?: Record<string, string | undefined>;
  /** Start from process.env (true) or from nothing but `env` (false). @default true */
  extendEnv?: boolean;
  /** Text written to stdin, then EOF. Absent: stdin is /dev/null. */
  stdin?: string;
  cwd?: string;
  /** Kill the process group after this many ms (SIGTERM, then SIGKILL after `killGraceMs`). */
  timeoutMs?: number;
  /** Aborting kills the process group the same way. */
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL. @default 2000 */
  killGraceMs?: number;
  /** Bytes kept per output stream; the rest is read and dropped. @default 1048576 */
  maxOutputBytes?: number;
  /** Merge stderr into stdout on one descriptor, like mon's 2>&1. @default true */
  mergeOutput?: boolean;
  /** After the program exits, how long to wait for forked children to close the output. @default 500 */
  lingerMs?: number;
  /**
   * Once the program has exited, end whatever it left running in its process group
   * (SIGTERM, SIGKILL after `killGraceMs`). Monitors run every few seconds, so a
   * forked child per run would pile up without end. A helper that must outlive the
   * program leaves the group with setsid(1). @default false
   */
  killStragglers?: boolean;
}

export interface RunResult {
  /** Exit status, or null when the program was ended by a signal. */
  exitCode: number | null;
  /** Signal that ended the program (e.g. 'SIGKILL'), else null. */
  signal: NodeJS.Signals | null;
  /** Merged stdout+stderr (or stdout alone when `mergeOutput: false`), with a note when cut. */
  output: string;
  /** stderr, only when `mergeOutput: false`. */
  stderr?: string;
  /** True when output was cut at `maxOutputBytes`. */
  truncated: boolean;
  durationMs: number;
  /** We killed it because `timeoutMs` passed. */
  timedOut: boolean;
  /** We killed it because `signal` fired. */
  aborted: boolean;
  pid: number;
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024;

/** Collects at most `max` bytes of a stream; drains the rest so the writer never blocks. */
class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    const room = this.max - this.size;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    if (chunk.length > room) this.truncated = true;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${s}\n[vigil: output cut at ${this.max} bytes]\n` : s;
  }
}

/**
 * Run `file` with `args`. Resolves when the program has exited and its output is read,
 * whatever the exit status; rejects only when it cannot be started (missing, not executable).
 */
export async function runProcess(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const merge = opts.mergeOutput ?? true;
  const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const env = buildEnv(opts.env, opts.extendEnv ?? true);
  const out = new CappedBuffer(max);
  const err = new CappedBuffer(max);
  const shared = merge ? await socketPair() : undefined;
  const stdin = opts.stdin === undefined ? 'ignore' : 'pipe';
  const started = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(file, [...args], {
      cwd: opts.cwd,
      env,
      detached: true, // own process group: kill(-pid) reaches every descendant
      stdio: shared ? [stdin, shared.childEnd, shared.childEnd] : [stdin, 'pipe', 'pipe'],
    });
  } catch (e) {
    shared?.close();
    throw startError(file, e);
  }
  shared?.childEnd.destroy(); // the child has its own copy; EOF comes when every holder closes it
  return new Promise<RunResult>((resolve, reject) => {
    const streams = shared ? [{ s: shared.ourEnd, buf: out }] : [{ s: child.stdout!, buf: out }, { s: child.stderr!, buf: err }];
    let open = streams.length;
    let exited: { code: number | null; sig: NodeJS.Signals | null } | undefined;
    let timedOut = false;
    let aborted = false;
    let killing = false;
    let killTimer: NodeJS.Timeout | undefined;
    let lingerTimer: NodeJS.Timeout | undefined;
    let done = false;

    const finish = () => {
      if (done || !exited || (open > 0 && !lingerExpired)) return;
      if (killing && open > 0 && killTimer) return; // wait for SIGKILL of stragglers
      done = true;
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      clearTimeout(lingerTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      for (const { s } of streams) s.destroy();
      if (opts.killStragglers) endStragglers(child, opts.killGraceMs ?? 2000);
      resolve({
        exitCode: exited.code,
        signal: exited.sig,
        output: out.text(),
        stderr: merge ? undefined : err.text(),
        truncated: out.truncated || err.truncated,
        durationMs: Math.round(performance.now() - started),
        timedOut,
        aborted,
        pid: child.pid ?? -1,
      });
    };
    let lingerExpired = false;

    const killGroup = () => {
      if (killing) return;
      killing = true;
      signalGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => {
        signalGroup(child, 'SIGKILL');
        killTimer = undefined;
        lingerExpired = true;
        finish();
      }, opts.killGraceMs ?? 2000);
    };
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    const timeoutTimer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            killGroup();
          }, opts.timeoutMs)
        : undefined;
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });

    for (const { s, buf } of streams) {
      s.on('data', (c: Buffer) => buf.push(c));
      s.on('error', () => {}); // a reset socket is just EOF here
      s.on('close', () => {
        open--;
        finish();
      });
    }
    child.on('error', (e) => {
      if (exited) return;
      done = true;
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      for (const { s } of streams) s.destroy();
      reject(startError(file, e));
    });
    child.on('exit', (code, sig) => {
      exited = { code, sig };
      // Forked children may keep the output open (a daemonised helper); do not wait forever.
      lingerTimer = setTimeout(() => {
        lingerExpired = true;
        finish();
      }, opts.lingerMs ?? 500);
      finish();
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the program need not read its stdin (EPIPE)
      child.stdin.end(opts.stdin ?? '');
    }
  });
}

function buildEnv(extra: RunOptions['env'], extend: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  if (extend) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // ESRCH: the whole group is already gone
  }
}

/** SIGTERM to what is left of the group, SIGKILL later if anything still is (ESRCH: nothing was). */
function endStragglers(child: ChildProcess, graceMs: number): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs).unref();
}

function startError(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'no such file (or its interpreter is missing)'
    : code === 'EACCES' ? 'permission denied (is it executable?)'
    : (e as Error).message;
  return new Error(`cannot run ${file}: ${why}`, { cause: e });
}

/**
 * A connected pair of stream sockets: the child gets one end as both stdout and
 * stderr (one descriptor, so the order of writes is kept exactly), we read the other.
 * Node has no pipe(2)/socketpair(2), so a private Unix socket in a fresh 0700 dir does it.
 */
async function socketPair(): Promise<{ childEnd: net.Socket; ourEnd: net.Socket; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-run-'));
  const path = join(dir, 's');
  const server = net.createServer();
  try {
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(path, res);
    });
    const accepted = new Promise<net.Socket>((res) => server.once('connection', res));
    const childEnd = net.connect(path);
    await new Promise<void>((res, rej) => {
      childEnd.once('connect', res);
      childEnd.once('error', rej);
    });
    const ourEnd = await accepted;
    // Never end() either side: shutdown(2) would hit the child's copy of the socket too.
    return {
      childEnd,
      ourEnd,
      close() {
        childEnd.destroy();
        ourEnd.destroy();
      },
    };
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const TIMEOUT_TEXT = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/;

/** JSON Schema for a timeout option written like mon's time values: `30s`, `500ms`, `2m`. */
export const TIMEOUT_SCHEMA = { type: 'string', pattern: TIMEOUT_TEXT.source } as const;

/** Milliseconds of `30s` / `500ms` / `2m` / `1h`; throws a readable error otherwise. */
export function parseTimeout(text: string): number {
  const m = TIMEOUT_TEXT.exec(text);
  if (!m) throw new Error(`timeout "${text}" is not a time value; write it like 30s, 500ms or 2m`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(n * unit);
}
