/**
 * @fileoverview "host:port" / "[v6]:port" of the config -> host and port for node's listen/bind.
 */
export function parseListen(spec: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]*)):(\d{1,5})$/.exec(spec.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`${what}: "${spec}" is not host:port (e.g. 127.0.0.1:2583 or [::1]:2583)`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
