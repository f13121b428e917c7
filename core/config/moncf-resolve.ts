/**
 * @fileoverview The second half of reading a mon.cf: mon's directory rules
 * (basedir, cfbasedir, mondir/alertdir search paths, statedir, authfile) and
 * the global settings turned into vigil's Config, with a note for every
 * setting vigil keeps but does not act on. See mon-reference.md a.1, a.4.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Config, ConfigNote, Loc, PluginRef, Service } from '../model.ts';
import { findProgram, splitSearchPath } from '../kit/find-program.ts';
import type { MonCfParse } from './moncf-parse.ts';
import { timevalMs } from './moncf-time.ts';

export const MON_DEFAULTS = {
  basedir: '/usr/lib/mon',
  cfbasedir: '/etc/mon',
  mondir: '/usr/local/lib/mon/mon.d:mon.d',
  alertdir: '/usr/local/lib/mon/alert.d:alert.d',
  authfile: 'auth.cf',
  port: '2583',
} as const;

/** mon never times a monitor out; vigil's scheduler needs a bound, so it is generous. */
export const MON_MONITOR_TIMEOUT_FLOOR_MS = 300_000;

/** Settings vigil keeps (in `Config.mon`, and in `vigil import` output) but does not act on yet. */
const NOT_HONOURED: Record<string, string> = {
  monerrfile: 'vigil logs to stderr/journald',
  pidfile: 'run vigil under systemd, which tracks the pid',
  syslog_facility: 'vigil logs to stderr/journald',
  monremote: 'mirroring disable/enable to a peer is not built',
  dtlogging: 'the downtime log is not written; failures and alerts are in the state store and `list alerthist`',
  dtlogfile: 'the downtime log is not written',
  historicfile: 'alert history lives in the state store, not in a text file',
  historictime: 'alert history lives in the state store',
  pamservice: 'PAM logins are not supported (authtype pam refuses every login; use userfile or getpwnam)',
  dep_recur_limit: 'vigil follows parents\' own dependencies up to 10 levels deep (mon\'s default) whatever this says',
};

export function resolveMonCf(parse: MonCfParse, file: string): Config {
  const dir = dirname(file);
  const notes: ConfigNote[] = [...parse.notes];
  const g = (name: string) => parse.globals[name]?.value;
  const gloc = (name: string) => parse.globals[name]?.loc;
  const mon: Record<string, string> = Object.fromEntries(Object.entries(parse.globals).map(([k, v]) => [k, v.value]));

  // mon takes a relative basedir/cfbasedir from its cwd; vigil from the config's directory (stable under systemd).
  const basedir = resolve(dir, g('basedir') ?? MON_DEFAULTS.basedir);
  const cfbasedir = resolve(dir, g('cfbasedir') ?? MON_DEFAULTS.cfbasedir);
  const mondir = splitSearchPath(g('mondir') ?? MON_DEFAULTS.mondir, basedir).join(':');
  const alertdir = splitSearchPath(g('alertdir') ?? MON_DEFAULTS.alertdir, basedir).join(':');
  const statedir = g('statedir') !== undefined ? resolve(basedir, g('statedir')!) : firstDir(['/var/state/mon', '/var/lib/mon'], resolve(basedir, 'state.d'));
  const logdir = g('logdir') !== undefined ? resolve(basedir, g('logdir')!) : firstDir(['/var/log/mon'], resolve(basedir, 'log.d'));
  Object.assign(mon, { basedir, cfbasedir, mondir, alertdir, statedir, logdir });

  for (const [name, why] of Object.entries(NOT_HONOURED)) {
    if (g(name) !== undefined) notes.push({ loc: gloc(name), message: `${name} is kept but not used by vigil: ${why}` });
  }
  const authtype = g('authtype');
  const types = (authtype ?? 'getpwnam').split(/\s+/).filter(Boolean);
  if (types.includes('pam')) {
    notes.push({ loc: gloc('authtype'), message: 'authtype pam: vigil does not support PAM; a "pam" login always fails (the other authtypes listed are still tried); use userfile or getpwnam' });
  }
  if (types.includes('userfile')) {
    // mon refuses to start when the userfile is unreadable; vigil starts and refuses userfile logins until it exists.
    const userfile = resolve(cfbasedir, g('userfile') ?? 'monusers.cf');
    if (!existsSync(userfile)) notes.push({ loc: gloc('userfile') ?? gloc('authtype'), message: `userfile ${userfile} does not exist: every "userfile" login fails until it does (lines "user : crypt-hash", the hash from e.g. openssl passwd -6)` });
  }

  const authPath = resolve(cfbasedir, g('authfile') ?? MON_DEFAULTS.authfile);
  if (!existsSync(authPath)) {
    notes.push({ loc: gloc('authfile') ?? gloc('cfbasedir'), message: `auth file ${authPath} does not exist: the mon protocol uses Debian's default policy (list, version, servertime, protid, checkauth, quit for everyone; everything else needs a login)` });
  }
  const bind = (addr: string | undefined, port: string | undefined, what: string, loc: Loc | undefined): string => {
    if (addr === undefined) {
      notes.push({ loc, message: `${what} not set: mon listens on every address, vigil only on 127.0.0.1; set "${what} = 0.0.0.0" to accept remote clients` });
    }
    const host = addr ?? '127.0.0.1';
    return `${host.includes(':') ? `[${host}]` : host}:${port ?? MON_DEFAULTS.port}`;
  };

  const globalExclude = g('exclude_period');
  const missing = new Set<string>();
  let signalNoteDone = false;
  for (const w of parse.watches) {
    for (const s of w.services) {
      s.timeoutMs = Math.max(s.intervalMs ?? 0, MON_MONITOR_TIMEOUT_FLOOR_MS);
      if (globalExclude) s.excludePeriod = s.excludePeriod ? `${s.excludePeriod}, ${globalExclude}` : globalExclude;
      if (s.monitor) {
        resolveScript(s.monitor, 'mondir', mondir, basedir, missing, notes);
        if (!signalNoteDone) {
          signalNoteDone = true;
          notes.push({ loc: s.monitor.loc, message: 'a monitor killed by a signal counts as a success in mon (BUG); in vigil it is a failure (this applies to every monitor line)' });
        }
      }
      forEachAlert(s, (ref) => resolveScript(ref, 'alertdir', alertdir, basedir, missing, notes));
    }
  }

  const cltimeout = g('cltimeout');
  return {
    file,
    dir,
    format: 'moncf',
    stateDir: statedir,
    maxprocs: Number(g('maxprocs') ?? 0) || 0,
    ...(g('randstart') ? { randstartMs: timevalMs(g('randstart')!)! } : {}),
    monProtocol: {
      listen: bind(g('serverbind'), g('serverport'), 'serverbind', gloc('serverport')),
      trapListen: bind(g('trapbind'), g('trapport'), 'trapbind', gloc('trapport')),
      ...(existsSync(authPath) ? { authFile: authPath } : {}),
      ...(g('clientallow') ? { clientAllow: g('clientallow')!.split(/\s+/).filter(Boolean) } : {}),
      ...(cltimeout ? { cltimeoutMs: timevalMs(cltimeout)! } : {}),
    },
    plugins: [],
    hostgroups: parse.hostgroups,
    periods: {},
    watches: parse.watches,
    mon,
    extra: {},
    notes: notes.sort((a, b) => (a.loc?.line ?? Infinity) - (b.loc?.line ?? Infinity)),
  };
}

function firstDir(candidates: string[], fallback: string): string {
  return candidates.find((d) => existsSync(d) && statSync(d).isDirectory()) ?? fallback;
}

export function forEachAlert(s: Service, fn: (ref: PluginRef) => void): void {
  if (s.redistribute) fn(s.redistribute);
  for (const p of s.periods) for (const ref of [...p.alerts, ...p.upalerts, ...p.startupalerts, ...p.ackalerts, ...p.disablealerts]) fn(ref);
}

/** Adds the search path option and a note (once per program) when mon would not find the script. */
function resolveScript(ref: PluginRef, key: 'mondir' | 'alertdir', searchPath: string, basedir: string, missing: Set<string>, notes: ConfigNote[]): void {
  const name = String(ref.options.path);
  ref.options[key] = searchPath;
  const found = isAbsolute(name) ? findProgram(name, [], basedir) : findProgram(name, searchPath.split(':'), basedir);
  if (!found && !missing.has(name)) {
    missing.add(name);
    const what = key === 'mondir' ? 'monitor' : 'alert';
    notes.push({ loc: ref.loc, message: `${what} ${name} not found in ${key} ${searchPath}: it will fail until it is installed there (or fix ${key})` });
  }
}
