/**
 * @fileoverview How the reliability suite records what it tried: one line per
 * test on stdout, `AREA: SUBJECT: TRIED; HELD`, which the node test runner
 * passes through as a `# ...` comment. test/reliability/table.ts collects these
 * lines into docs/reliability.md, so the table's figures come from the suite.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type Area = 'fuzz' | 'plugin' | 'process' | 'peer' | 'security';

/** Prints one record line; `tried` and `held` must not contain ";". */
export function report(area: Area, subject: string, tried: string, held: string): void {
  const clean = (s: string) => s.replace(/[;\n]/g, ',');
  console.log(`${area}: ${clean(subject)}: ${clean(tried)}; ${clean(held)}`);
}

/** Open file descriptors of this process (Linux). */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Resident set size in bytes, from /proc (cheaper than process.memoryUsage()). */
export function rssBytes(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

/** Scale for the long variants: `npm run soak` sets VIGIL_SOAK=N (default 1 in CI). */
export const SOAK = Math.max(1, Number(process.env.VIGIL_SOAK) || 1);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` every 25 ms until it returns something truthy, or fails naming `what`. */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** fc.assert, with the property's own error in the message (the test reporter does not print `cause`). */
export async function holds(run: () => void | Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    const why = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
    throw new Error(`${(err as Error).message}\nWhy: ${why}`.slice(0, 8000));
  }
}
