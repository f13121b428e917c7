/**
 * @fileoverview Durations in the email options: seconds as a number, or mon's
 * `30s`/`5m`/`1h`/`1d`. (Plugins import only core/types.ts, hence this copy.)
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function toMs(v: number | string, what: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v * 1000);
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|[smhd])\s*$/i.exec(v) : null;
  if (!m) throw new Error(`email option "${what}": ${JSON.stringify(v)} is not a duration; write seconds (60) or "30s", "5m", "1h", "1d"`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!);
}
