/**
 * @fileoverview Parser of `ipvsadm -L -n` for its connection counters: the save
 * format (`-S`) has no ActiveConn/InActConn, and a drain waits for ActiveConn to
 * reach 0. Pure. Rate and byte columns (`--stats`, `--rate`) are not read.
 *
 *   TCP  127.0.0.100:80 rr
 *     -> 127.0.0.2:8080               Masq    1      3          12
 *   FWM  5 IPv6 rr persistent 300
 */
import { isIPv6 } from 'node:net';
import { canonicalIp, formatEndpoint, serviceKey, splitHostPort } from './address.ts';
import type { VirtualService } from './model.ts';

export interface ConnCount {
  /** `127.0.0.2:8080`, `[fd00::2]:53` (as formatEndpoint prints it). */
  server: string;
  weight: number;
  active: number;
  inactive: number;
}

/** serviceKey (`tcp 127.0.0.100:80`, `fwmark 5`) → its real servers' counters. */
export function parseIpvsList(text: string): Map<string, ConnCount[]> {
  const out = new Map<string, ConnCount[]>();
  let current: ConnCount[] | undefined;
  for (const raw of text.split('\n')) {
    const tok = raw.trim().split(/\s+/);
    if (tok[0] === 'TCP' || tok[0] === 'UDP' || tok[0] === 'FWM' || tok[0] === 'SCTP') {
      const svc = toService(tok[0], tok[1] ?? '', tok[2] === 'IPv6');
      current = svc ? [] : undefined;
      if (svc) out.set(serviceKey(svc), current!);
    } else if (tok[0] === '->' && current && tok[1] !== 'RemoteAddress:Port') {
      // -> ADDR:PORT FORWARD WEIGHT ACTIVE INACTIVE
      const [, addr, , weight, active, inactive] = tok;
      const nums = [weight, active, inactive].map(Number);
      if (!addr || nums.some((n) => !Number.isInteger(n))) continue;
      const { host, port } = splitHostPort(addr);
      current.push({ server: formatEndpoint(canonicalIp(host), port ?? 0), weight: nums[0]!, active: nums[1]!, inactive: nums[2]! });
    }
  }
  return out;
}

function toService(proto: string, target: string, v6: boolean): VirtualService | undefined {
  if (proto === 'SCTP') return undefined; // vigil does not manage sctp
  if (proto === 'FWM') {
    const mark = Number(target);
    return Number.isInteger(mark) ? { protocol: 'fwmark', fwmark: mark, family: v6 ? 6 : 4 } : undefined;
  }
  const { host, port } = splitHostPort(target);
  const address = canonicalIp(host);
  return { protocol: proto === 'TCP' ? 'tcp' : 'udp', address, port: port ?? 0, family: isIPv6(address) ? 6 : 4 };
}

/** `-L -n`: the table with connection counters. */
export const LIST_ARGS: readonly string[] = ['-L', '-n'];
