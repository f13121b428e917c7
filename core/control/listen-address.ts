/**
 * @fileoverview `control.listen`: "127.0.0.1:2580", "[::1]:2580", "localhost:2580"
 * or a bare port (then loopback).
 */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(text.trim()) ?? /^()()(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new Error(`control.listen "${text}" is not an address: write host:port, e.g. "127.0.0.1:2580" or "[::1]:2580"`);
  }
  const host = m[1] ?? (m[2] || '127.0.0.1');
  return { host, port };
}

/** The URL a person types for a bound address (wildcards shown as loopback). */
export function urlFor(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}/`;
}
