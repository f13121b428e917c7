/**
 * @fileoverview mon's value forms that need more than a schema pattern: alertafter,
 * alertevery, exit ranges and dependency lists. Pure: each returns the value, an
 * error message for the operator, or nothing (a value the schema already refused).
 */
import { formatDuration, parseDuration } from '../duration.ts';
import type { AlertAfter, AlertEvery, AlertEveryMode } from '../model.ts';

export type Form<T> = { value: T } | { error: string } | undefined;

/** `2` | `"2"` | `"2 10m"` | `"10m"`; `"N T"` with (N-1) x interval >= T is "not sensible", as in mon. */
export function parseAlertAfter(v: unknown, intervalMs?: number): Form<AlertAfter> {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 1 ? { value: { kind: 'count', count: v } } : undefined;
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    return count >= 1 ? { value: { kind: 'count', count } } : { error: 'alertafter must be at least 1' };
  }
  const m = /^(\d+)\s+(.+)$/.exec(text);
  if (m) {
    const count = Number(m[1]);
    const withinMs = parseDuration(m[2]!);
    if (withinMs === undefined) return undefined;
    if (count < 1) return { error: 'alertafter must be at least 1' };
    if (intervalMs !== undefined && (count - 1) * intervalMs >= withinMs) {
      return {
        error: `alertafter "${text}" is not sensible (as mon says): with interval ${formatDuration(intervalMs)}, ${count} failures take at least ${formatDuration((count - 1) * intervalMs)}, so they never fit in ${formatDuration(withinMs)}; raise the time or lower the count`,
      };
    }
    return { value: { kind: 'count-within', count, withinMs } };
  }
  const durationMs = parseDuration(text);
  if (durationMs === undefined) return undefined;
  if (durationMs === 0) return { error: 'alertafter must be more than 0' };
  return { value: { kind: 'duration', durationMs } };
}

/** `"1h"` optionally followed by summary, strict, observe_detail or ignore_summary. */
export function parseAlertEvery(v: unknown): Form<AlertEvery> {
  if (typeof v !== 'string') return undefined;
  const [time, mode, extra] = v.trim().split(/\s+/);
  const ms = parseDuration(time ?? '');
  if (ms === undefined || extra !== undefined) return undefined;
  if (mode !== undefined && !['summary', 'strict', 'observe_detail', 'ignore_summary'].includes(mode)) return undefined;
  if (ms === 0) return { error: 'alertevery must be more than 0; remove it to alert on every failure' };
  return { value: { ms, mode: (mode ?? 'default') as AlertEveryMode } };
}

/** mon's `exit=N` / `exit=N-M` and `alertexitrange`. */
export function parseExitRange(v: unknown): Form<[number, number]> {
  let r: [number, number] | undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) r = [v, v];
  const m = typeof v === 'string' ? /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(v) : null;
  if (m) r = [Number(m[1]), Number(m[2] ?? m[1])];
  if (!r) return undefined;
  if (r[0] > r[1]) return { error: `exit range "${String(v)}" is backwards; write the lower code first, e.g. "${r[1]}-${r[0]}"` };
  return { value: r };
}

/** A list of terms is AND-ed (each non-trivial term in parentheses); `SELF:` means this watch, as in mon. */
export function dependExpr(v: unknown, watch: string): string | undefined {
  const terms = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  if (terms.length === 0) return undefined;
  const expr = terms.length === 1 ? terms[0]! : terms.map((t) => (/^[\w.:-]+$/.test(t.trim()) ? t.trim() : `(${t})`)).join(' && ');
  return expr.replace(/\bSELF:/g, `${watch}:`);
}
