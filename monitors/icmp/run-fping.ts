/**
 * @fileoverview Runs fping once with an argument vector (never a shell), collects its
 * output and exit code, and kills it when the check's signal aborts.
 */
import { spawn } from 'node:child_process';

export interface FpingRun {
  code: number | null;
  /** fping -q -C writes its results to stderr; both streams are kept. */
  stdout: string;
  stderr: string;
}

const MAX_OUTPUT = 16 << 20;

export function runFping(path: string, argv: string[], signal: AbortSignal): Promise<FpingRun> {
  signal.throwIfAborted();
  return new Promise<FpingRun>((resolve, reject) => {
    const child = spawn(path, argv, { stdio: ['ignore', 'pipe', 'pipe'], signal, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    let size = 0;
    const take = (add: (s: string) => void) => (d: Buffer) => {
      size += d.length;
      if (size > MAX_OUTPUT) child.kill('SIGKILL');
      else add(d.toString());
    };
    child.stdout!.on('data', take((s) => (stdout += s)));
    child.stderr!.on('data', take((s) => (stderr += s)));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(new Error(`fping was killed: the check timed out before it finished (${argv.length} arguments)`, { cause: err }));
      else if (err.code === 'ENOENT') reject(new Error(`${path} not found: install Debian's fping or set the fping option`, { cause: err }));
      else reject(new Error(`cannot run ${path}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      if (signal.aborted) return; // 'error' has rejected already
      if (size > MAX_OUTPUT) reject(new Error(`fping wrote more than ${MAX_OUTPUT} bytes; killed`));
      else resolve({ code, stdout, stderr });
    });
  });
}
