/**
 * @fileoverview Where one http check goes: the URL for a host (from a `{host}`
 * template, or scheme + port + path), split once into undici's origin + path.
 */

export interface HttpTarget {
  origin: string;
  path: string;
  /** Full URL for summaries. */
  url: string;
  /** `host[:port]` as undici's connector sees it: the key of the captured certificate. */
  hostPort: string;
  /** The host to connect to (an IPv6 address without brackets) and its port. */
  hostname: string;
  port: number;
}

export interface TargetOptions {
  url?: string;
  scheme?: 'http' | 'https';
  port?: number;
  path?: string;
}

/** `::1` becomes `[::1]` in a URL; names, IPv4 and already bracketed hosts stay. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function targetFor(host: string, o: TargetOptions): HttpTarget {
  const h = urlHost(host);
  let text: string;
  if (o.url !== undefined) {
    text = o.url.replaceAll('{host}', h);
  } else {
    const path = o.path ?? '/';
    text = `${o.scheme ?? 'http'}://${h}${o.port !== undefined ? `:${o.port}` : ''}${path.startsWith('/') ? path : `/${path}`}`;
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`http: ${JSON.stringify(text)} (for host ${host}) is not a valid URL; check the url/scheme/port/path options`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`http: ${text} is not an http:// or https:// URL`);
  }
  return fromUrl(u);
}

export function fromUrl(u: URL): HttpTarget {
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  return { origin: u.origin, path: u.pathname + u.search, url: u.href, hostPort: u.host, hostname, port };
}
