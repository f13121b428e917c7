/**
 * @fileoverview One mon client command line -> reply lines (data lines, then
 * one 2xx/5xx status line), with mon's exact texts (mon-reference.md d.2).
 * Knows nothing about sockets; the server frames lines and keeps the session.
 */
import { hostname } from 'node:os';
import type { Logger } from '../types.ts';
import { RuntimeError, type Runtime } from '../runtime.ts';
import { quoteWords } from '../config/moncf-words.ts';
import { checkAuth, type AuthPolicy } from './auth.ts';
import { unEscStr } from './escape.ts';
import { listCommand } from './list-commands.ts';
import { authenticate } from './login.ts';
import { verifyCrypt, verifySystemPassword } from './auth-crypt.ts';

/** mon's protocol version (0x2611). */
export const PROT_VERSION = 9745;

export interface Session {
  user?: string;
  clientIp: string;
}

export interface CommandContext {
  runtime: Runtime;
  policy: () => AuthPolicy;
  /** Re-reads auth.cf; false when it cannot be read. */
  reloadAuth: () => Promise<boolean>;
  /** mon's authtype list, tried in order: trustlocal, userfile, getpwnam (pam and shadow refuse). */
  authTypes: string[];
  /** Absolute path of mon's userfile (monusers.cf), for authtype userfile. */
  userFile?: string;
  now: () => number;
  histlength: number;
  log: Logger;
  /** `test config`: undefined when the config file reads cleanly, else the error text. */
  checkConfig?: () => Promise<string | undefined>;
  /** Shared across sessions: when the scheduler was stopped through this server. */
  shared: { stoppedSince?: number };
}

const COMMAND = /^(dump|login|disable|enable|quit|list|set|get|setview|getview|stop|start|loadstate|savestate|reset|clear|checkauth|reload|term|test|servertime|ack|version|protid)(\s+(.*))?$/i;
const NO_AUTH = new Set(['quit', 'protid', 'login', 'version', 'checkauth', 'setview', 'getview', 'dump']);
const UNSUPPORTED = new Set(['dump', 'set', 'get', 'loadstate', 'savestate', 'clear', 'term']);

export interface Reply {
  lines: string[];
  close?: boolean;
}

export async function monCommand(line: string, session: Session, ctx: CommandContext): Promise<Reply> {
  const m = COMMAND.exec(line);
  if (!m) return { lines: ['520 invalid command'] };
  const cmd = m[1]!.toLowerCase();
  const args = m[3] ?? '';
  if (!NO_AUTH.has(cmd) && !checkAuth(ctx.policy(), session.user, cmd)) {
    ctx.log.warn({ cmd, user: session.user ?? '', client: session.clientIp }, 'mon client command not authorized by auth.cf');
    return { lines: ['520 command could not be executed, unknown command'] };
  }
  if (UNSUPPORTED.has(cmd)) return { lines: [`520 ${cmd} is not supported by vigil`] };
  const rt = ctx.runtime;
  switch (cmd) {
    case 'quit':
      return { lines: ['220 quitting'], close: true };
    case 'protid':
      return { lines: [Number(args) === PROT_VERSION ? '220 protocol match' : '520 protocol mismatch'] };
    case 'version':
      return { lines: [`version ${PROT_VERSION}`, '220 version completed'] };
    case 'login':
      return { lines: [await login(args, session, ctx)] };
    case 'checkauth': {
      const what = args.split(/\s+/)[0]?.toLowerCase() ?? '';
      return { lines: [checkAuth(ctx.policy(), session.user, what) ? '220 command authorized' : '520 command could not be executed'] };
    }
    case 'servertime': {
      const now = ctx.now();
      return { lines: [`${Math.floor(now / 1000)} ${perlLocaltime(new Date(now))}`, '220 servertime completed'] };
    }
    case 'list':
      return { lines: listCommand(args, { runtime: rt, now: ctx.now, histlength: ctx.histlength, stoppedSince: ctx.shared.stoppedSince }) };
    case 'stop':
      rt.stopScheduler();
      ctx.shared.stoppedSince = ctx.now();
      return { lines: ['220 stop completed'] };
    case 'start':
      rt.startScheduler();
      ctx.shared.stoppedSince = undefined;
      return { lines: ['220 start completed'] };
    case 'setview': {
      const words = args.split(/\s+/).filter(Boolean);
      if (words.length > 1) return { lines: ['500 Unknown setview command'] };
      if (words.length === 1) return { lines: [`504 unknown view ${words[0]}`] };
      return { lines: ['no view selected -- all groups will be displayed', '220 setview completed'] };
    }
    case 'getview':
      return { lines: ['no view selected -- all groups will be displayed', '220 getview completed'] };
    case 'reload':
      if (args.split(/\s+/).filter(Boolean).every((w) => w === 'auth') && args.trim() !== '') {
        return { lines: [(await ctx.reloadAuth()) ? '220 reload completed' : '520 unknown reload command'] };
      }
      return { lines: ['520 unknown reload command'] };
    case 'reset':
      return { lines: [await reset(args, ctx)] };
    case 'ack':
      return { lines: [ack(args, session, rt)] };
    case 'disable':
    case 'enable':
      return { lines: [disen(cmd, args, rt)] };
    case 'test':
      return { lines: await test(args, ctx) };
  }
  return { lines: ['520 invalid command'] };
}

async function login(args: string, session: Session, ctx: CommandContext): Promise<string> {
  // As mon: split(/\s+/, $args, 2): the password is the rest of the line.
  const sp = /\s+/.exec(args);
  const user = sp ? args.slice(0, sp.index) : args;
  const pass = sp ? args.slice(sp.index + sp[0].length) : '';
  const r = await authenticate(ctx.authTypes, user, pass, session.clientIp, { userFile: ctx.userFile, verifyCrypt, verifySystemPassword });
  if (r.ok) {
    session.user = user;
    ctx.log.info({ user, client: session.clientIp, authtype: r.why }, 'mon login accepted');
    return '220 login accepted';
  }
  ctx.log.warn({ user, client: session.clientIp, authtype: ctx.authTypes.join(' '), why: r.why }, 'mon login refused');
  return '530 login unsuccessful';
}

async function reset(args: string, ctx: CommandContext): Promise<string> {
  const who = `${process.pid}@${hostname()}`;
  try {
    await ctx.runtime.reload();
  } catch (err) {
    ctx.log.error({ err }, 'reset: the config has errors; the running one is kept');
    return `520 reset PID ${who} failed, error in config file`;
  }
  if (/stopped/i.test(args)) {
    ctx.runtime.stopScheduler();
    ctx.shared.stoppedSince = ctx.now();
  }
  return `220 reset PID ${who}`;
}

function ack(args: string, session: Session, rt: Runtime): string {
  const [group = '', service = '', comment = ''] = splitN(args, 3);
  const cfg = rt.config();
  const w = cfg.watches.find((x) => x.name === group);
  if (!w) return '520 unknown group';
  if (!w.services.some((s) => s.name === service)) return '520 unknown service';
  // As mon: the comment is shell-parsed and only its first word kept (clients esc_str-quote it as one word).
  const word = unEscStr(quoteWords(comment)?.[0] ?? '');
  try {
    // The runtime stores it as "user: comment", as mon does.
    rt.ack(group, service, word, session.user ?? '');
  } catch (err) {
    if (err instanceof RuntimeError && err.code === 'not-failing') return '520 service is in a non-failure state';
    throw err;
  }
  return '220 ack completed';
}

function disen(cmd: 'disable' | 'enable', args: string, rt: Runtime): string {
  const [what = '', rest = ''] = splitN(args, 2);
  const cfg = rt.config();
  const enable = cmd === 'enable';
  if (what === 'watch') {
    if (!cfg.watches.some((w) => w.name === rest)) return enable ? '520 enable error, unknown watch' : `520 disable error, unknown watch "${rest}"`;
    if (enable) rt.enableWatch(rest);
    else rt.disableWatch(rest);
    return enable ? '220 enable watch completed' : '220 disable watch completed';
  }
  if (what === 'service') {
    const [g = '', s = ''] = splitN(rest, 2);
    if (!cfg.watches.find((w) => w.name === g)?.services.some((x) => x.name === s)) return enable ? '520 enable error, unknown group' : '520 disable error, unknown service';
    if (enable) rt.enableService(g, s);
    else rt.disableService(g, s);
    return enable ? '220 enable completed' : '220 disable service completed';
  }
  if (what === 'host') {
    const hosts = rest.split(/\s+/).filter(Boolean);
    const known = new Set(Object.values(cfg.hostgroups).flat());
    if (!enable) {
      const missing = hosts.filter((h) => !known.has(h));
      if (missing.length) return `520 disable host failed, host(s) ${missing.join(' ')} do not exist`;
    }
    for (const h of hosts) {
      // A watch whose group has only this host goes with it (mon does this to avoid empty-group runs).
      for (const w of cfg.watches) {
        const g = cfg.hostgroups[w.name];
        if (g && g.length > 0 && g.every((x) => x === h)) (enable ? rt.enableWatch : rt.disableWatch).call(rt, w.name);
      }
      try {
        if (enable) rt.enableHost(h);
        else rt.disableHost(h);
      } catch (err) {
        if (!(err instanceof RuntimeError && enable)) throw err;
      }
    }
    return enable ? '220 enable completed' : '220 disable host completed';
  }
  return '520 command could not be executed';
}

async function test(args: string, ctx: CommandContext): Promise<string[]> {
  const [what = '', rest = ''] = splitN(args, 2);
  if (what === 'monitor') {
    const [g = '', s = ''] = rest.split(/\s+/);
    const known = ctx.runtime.config().watches.find((w) => w.name === g)?.services.some((x) => x.name === s);
    if (!known) return [`${g} ${s} not defined`, '220 test monitor completed'];
    // mon only zeroes the countdown and answers at once; the run happens in the background.
    ctx.runtime.testNow(g, s).catch((err: unknown) => ctx.log.warn({ watch: g, service: s, err }, 'test monitor failed'));
    return ['220 test monitor completed'];
  }
  if (what === 'config') {
    const err = ctx.checkConfig ? await ctx.checkConfig() : 'test config is not available for this config format';
    return err === undefined ? ['220 test config completed OK, no errors found'] : [...err.split('\n'), '520 test config completed, errors found in config file'];
  }
  if (/^(alert|startupalert|upalert|ackalert|disablealert)$/.test(what)) {
    const [g = '', s = '', retval = '', key = ''] = splitN(rest, 4);
    const svc = ctx.runtime.config().watches.find((w) => w.name === g)?.services.find((x) => x.name === s);
    if (!svc) return [`520 ${g} ${s} not defined`];
    // mon's key of an unlabelled empty period is ""; vigil's is "always".
    const period = svc.periods.find((p) => p.key === key) ?? (key === '' ? svc.periods.find((p) => p.key === 'always' && p.spec === '') : undefined);
    if (!period) return ['520 period not defined'];
    if (!ctx.runtime.testAlert) return ['520 test alert is not supported by this runtime'];
    ctx.runtime.testAlert(what as 'alert', g, s, period.key, Number(retval) || 0);
    return ['220 test alert completed'];
  }
  return ['520 test error'];
}

/** Perl's split(/\s+/, s, n). */
function splitN(s: string, n: number): string[] {
  const out: string[] = [];
  let rest = s.replace(/^\s+/, '');
  while (out.length < n - 1) {
    const m = /\s+/.exec(rest);
    if (!m) break;
    out.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  if (rest !== '' || out.length > 0) out.push(rest);
  return out;
}

/** Perl's scalar(localtime): "Thu Nov  6 02:55:50 2026". */
export function perlLocaltime(d: Date): string {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${day} ${mon} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}
