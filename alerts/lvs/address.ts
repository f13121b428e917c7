/**
 * @fileoverview Parsing and printing of IPVS addresses the way ipvsadm does
 * (`-n`): IPv4 dotted, IPv6 canonical in brackets, `fwmark N`. Pure.
 */
import { isIP, isIPv6 } from 'node:net';
import type { VirtualService } from './model.ts';

/** Canonical text of an IP address (IPv6 compressed, lower case), as inet_ntop prints it. */
export function canonicalIp(addr: string): string {
  const bare = addr.startsWith('[') && addr.endsWith(']') ? addr.slice(1, -1) : addr;
  if (isIPv6(bare)) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return bare;
}

/** The name health is kept under: canonical for addresses (`[::1]` and `::1` agree), lower case for names. */
export function hostKey(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIP(bare) ? canonicalIp(bare) : bare.toLowerCase();
}

/** `127.0.0.1:80` or `[::1]:80`; port 0 is kept (ipvsadm prints it for fwmark servers). */
export function formatEndpoint(address: string, port: number): string {
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address.
 * The host may be a name; it is canonicalised only when it is an address.
 */
export function splitHostPort(text: string): { host: string; port?: number } {
  const t = text.trim();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) return { host: canonicalIp(bracket[1]!), port: bracket[2] === undefined ? undefined : toPort(bracket[2], text) };
  if (isIPv6(t)) return { host: canonicalIp(t) };
  const hp = /^([^:\s]+):(\d+)$/.exec(t);
  if (hp) return { host: hp[1]!, port: toPort(hp[2]!, text) };
  if (/^[^:\s]+$/.test(t)) return { host: t };
  throw new Error(`"${text}" is not a host, host:port, [ipv6] or [ipv6]:port`);
}

function toPort(s: string, whole: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`port ${s} in "${whole}" is out of range (0-65535)`);
  return n;
}

/**
 * Parses `tcp 127.0.0.100:80`, `udp [2001:db8::1]:53`, `fwmark 7` or `fwmark 7 ipv6`.
 * The VIP must be a numeric address: IPVS has no names.
 */
export function parseVirtualService(text: string): VirtualService {
  const t = text.trim().replace(/\s+/g, ' ');
  const fw = /^fwmark (\d+)( ipv6)?$/i.exec(t);
  if (fw) {
    const mark = Number(fw[1]);
    if (mark < 1 || mark > 0xffffffff) throw new Error(`fwmark ${fw[1]} is out of range (1-4294967295)`);
    return { protocol: 'fwmark', fwmark: mark, family: fw[2] ? 6 : 4 };
  }
  const m = /^(tcp|udp) (\S+)$/i.exec(t);
  if (!m) throw new Error(`virtual service "${text}" is not "tcp VIP:PORT", "udp VIP:PORT" or "fwmark N"`);
  const { host, port } = splitHostPort(m[2]!);
  if (!isIP(host)) throw new Error(`virtual service "${text}": the VIP must be a numeric IPv4 or IPv6 address, not "${host}"`);
  if (port === undefined || port === 0) throw new Error(`virtual service "${text}" needs a port (1-65535), e.g. "tcp ${m[2]}:80"`);
  return { protocol: m[1]!.toLowerCase() as 'tcp' | 'udp', address: host, port, family: isIPv6(host) ? 6 : 4 };
}

/** `tcp 127.0.0.100:80`, `fwmark 7`, `fwmark 7 ipv6`: the key services are matched by. */
export function serviceKey(s: VirtualService): string {
  if (s.protocol === 'fwmark') return `fwmark ${s.fwmark}${s.family === 6 ? ' ipv6' : ''}`;
  return `${s.protocol} ${formatEndpoint(s.address!, s.port!)}`;
}
