/**
 * @fileoverview mon's auth.cf: who may run which client command, and which
 * hosts/users may send traps (mon-reference.md d.4). Pure parsing and checks;
 * the crypt(3) comparison of trap passwords is injected (auth-crypt.ts).
 */
import { isIPv4 } from 'node:net';

export interface TrapAuthEntry {
  /** `*`, or the sender's IPv4 address. */
  host: string;
  /** `*` = no user/password check. */
  user: string;
  /** crypt(3) hash, compared as mon does: crypt(given, hash) === hash. */
  hash: string;
}

export interface AuthPolicy {
  allow: Map<string, Set<string>>;
  deny: Map<string, Set<string>>;
  traps: TrapAuthEntry[];
}

export interface AuthParse {
  policy: AuthPolicy;
  /** Lines mon would complain about (line number and text); they are skipped. */
  problems: string[];
}

/** Debian's /etc/mon/auth.cf, used when the configured auth file does not exist. */
export const DEBIAN_DEFAULT_AUTH = `command section
list:		all
reset:		AUTH_ANY
loadstate:	AUTH_ANY
savestate:	AUTH_ANY
set:		AUTH_ANY
get:		AUTH_ANY
disable:	AUTH_ANY
enable:		AUTH_ANY
test:		AUTH_ANY
ack:		AUTH_ANY
reload:		AUTH_ANY
clear:		AUTH_ANY
version:	all
servertime:	all
protid:		all
quit:		all
checkauth:	all
trap section
`;

export function parseAuthCf(text: string): AuthParse {
  const policy: AuthPolicy = { allow: new Map(), deny: new Map(), traps: [] };
  const problems: string[] = [];
  let section: 'command' | 'trap' = 'command';
  text.split('\n').forEach((raw, i) => {
    if (/^\s*#/.test(raw) || /^\s*$/.test(raw)) return;
    const l = raw.trim();
    if (/^command\s+section/.test(l)) return void (section = 'command');
    if (/^trap\s+section/.test(l)) return void (section = 'trap');
    if (section === 'command') {
      const m = /^(.*?)\s*:\s*(.*)$/.exec(l);
      if (!m) return void problems.push(`line ${i + 1}: "${l}" is not "command: user, user"`);
      const cmd = m[1]!.toLowerCase();
      for (const u of m[2]!.split(/\s*,\s*/).filter(Boolean)) {
        const deny = /^!(.*)$/.exec(u);
        const map = deny ? policy.deny : policy.allow;
        if (!map.has(cmd)) map.set(cmd, new Set());
        map.get(cmd)!.add(deny ? deny[1]! : u);
      }
      return;
    }
    const t = /^(\S+)\s+(\S+)\s+(\S+)$/.exec(l);
    if (!t || (t[1] !== '*' && !isIPv4(t[1]!))) {
      // mon resolves host names at load; vigil takes only `*` and IPv4 addresses, to stay free of DNS at startup.
      return void problems.push(`line ${i + 1}: trap entry "${l}" must be "HOST USER PASSWORD" with HOST * or an IPv4 address`);
    }
    policy.traps.push({ host: t[1]!, user: t[2]!, hash: t[3]! });
  });
  return { policy, problems };
}

/** mon's check_auth: deny wins, then `all`, then AUTH_ANY / the user for logged-in clients. */
export function checkAuth(policy: AuthPolicy, user: string | undefined, cmd: string): boolean {
  const deny = policy.deny.get(cmd);
  if (user !== undefined && deny && (deny.has(user) || deny.has('AUTH_ANY'))) return false;
  const allow = policy.allow.get(cmd);
  if (!allow) return false;
  if (allow.has('all')) return true;
  return user !== undefined && (allow.has('AUTH_ANY') || allow.has(user));
}

/**
 * mon's trap authentication: if any `*` host line exists only those are
 * consulted (QUIRK), else the sender's address must be listed; a `*` user skips
 * the password, otherwise `verify(password, hash)` decides.
 */
export async function trapAllowed(
  policy: AuthPolicy,
  fromIp: string,
  usr: string | undefined,
  pas: string | undefined,
  verify: (password: string, hash: string) => Promise<boolean>,
): Promise<{ ok: true } | { ok: false; why: string }> {
  const host = policy.traps.some((t) => t.host === '*') ? '*' : fromIp;
  const entries = policy.traps.filter((t) => t.host === host);
  if (entries.length === 0) return { ok: false, why: `trap from unauthorized host ${fromIp}` };
  if (entries.some((t) => t.user === '*')) return { ok: true };
  const entry = entries.find((t) => t.user === (usr ?? ''));
  if (!entry) return { ok: false, why: `trap from unknown user "${usr ?? ''}", host ${fromIp}` };
  if (!(await verify(pas ?? '', entry.hash))) return { ok: false, why: `trap with bad password from user "${usr}", host ${fromIp}` };
  return { ok: true };
}

/** mon's clientallow: space-separated regexes, anchored, with bare dots made literal. */
export function clientAllowed(patterns: readonly string[] | undefined, ip: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return patterns.some((p) => {
    try {
      return new RegExp(`^${p.replace(/([^[\\])\./g, '$1\\.')}$`).test(v4);
    } catch {
      return false;
    }
  });
}
