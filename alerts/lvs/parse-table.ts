/**
 * @fileoverview Parser of `ipvsadm -S -n` (the save format: one `-A` line per
 * virtual service, one `-a` line per real server). Pure. Options it does not
 * need (`-M`, `-b`, `-x`, `-y`, `--tun-type` ...) are skipped with their value.
 */
import { isIPv6 } from 'node:net';
import { canonicalIp, serviceKey, splitHostPort } from './address.ts';
import type { Method, TableService, VirtualService } from './model.ts';

const FLAG_METHOD: Record<string, Method> = {
  '-m': 'nat', '--masquerading': 'nat',
  '-g': 'dr', '--gatewaying': 'dr',
  '-i': 'tunnel', '--ipip': 'tunnel',
};
/** Options that take a value we do not use. */
const SKIP_WITH_VALUE = new Set([
  '-M', '--netmask', '-b', '--sched-flags', '-x', '--u-threshold', '-y', '--l-threshold', '--pe',
  '--tun-type', '--tun-port', '--tun-nocsum', '--tun-csum', '--tun-remcsum',
]);

export class TableParseError extends Error {
  constructor(readonly line: number, readonly text: string, why: string) {
    super(`cannot read line ${line} of "ipvsadm -S -n": ${why}: ${text}`);
    this.name = 'TableParseError';
  }
}

/** Services in table order; real servers in table order within each. */
export function parseIpvsSave(text: string): TableService[] {
  const byKey = new Map<string, TableService>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const tok = line.split(/\s+/);
    const op = tok[0];
    if (op !== '-A' && op !== '-a') throw new TableParseError(i + 1, line, 'expected -A or -a');
    let proto: string | undefined, target: string | undefined, v6 = false;
    let real: string | undefined, method: Method = 'dr', weight = 1, scheduler: string | undefined, persistent: number | undefined;
    for (let j = 1; j < tok.length; j++) {
      const t = tok[j]!;
      const next = () => {
        const v = tok[++j];
        if (v === undefined) throw new TableParseError(i + 1, line, `${t} without a value`);
        return v;
      };
      if (t === '-t' || t === '--tcp-service') (proto = 'tcp'), (target = next());
      else if (t === '-u' || t === '--udp-service') (proto = 'udp'), (target = next());
      else if (t === '--sctp-service') (proto = 'sctp'), (target = next());
      else if (t === '-f' || t === '--fwmark-service') (proto = 'fwmark'), (target = next());
      else if (t === '-6' || t === '--ipv6') v6 = true;
      else if (t === '-r' || t === '--real-server') real = next();
      else if (t === '-w' || t === '--weight') weight = Number(next());
      else if (t === '-s' || t === '--scheduler') scheduler = next();
      else if (t === '-p' || t === '--persistent') persistent = Number(next());
      else if (FLAG_METHOD[t]) method = FLAG_METHOD[t]!;
      else if (SKIP_WITH_VALUE.has(t)) next();
      // anything else is a flag without a value (`-o`, ...): ignore it
    }
    if (!proto || !target) throw new TableParseError(i + 1, line, 'no virtual service (-t, -u or -f)');
    if (proto === 'sctp') return; // vigil manages tcp, udp and fwmark only; sctp lines are left alone
    const service = toService(proto, target, v6, i + 1, line);
    const key = serviceKey(service);
    if (op === '-A') {
      byKey.set(key, { service, scheduler, persistent, servers: [] });
      return;
    }
    const svc = byKey.get(key);
    if (!svc) throw new TableParseError(i + 1, line, `real server before its virtual service ${key}`);
    if (!real) throw new TableParseError(i + 1, line, '-a without -r');
    const { host, port } = splitHostPort(real);
    if (!Number.isInteger(weight) || weight < 0) throw new TableParseError(i + 1, line, 'bad weight');
    svc.servers.push({ address: canonicalIp(host), port: port ?? 0, method, weight });
  });
  return [...byKey.values()];
}

function toService(proto: string, target: string, v6: boolean, line: number, text: string): VirtualService {
  if (proto === 'fwmark') {
    const mark = Number(target);
    if (!Number.isInteger(mark)) throw new TableParseError(line, text, `bad fwmark ${target}`);
    return { protocol: 'fwmark', fwmark: mark, family: v6 ? 6 : 4 };
  }
  const { host, port } = splitHostPort(target);
  const address = canonicalIp(host);
  return { protocol: proto as 'tcp' | 'udp', address, port: port ?? 0, family: isIPv6(address) ? 6 : 4 };
}
