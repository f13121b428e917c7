/**
 * @fileoverview Who may do what on the control API. Mutating requests need the
 * bearer token; reads are open to loopback peers and need the token otherwise.
 * The token is compared in constant time and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { ControlConfig } from '../model.ts';

/** The token from `control.token`, else from the variable `control.token_env` names (default VIGIL_TOKEN). */
export function resolveToken(control: ControlConfig | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (control?.token) return control.token;
  const name = control?.tokenEnv ?? 'VIGIL_TOKEN';
  const value = env[name];
  return value ? value : undefined;
}

/** Where the token comes from, for messages (never the token itself). */
export function tokenSource(control: ControlConfig | undefined): string {
  if (control?.token) return 'control.token in the config';
  return `the environment variable ${control?.tokenEnv ?? 'VIGIL_TOKEN'}`;
}

/** The token in an `Authorization: Bearer ...` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

/** Constant-time equality: both sides are hashed first so lengths leak nothing either. */
export function tokenMatches(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  if (isIP(a) === 4) return a.startsWith('127.');
  return a === '::1';
}

/**
 * True when a Host header names this machine by address or as localhost. Open
 * loopback reads require it, so a web page that DNS-rebinds its own name to
 * 127.0.0.1 cannot read the status through a browser.
 */
export function isLocalHostHeader(host: string | undefined): boolean {
  if (!host) return true; // HTTP/1.0 clients; browsers always send Host
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost');
}

export type AuthDecision = { ok: true } | { ok: false; status: 401 | 403; error: string };

/**
 * Decides one request. `mutating` requests always need the token; reads need it
 * only from a peer that is not on loopback. With no token configured at all,
 * mutations are refused (403) rather than left open.
 */
export function authorize(opts: { mutating: boolean; peer: string | undefined; header: string | undefined; token: string | undefined; source: string; host?: string }): AuthDecision {
  const given = bearerToken(opts.header);
  if (tokenMatches(given, opts.token)) return { ok: true };
  if (!opts.mutating && isLoopback(opts.peer)) {
    if (isLocalHostHeader(opts.host)) return { ok: true };
    return { ok: false, status: 403, error: `reads without the token must name this machine by address or as localhost in the Host header (got "${opts.host}"); behind a proxy, send the token or set Host to 127.0.0.1` };
  }
  if (!opts.token) {
    return {
      ok: false,
      status: 403,
      error: opts.mutating
        ? `this vigil has no control token, so the API refuses every change; set ${opts.source} and restart vigil`
        : `reads from ${opts.peer ?? 'a remote address'} need the control token, and this vigil has none; set ${opts.source} and restart vigil`,
    };
  }
  return {
    ok: false,
    status: 401,
    error: given
      ? 'the bearer token is wrong; use the token from ' + opts.source
      : `this request needs the control token: send "Authorization: Bearer <token>" (the token is in ${opts.source})`,
  };
}
