/**
 * @fileoverview Runs `vigil` as a child process for end-to-end tests, collecting
 * its output and stopping it cleanly (SIGTERM, then SIGKILL) when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI = resolve('core/cli/main.ts');

export interface VigilProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when a line matching `re` has been printed (stdout or stderr). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startVigil(args: string[], env: NodeJS.ProcessEnv = {}): VigilProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, VIGIL_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: Array<{ re: RegExp; resolve: (line: string) => void }> = [];
  const onData = (buf: Buffer) => {
    out += buf.toString();
    for (const w of [...waiters]) {
      const line = out.split('\n').find((l) => w.re.test(l));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    waitFor(re, timeoutMs = 15_000) {
      const line = out.split('\n').find((l) => re.test(l));
      if (line) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${re} in vigil output:\n${out.slice(-3000)}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** Runs a vigil subcommand to completion. */
export function runVigil(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/**
 * The control API's URL as vigil logged it ("control API and status page listening"),
 * e.g. with `control: { listen: "127.0.0.1:0" }` to let the kernel pick the port.
 */
export async function controlUrl(vigil: VigilProcess, timeoutMs = 15_000): Promise<string> {
  const line = await vigil.waitFor(/control API and status page listening/, timeoutMs);
  const url = /"url":"([^"]+)"|url=(\S+)/.exec(line);
  if (!url) throw new Error(`no url in vigil's line: ${line}`);
  return url[1] ?? url[2]!;
}
