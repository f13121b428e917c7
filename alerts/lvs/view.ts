/**
 * @fileoverview What each managed real server looks like now: in, out or
 * quiescent, with its health. For `vigil lvs show` and status output. Pure.
 */
import { formatEndpoint, serviceKey } from './address.ts';
import type { ManagedService, PoolState, TableService } from './model.ts';
import type { DrainPhase } from './plan.ts';

export interface ServerView {
  host: string;
  server: string;
  /** `in`: weight > 0; `quiescent`: in the table with weight 0; `out`: not in the table. */
  pool: 'in' | 'quiescent' | 'out';
  weight?: number;
  method?: string;
  health: PoolState;
  sorry: boolean;
  /** Set while an operator drain holds the server (vigil drain HOST). */
  drain?: DrainPhase;
}

export interface ServiceView {
  service: string;
  /** Scheduler in the table (else as configured). */
  scheduler?: string;
  /** False when the virtual service is not in the IPVS table at all. */
  present: boolean;
  servers: ServerView[];
  /** Real servers in the table that vigil does not manage (left alone). */
  unmanaged: string[];
}

export function describePool(
  managed: readonly ManagedService[],
  table: readonly TableService[],
  health: Readonly<Record<string, PoolState>>,
  drains: Readonly<Record<string, DrainPhase>> = {},
): ServiceView[] {
  return managed.map((m) => {
    const key = serviceKey(m.service);
    const t = table.find((x) => serviceKey(x.service) === key);
    const all = [...m.servers.map((r) => ({ r, sorry: false })), ...(m.sorryServer ? [{ r: m.sorryServer, sorry: true }] : [])];
    const servers = all.map(({ r, sorry }): ServerView => {
      const cur = t?.servers.find((s) => s.address === r.address && s.port === r.port);
      return {
        host: r.host,
        server: formatEndpoint(r.address, r.port),
        pool: !cur ? 'out' : cur.weight > 0 ? 'in' : 'quiescent',
        weight: cur?.weight,
        method: cur?.method,
        health: sorry ? 'unknown' : (health[r.host] ?? 'unknown'),
        sorry,
        ...(!sorry && drains[r.host] ? { drain: drains[r.host] } : {}),
      };
    });
    const mine = new Set(all.map(({ r }) => formatEndpoint(r.address, r.port)));
    const unmanaged = (t?.servers ?? []).map((s) => formatEndpoint(s.address, s.port)).filter((s) => !mine.has(s));
    return { service: key, scheduler: t?.scheduler ?? m.scheduler, present: t !== undefined, servers, unmanaged };
  });
}

/** Plain text table for a terminal. */
export function formatPool(views: readonly ServiceView[]): string {
  const lines: string[] = [];
  for (const v of views) {
    lines.push(`${v.service}${v.present ? '' : '  (not in the IPVS table)'}`);
    for (const s of v.servers) {
      const w = s.weight === undefined ? '' : ` weight ${s.weight}`;
      const m = s.method ? ` ${s.method}` : '';
      const d = s.drain ? ` (${s.drain})` : '';
      lines.push(`  ${s.server.padEnd(24)} ${s.pool.padEnd(9)} health ${s.sorry ? 'sorry server' : s.health}${w}${m}${d}${s.host !== s.server.replace(/:\d+$/, '') ? `  (${s.host})` : ''}`);
    }
    for (const u of v.unmanaged) lines.push(`  ${u.padEnd(24)} not managed by vigil`);
  }
  return lines.join('\n') + '\n';
}
