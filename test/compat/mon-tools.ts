/**
 * Helpers for the compat tests: Debian's real mon client tools (from
 * .cache/mon-client, prepared by test/setup/mon-client.sh) run as child
 * processes, free loopback ports, and bounded waiting.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';

export const MON_ROOT = resolve(import.meta.dirname, '../../.cache/mon-client/root');
export const PERL5LIB = join(MON_ROOT, 'usr/share/perl5');

export function requireMonClient(): void {
  for (const f of ['usr/bin/moncmd', 'usr/bin/monshow', 'usr/share/perl5/Mon/Client.pm', 'usr/share/perl5/Time/Period.pm']) {
    assert.ok(existsSync(join(MON_ROOT, f)), `${join(MON_ROOT, f)} is missing: run "bash test/setup/mon-client.sh" first (apt-get download mon mon-client libtime-period-perl + dpkg -x)`);
  }
}

export function perl(args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const child = execFile('perl', args, { env: { ...process.env, PERL5LIB, ...opts.env }, timeout: opts.timeoutMs ?? 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      ok({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** `moncmd -s 127.0.0.1 -p PORT words...`: moncmd joins the words, sends quit, prints every reply line. */
export async function moncmd(port: number, ...words: string[]): Promise<string[]> {
  const r = await perl([join(MON_ROOT, 'usr/bin/moncmd'), '-s', '127.0.0.1', '-p', String(port), ...words]);
  return r.stdout.split('\n').filter((l) => l !== '');
}

export async function monshow(port: number, ...args: string[]): Promise<string> {
  const r = await perl(['-T', `-I${PERL5LIB}`, join(MON_ROOT, 'usr/bin/monshow'), '--server', '127.0.0.1', '--port', String(port), ...args]);
  assert.equal(r.code, 0, `monshow failed: ${r.stderr}`);
  return r.stdout;
}

/** A trap sent by Debian's own Mon::Client::send_trap. */
export async function sendTrap(port: number, t: { group: string; service: string; retval: number; summary: string; detail: string; opstatus?: string }): Promise<void> {
  const script = `use Mon::Client; my $c = Mon::Client->new; $c->host("127.0.0.1"); $c->port($ARGV[0]);
    $c->send_trap(group => $ARGV[1], service => $ARGV[2], retval => $ARGV[3], opstatus => $ARGV[6], summary => $ARGV[4], detail => $ARGV[5]) or die $c->error;`;
  const r = await perl(['-e', script, String(port), t.group, t.service, String(t.retval), t.summary, t.detail, t.opstatus ?? (t.retval ? 'fail' : 'ok')]);
  assert.equal(r.code, 0, `send_trap failed: ${r.stderr}`);
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, Math.min(50 * (i + 1), 250)));
  }
}
