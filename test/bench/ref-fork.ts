/**
 * @fileoverview mon's model, run as a child process: one fork+exec of a monitor
 * program per check (Debian's monitoring-plugins: check_tcp, check_http,
 * check_dig), a bounded number of checks a few at a time. Prints one JSON line:
 * checks, failures, and CPU ms of this process plus its reaped children
 * (/proc/self/stat utime+stime+cutime+cstime), measured around the loop only.
 * argv[2]: JSON { kind, n, groupSize, checks, concurrency, maxS }.
 */
import { spawn } from 'node:child_process';
import { DNS_NAME, endpointOf, type Endpoint, type Kind } from './plan.ts';
import { cpuMs } from './proc.ts';

export const PLUGIN_DIR = '/usr/lib/nagios/plugins';

interface Args {
  kind: Kind;
  n: number;
  groupSize: number;
  checks: number;
  concurrency: number;
  maxS: number;
}
const a = JSON.parse(process.argv[2] ?? '{}') as Args;

function argvFor(kind: Kind, e: Endpoint): string[] {
  if (kind === 'tcp') return [`${PLUGIN_DIR}/check_tcp`, '-H', e.addr, '-p', String(e.port), '-t', '5'];
  if (kind === 'http') return [`${PLUGIN_DIR}/check_http`, '-I', e.addr, '-p', String(e.port), '-u', '/health', '-t', '5'];
  return [`${PLUGIN_DIR}/check_dig`, '-H', e.addr, '-p', String(e.port), '-l', DNS_NAME, '-T', 'A', '-t', '5'];
}

/** The exit code, or why the program did not run. */
function runOnce(argv: string[]): Promise<number | string | null> {
  return new Promise((resolve) => {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'ignore'] });
    c.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'ENOENT' ? `not found: install Debian's monitoring-plugins-basic and monitoring-plugins-standard` : err.message),
    );
    c.once('exit', (code) => resolve(code));
  });
}

async function main(): Promise<void> {
  let next = 0;
  let done = 0;
  let failed = 0;
  let firstError: string | undefined;
  const cpu0 = cpuMs(process.pid) ?? 0;
  const t0 = performance.now();
  const deadline = t0 + a.maxS * 1000;
  const worker = async () => {
    while (next < a.checks && performance.now() < deadline) {
      const e = endpointOf(a.kind, next++ % a.n, a.groupSize);
      const argv = argvFor(a.kind, e);
      const code = await runOnce(argv);
      done++;
      if (code !== 0) {
        failed++;
        firstError ??= typeof code === 'string' ? `${argv[0]} ${code}` : `${argv.join(' ')} exited ${code}`;
      }
    }
  };
  await Promise.all(Array.from({ length: a.concurrency }, worker));
  const cpu = (cpuMs(process.pid) ?? 0) - cpu0;
  process.stdout.write(JSON.stringify({ checks: done, failed, firstError, cpuMs: cpu, wallMs: performance.now() - t0 }) + '\n');
  process.exit(0);
}

void main();
