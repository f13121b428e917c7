/**
 * @fileoverview mon's time values: `30s`, `5m`, `1.5h`, `1d` (the unit is mandatory, as in mon).
 */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TIMEVAL = /^\s*(\d+(?:\.\d+)?)\s*(ms|[dhms])\s*$/i;

/** Milliseconds of a mon time value, or undefined when it is not one. `ms` is accepted too. */
export function parseDuration(text: string): number | undefined {
  const m = TIMEVAL.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const n = Number(m[1]);
  return unit === 'ms' ? n : Math.round(n * UNIT_MS[unit]!);
}

/** Shortest mon-style rendering: 90000 -> "90s", 3600000 -> "1h". */
export function formatDuration(ms: number): string {
  for (const [u, f] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= f && ms % f === 0) return `${ms / f}${u}`;
  }
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
