/**
 * @fileoverview mon's `login USER PASS`: each configured authtype tried in
 * order until one accepts (mon-reference.md a.4, d.2). trustlocal, userfile
 * (monusers.cf) and getpwnam are implemented; pam and shadow never accept.
 * The password checks are injected so the order logic is testable alone.
 */
import { readFile } from 'node:fs/promises';
import type { SystemPasswordResult } from './auth-crypt.ts';

export interface LoginDeps {
  /** Absolute path of mon's userfile (monusers.cf). */
  userFile?: string;
  verifyCrypt: (password: string, hash: string) => Promise<boolean>;
  verifySystemPassword: (user: string, password: string) => Promise<SystemPasswordResult>;
  readUserFile?: (path: string) => Promise<string>;
}

export interface LoginResult {
  ok: boolean;
  /** The authtype that accepted, or why each one refused (for the log; never the password). */
  why: string;
}

/** mon's userfile: `user : hash` lines; comments and blank lines skipped; a later line for the same user wins. */
export function parseUserFile(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw) || /^\s*$/.test(raw)) continue;
    const line = raw.replace(/\r$/, '');
    const m = /^(.*?)\s*:\s*(.*)$/.exec(line);
    if (m) users.set(m[1]!, m[2]!);
  }
  return users;
}

export function isLocalClient(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

async function tryOne(type: string, user: string, pass: string, clientIp: string, deps: LoginDeps): Promise<string | true> {
  if (user === '' || (type !== 'trustlocal' && pass === '')) return 'empty user name or password';
  switch (type) {
    case 'trustlocal':
      // A client on this machine is who it says it is; mon ignores the password then.
      return isLocalClient(clientIp) ? true : `client ${clientIp} is not local`;
    case 'userfile': {
      if (!deps.userFile) return 'no userfile configured';
      let text: string;
      try {
        text = await (deps.readUserFile ?? ((p) => readFile(p, 'utf8')))(deps.userFile);
      } catch (err) {
        return `cannot read userfile ${deps.userFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
      }
      const hash = parseUserFile(text).get(user);
      if (hash === undefined) return `user not in ${deps.userFile}`;
      return (await deps.verifyCrypt(pass, hash)) ? true : 'wrong password';
    }
    case 'getpwnam': {
      const r = await deps.verifySystemPassword(user, pass);
      if (r === 'ok') return true;
      return r === 'bad-password' ? 'wrong password' : r === 'unknown-user' ? 'no such system user (or no password set)' : 'password check failed to run (is perl installed?)';
    }
    case 'pam':
      return 'PAM is not supported by vigil (use userfile or getpwnam)';
    case 'shadow':
      return 'shadow never authenticates (as in mon)';
    default:
      return 'unknown authentication type';
  }
}

export async function authenticate(types: readonly string[], user: string, pass: string, clientIp: string, deps: LoginDeps): Promise<LoginResult> {
  const refusals: string[] = [];
  for (const type of types) {
    const r = await tryOne(type, user, pass, clientIp, deps);
    if (r === true) return { ok: true, why: type };
    refusals.push(`${type}: ${r}`);
  }
  return { ok: false, why: refusals.length ? refusals.join('; ') : 'no authtype configured' };
}
