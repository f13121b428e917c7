/**
 * @fileoverview Where a query goes: "IP", "[IPv6]", "IP:port", "[IPv6]:port" or a host
 * name, turned into an address node's sockets accept.
 */
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

export interface ServerAddress {
  /** What the operator wrote, for messages. */
  label: string;
  host: string;
  port: number;
}

export interface ResolvedServer extends ServerAddress {
  /** Numeric address, IPv6 in canonical (compressed) form. */
  address: string;
  family: 4 | 6;
}

/** Parse "IP[:port]" (IPv6 with a port in brackets). Returns undefined when malformed. */
export function parseServer(text: string, defaultPort: number): ServerAddress | undefined {
  const t = text.trim();
  let host = t;
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2]) port = Number(bracket[2]);
  } else if (isIP(t) !== 6) {
    const m = /^([^:]+):(\d+)$/.exec(t);
    if (m) {
      host = m[1]!;
      port = Number(m[2]);
    } else if (t.includes(':')) {
      return undefined;
    }
  }
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { label: t, host, port };
}

/** Canonical text of an IPv6 address ("0:0::1" -> "::1"), so it compares equal to what dgram reports. */
export function canonicalIPv6(addr: string): string {
  return new URL(`http://[${addr}]/`).hostname.slice(1, -1);
}

/** The server as it is when its host is an IP address; undefined for a name. */
export function numericServer(s: ServerAddress): ResolvedServer | undefined {
  const kind = isIP(s.host);
  if (kind === 4) return resolved(s, s.host, 4);
  if (kind === 6) return resolved(s, canonicalIPv6(s.host), 6);
  return undefined;
}

/**
 * Field by field, not `{ ...s, address, family }`: this runs at every check, and in
 * node 20's V8 a spread copy with keys added after it gets a new hidden class each
 * time (see core/kit/connect-socket.ts).
 */
function resolved(s: ServerAddress, address: string, family: 4 | 6): ResolvedServer {
  return { label: s.label, host: s.host, port: s.port, address, family };
}

/** Numeric address of a server; names go through the system resolver (getaddrinfo). */
export async function resolveServer(s: ServerAddress): Promise<ResolvedServer> {
  const numeric = numericServer(s);
  if (numeric) return numeric;
  const found = await lookup(s.host);
  const family = found.family === 6 ? 6 : 4;
  return resolved(s, family === 6 ? canonicalIPv6(found.address) : found.address, family);
}
