/**
 * @fileoverview Child processes of the benchmark: node + tsx entries that speak
 * JSON lines on stdout, with a bounded wait for the line we need and a bounded stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import readline from 'node:readline';

export const BENCH_DIR = resolve(import.meta.dirname);
export const REPO = resolve(BENCH_DIR, '../..');

export interface JsonChild {
  child: ChildProcess;
  /** Resolves with the first JSON line (on or after the call) for which `pick` is true. */
  next<T = Record<string, unknown>>(pick: (o: T) => boolean, timeoutMs: number, what: string): Promise<T>;
  send(o: unknown): void;
  stop(): Promise<void>;
  stderr(): string;
}

/** Runs `node --import tsx FILE ARG` in the repo, `arg` passed as one JSON argv word. */
export function startJsonChild(file: string, arg: unknown, env: NodeJS.ProcessEnv = {}): JsonChild {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(BENCH_DIR, file), JSON.stringify(arg)], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b) => (err = (err + b).slice(-4000)));
  const waiters: Array<{ pick: (o: any) => boolean; resolve: (o: any) => void }> = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      return;
    }
    for (const w of [...waiters]) {
      if (w.pick(o)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(o);
      }
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    next(pick, timeoutMs, what) {
      return new Promise((resolveP, reject) => {
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`bench: ${file} gave no ${what} within ${timeoutMs} ms; its stderr:\n${err}`));
        }, timeoutMs);
        const w = { pick, resolve: (o: any) => (clearTimeout(t), resolveP(o)) };
        waiters.push(w);
        exited.then(() => {
          if (!waiters.includes(w)) return;
          waiters.splice(waiters.indexOf(w), 1);
          clearTimeout(t);
          reject(new Error(`bench: ${file} exited (code ${child.exitCode}) before ${what}; its stderr:\n${err}`));
        });
      });
    },
    send(o) {
      if (child.stdin!.writable) child.stdin!.write(JSON.stringify(o) + '\n');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const t1 = setTimeout(() => child.kill('SIGTERM'), 3000);
      const t2 = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(t1);
      clearTimeout(t2);
    },
    stderr: () => err,
  };
}
