/**
 * @fileoverview mon's UDP traps (mon-reference.md d.5): one datagram of
 * `tag=value` lines (values optionally in single quotes, esc_str-escaped),
 * authenticated by the trap section of auth.cf, then processed like a monitor
 * exit with status `sta` and output `sum\n\ndtl`. No reply is ever sent.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../types.ts';
import type { Config } from '../model.ts';
import type { Runtime } from '../runtime.ts';
import { errorMessage } from '../errors.ts';
import { trapAllowed, type AuthPolicy } from './auth.ts';
import { verifyCrypt } from './auth-crypt.ts';
import { unEscStr } from './escape.ts';
import { parseListen } from './listen-address.ts';

export const TRAP_PRO_VERSION = 0.3807;

export interface ParsedTrap {
  fields: Record<string, string>;
  /** Lines that are not `tag=value` (mon logs and ignores them). */
  ignored: string[];
}

export function parseTrap(datagram: string): ParsedTrap {
  const fields: Record<string, string> = {};
  const ignored: string[] = [];
  for (const line of datagram.split('\n')) {
    const m = /^(\w+)=(.*)/.exec(line);
    if (!m) {
      if (line !== '') ignored.push(line);
      continue;
    }
    fields[m[1]!] = unEscStr(m[2]!.replace(/\r$/, '').replace(/^'(.*)'$/s, '$1'));
  }
  return { fields, ignored };
}

export type TrapVerdict =
  | { ok: true; watch: string; service: string; status: number; summary: string; detail: string; intended?: string }
  | { ok: false; why: string };

/** Where a trap goes, with mon's `default` watch/service catch-all. Pure. */
export function routeTrap(fields: Record<string, string>, config: Config): TrapVerdict {
  const pro = Number(fields.pro);
  if (!(pro >= TRAP_PRO_VERSION)) return { ok: false, why: `trap protocol "${fields.pro ?? ''}" is older than ${TRAP_PRO_VERSION}` };
  if (fields.sta === undefined || !/^-?\d+$/.test(fields.sta.trim())) return { ok: false, why: 'trap has no numeric sta (status) value' };
  const watches = new Map(config.watches.map((w) => [w.name, new Set(w.services.map((s) => s.name))]));
  let watch = fields.grp ?? '';
  let service = fields.svc ?? '';
  let intended: string | undefined;
  if (!watches.has(watch) && watches.has('default')) {
    intended = `${watch}:${service}`;
    watch = 'default';
  }
  if (watch === 'default' && !watches.get('default')?.has(service) && watches.get('default')?.has('default')) service = 'default';
  if (!watches.has(watch)) return { ok: false, why: `trap for undefined group "${watch}"` };
  if (!watches.get(watch)!.has(service)) return { ok: false, why: `trap for undefined service ${watch}/${service}` };
  const summary = (fields.sum ?? '').replace(/\n$/, '');
  return { ok: true, watch, service, status: Number(fields.sta.trim()), summary, detail: fields.dtl ?? '', ...(intended ? { intended } : {}) };
}

export interface TrapListenerOptions {
  runtime: Runtime;
  /** "host:port" of the UDP socket. */
  listen: string;
  policy: () => AuthPolicy;
  log: Logger;
  /** crypt(3) check of trap passwords. @default Perl's crypt */
  verify?: (password: string, hash: string) => Promise<boolean>;
}

export interface TrapListener {
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

export function createTrapListener(opts: TrapListenerOptions): TrapListener {
  const log = opts.log.child({ component: 'mon-traps' });
  let sock: Socket | undefined;

  const onMessage = async (msg: Buffer, from: { address: string }) => {
    const fromIp = from.address.startsWith('::ffff:') ? from.address.slice(7) : from.address;
    const { fields, ignored } = parseTrap(msg.toString('utf8'));
    for (const l of ignored) log.warn({ from: fromIp, line: l.slice(0, 200) }, 'trap line is not tag=value; ignored');
    const auth = await trapAllowed(opts.policy(), fromIp, fields.usr, fields.pas, opts.verify ?? verifyCrypt);
    if (!auth.ok) return log.warn({ from: fromIp }, `${auth.why}: dropped (see the trap section of auth.cf)`);
    const v = routeTrap(fields, opts.runtime.config());
    if (!v.ok) return log.warn({ from: fromIp, grp: fields.grp, svc: fields.svc }, `${v.why}: dropped`);
    if (!opts.runtime.trap) return log.error({}, 'this runtime cannot process traps; dropped');
    log.info({ from: fromIp, watch: v.watch, service: v.service, status: v.status, ...(v.intended ? { intended: v.intended } : {}) }, 'trap');
    try {
      opts.runtime.trap(v.watch, v.service, v.status, v.summary, v.detail, fromIp);
    } catch (err) {
      log.error({ watch: v.watch, service: v.service, err: errorMessage(err) }, 'trap could not be processed');
    }
  };

  return {
    async listen() {
      const { host, port } = parseListen(opts.listen, 'mon_protocol.trap_listen');
      sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
      sock.on('message', (msg, rinfo) => void onMessage(msg, rinfo));
      await new Promise<void>((ok, fail) => {
        sock!.once('error', (err: NodeJS.ErrnoException) => fail(new Error(`mon traps: cannot bind UDP ${host}:${port}: ${err.code ?? err.message}`)));
        sock!.bind(port, host, () => ok());
      });
      sock.on('error', (err) => log.error({ err: errorMessage(err) }, 'trap socket error'));
      const a = sock.address();
      log.info({ host: a.address, port: a.port }, 'mon trap listener on UDP');
      return { host: a.address, port: a.port };
    },
    async close() {
      if (sock) await new Promise<void>((ok) => sock!.close(() => ok()));
      sock = undefined;
    },
  };
}
