/**
 * @fileoverview One line of text per virtual service from the lvs alert's
 * `describe()` (ServiceStatusView.alertStates): which real servers are in (with
 * weight), quiescent (weight 0) or out. For `vigil status`; the status page has
 * the same logic in page/app.js (lvsLines). Pure; unknown shapes give no line.
 *
 *   tcp 127.0.0.100:80 rr — in: 127.0.0.2:8080 (w1); out: 127.0.0.3:8080
 */
import type { AlertStateView } from '../runtime.ts';

interface ServerLike {
  server: string;
  pool: 'in' | 'quiescent' | 'out';
  weight?: number;
  sorry?: boolean;
  drain?: string;
}
interface ServiceLike {
  service: string;
  scheduler?: string;
  present?: boolean;
  servers: ServerLike[];
}

function isServiceList(x: unknown): x is ServiceLike[] {
  return Array.isArray(x) && x.every((v) => v && typeof v === 'object' && typeof v.service === 'string' && Array.isArray(v.servers));
}

function serverText(s: ServerLike): string {
  const notes = [s.pool === 'in' && s.weight !== undefined ? `w${s.weight}` : '', s.sorry ? 'sorry server' : '', s.drain ?? ''].filter(Boolean);
  return notes.length ? `${s.server} (${notes.join(', ')})` : s.server;
}

/** `tcp 127.0.0.100:80 rr — in: A (w1); quiescent: B (draining); out: C`. */
export function virtualServiceLine(v: ServiceLike): string {
  const head = `${v.service}${v.scheduler ? ` ${v.scheduler}` : ''}`;
  if (v.present === false) return `${head} — not in the IPVS table`;
  const parts = (['in', 'quiescent', 'out'] as const)
    .map((pool) => [pool, v.servers.filter((s) => s.pool === pool && !(pool === 'out' && s.sorry))] as const)
    .filter(([, list]) => list.length)
    .map(([pool, list]) => `${pool}: ${list.map(serverText).join(', ')}`);
  return `${head} — ${parts.length ? parts.join('; ') : 'no real servers'}`;
}

/** Every virtual-service line of a service's alert states (lvs only; other plugins' states are not text). */
export function alertStateLines(states: readonly AlertStateView[] | undefined): string[] {
  const out: string[] = [];
  for (const a of states ?? []) if (a.plugin === 'lvs' && isServiceList(a.state)) for (const v of a.state) out.push(virtualServiceLine(v));
  return out;
}
