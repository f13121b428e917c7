/**
 * @fileoverview `vigil status` text: a compact table of every service, coloured
 * on a terminal, plain otherwise. Pure: snapshot in, lines out.
 */
import type { ServiceStatusView, StatusSnapshot } from '../runtime.ts';
import { alertStateLines } from './alert-state-text.ts';

export interface TableOptions {
  color: boolean;
  /** Terminal width; lines are cut to it when set. */
  width?: number;
  now?: number;
}

const C = { red: '\x1b[31;1m', redRow: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

export function ago(ms: number | undefined, now: number): string {
  if (!ms) return '-';
  const s = Math.round((now - ms) / 1000);
  const a = Math.abs(s);
  const t = a < 60 ? `${a}s` : a < 3600 ? `${Math.floor(a / 60)}m` : a < 86400 ? `${Math.floor(a / 3600)}h${Math.floor((a % 3600) / 60)}m` : `${Math.floor(a / 86400)}d${Math.floor((a % 86400) / 3600)}h`;
  return s < 0 ? `in ${t}` : `${t} ago`;
}

function hostsText(s: ServiceStatusView): string {
  const hosts = s.hosts.filter((h) => !h.excluded);
  const up = hosts.filter((h) => h.state === 'up').length;
  const bad = hosts.filter((h) => h.state === 'down' || h.state === 'degraded').map((h) => h.host);
  const off = hosts.filter((h) => h.disabled).map((h) => h.host);
  let t = `${up}/${hosts.length} up`;
  if (bad.length) t += ` down: ${bad.join(',')}`;
  if (off.length) t += ` off: ${off.join(',')}`;
  return t;
}

function stateText(s: ServiceStatusView): string {
  return s.status === 'fail' ? 'FAIL' : s.status === 'ok' ? 'ok' : 'untested';
}

function flags(s: ServiceStatusView, watchDisabled: boolean): string[] {
  const f: string[] = [];
  if (s.disabled || watchDisabled) f.push('disabled');
  if (s.acked) f.push('acked');
  if (s.overdue) f.push('OVERDUE');
  if (s.running) f.push('running');
  return f;
}

/** Why it fails, one line: the failing hosts' own summaries, else the service summary. */
function reason(s: ServiceStatusView): string {
  if (s.status !== 'fail') return '';
  const bad = s.hosts.filter((h) => h.state === 'down' || h.state === 'degraded');
  const per = bad.every((h) => h.summary === s.summary) ? [] : bad.map((h) => h.summary).filter((x): x is string => !!x && !bad.some((b) => b.host === x));
  const text = per.length ? [...new Set(per)].join('; ') : s.summary;
  return text.replace(/\s+/g, ' ').trim();
}

export function formatStatusTable(snap: StatusSnapshot, opts: TableOptions): string {
  const now = opts.now ?? snap.now;
  const paint = (code: string, t: string) => (opts.color ? code + t + C.reset : t);
  const rows: string[][] = [];
  const kinds: string[] = [];
  /** Lines under a row (lvs: one per virtual service), by row index. */
  const under = new Map<number, string[]>();
  let failing = 0;
  let total = 0;
  for (const w of snap.watches) {
    for (const s of w.services) {
      total++;
      if (s.status === 'fail') failing++;
      const f = flags(s, w.disabled);
      rows.push([`${s.watch}/${s.service}`, stateText(s), hostsText(s), ago(s.lastCheck, now), s.since ? ago(s.since, now) : '-', [f.length ? `[${f.join(',')}]` : '', reason(s)].filter(Boolean).join(' ')]);
      kinds.push(s.overdue ? 'overdue' : s.status);
      const pools = alertStateLines(s.alertStates);
      if (pools.length) under.set(rows.length - 1, pools);
    }
  }
  const head = ['SERVICE', 'STATE', 'HOSTS', 'CHECKED', 'SINCE', 'WHY'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const cut = (t: string) => (opts.width && t.length > opts.width ? t.slice(0, Math.max(10, opts.width - 1)) + '…' : t);
  const out: string[] = [];
  const title = total === 0 ? 'no services configured' : failing ? `${failing} of ${total} services failing` : `all ${total} services ok`;
  out.push((failing ? paint(C.red, title) : paint(C.green, title)) + (snap.schedulerRunning ? '' : paint(C.yellow, '  (scheduler STOPPED: no checks run)')));
  if (snap.disabledHosts.length) out.push(`disabled hosts: ${snap.disabledHosts.join(', ')}`);
  out.push(paint(C.bold, cut(line(head))));
  rows.forEach((r, i) => {
    const text = cut(line(r));
    const k = kinds[i];
    out.push(k === 'fail' ? paint(C.redRow, text) : k === 'overdue' ? paint(C.yellow, text) : k === 'untested' ? paint(C.dim, text) : text);
    for (const p of under.get(i) ?? []) out.push(cut(`    ${p}`));
  });
  return out.join('\n');
}
