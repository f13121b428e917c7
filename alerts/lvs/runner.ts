/**
 * @fileoverview Runs ipvsadm with an argument array (execFile, never a shell),
 * turns its failures into errors an operator can act on, and treats "already
 * there" / "already gone" as success so every command is idempotent.
 */
import { execFile } from 'node:child_process';
import type { IpvsCommand } from './model.ts';

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs `command[0] ...command[1..] ...args`; rejects with a RunError. Injected in unit tests. */
export type Exec = (argv: readonly string[], signal?: AbortSignal) => Promise<RunResult>;

export class IpvsadmError extends Error {
  constructor(
    message: string,
    readonly argv: readonly string[],
    readonly stderr: string,
    readonly exitCode?: number | string,
  ) {
    super(message);
    this.name = 'IpvsadmError';
  }
}

const TIMEOUT_MS = 10_000;

export const execIpvsadm: Exec = (argv, signal) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    execFile(file!, args, { timeout: TIMEOUT_MS, signal, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      reject(new IpvsadmError(describeFailure(argv, String(stderr ?? ''), e.code, e.killed), argv, String(stderr ?? ''), e.code));
    });
  });

/** One line for the log and for the dispatcher's retry record: what failed and what to do. */
export function describeFailure(argv: readonly string[], stderr: string, code?: number | string, killed?: boolean): string {
  const cmd = argv.join(' ');
  const text = stderr.trim().split('\n').filter(Boolean).join(' / ');
  if (code === 'ENOENT') return `"${argv[0]}" was not found (running: ${cmd}); install ipvsadm or set the lvs alert's "command" option`;
  if (code === 'EACCES') return `"${argv[0]}" is not executable (running: ${cmd}); check its permissions or the "command" option`;
  if (killed) return `${cmd} did not finish within ${TIMEOUT_MS / 1000}s and was stopped`;
  if (/protocol not available|built in the kernel|can't initialize ipvs/i.test(text))
    return `the kernel has no IPVS (running: ${cmd}): ${text}; load it with "modprobe ip_vs" or use a kernel with CONFIG_IP_VS`;
  if (/permission denied|operation not permitted|need to be root/i.test(text))
    return `not allowed to change IPVS (running: ${cmd}): ${text}; run vigil as root, give it CAP_NET_ADMIN, or set command: ["sudo", "ipvsadm"]`;
  return `${cmd} failed${code !== undefined ? ` (exit ${code})` : ''}: ${text || 'no error text'}`;
}

/** True when ipvsadm refused because the table already is as the command wants. */
export function isAlreadyDone(op: IpvsCommand['op'], stderr: string): boolean {
  if (op === 'add-server') return /destination already exists/i.test(stderr);
  if (op === 'delete-server') return /no such destination/i.test(stderr);
  if (op === 'add-service') return /service already exists/i.test(stderr);
  return false;
}

/** Runs one planned command; "already there/gone" counts as done. */
export async function runCommand(exec: Exec, prefix: readonly string[], cmd: IpvsCommand, signal?: AbortSignal): Promise<'done' | 'already'> {
  try {
    await exec([...prefix, ...cmd.args], signal);
    return 'done';
  } catch (err) {
    if (err instanceof IpvsadmError && isAlreadyDone(cmd.op, err.stderr)) return 'already';
    throw err;
  }
}

/** One promise chain: calls run one after another, in order, whatever each outcome. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
