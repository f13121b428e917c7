/**
 * @fileoverview Text rendering of `vigil history`: one line per record, times in
 * local time, oldest first, like mon's alerthist/failurehist but readable. Pure.
 */
import type { HistoryRecord, OutboxEntry } from '../runtime.ts';

const p2 = (n: number) => String(n).padStart(2, '0');

/** `2026-11-26 03:50:07` in local time. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function formatHistory(recs: HistoryRecord[]): string[] {
  if (recs.length === 0) return ['(no history records match)'];
  const rows = [['TIME', 'KIND', 'TYPE', 'WATCH/SERVICE', 'HOST', 'VIA', 'SUMMARY']];
  for (const r of recs) {
    rows.push([localTime(r.at), r.kind, r.type, `${r.watch}/${r.service}`, r.host ?? '-', r.plugin ?? '-', r.summary.split('\n')[0]!]);
  }
  return table(rows);
}

export function formatDeliveries(entries: OutboxEntry[]): string[] {
  if (entries.length === 0) return ['(no deliveries match)'];
  const rows = [['CREATED', 'STATE', 'TRIES', 'TYPE', 'WATCH/SERVICE', 'PLUGIN', 'TARGET', 'NEXT TRY / DONE', 'LAST ERROR']];
  for (const e of entries) {
    const when = e.state === 'pending' ? (e.nextAttemptAt ? localTime(e.nextAttemptAt) : 'now') : e.deliveredAt ? localTime(e.deliveredAt) : '-';
    rows.push([localTime(e.createdAt), e.state, String(e.attempts), e.type, `${e.watch}/${e.service}`, e.plugin, e.target, when, e.lastError ?? '']);
  }
  return table(rows);
}
