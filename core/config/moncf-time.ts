/**
 * @fileoverview mon's time values (`dhmstos`) and the `alertafter`,
 * `alertevery`, `exit=` forms, as pure functions. A timeval needs its unit:
 * `30` is an error, `30s`, `1.5h`, `1d` are fine.
 */
import type { AlertAfter, AlertEvery } from '../model.ts';

const TIMEVAL = /^\s*(\d+(?:\.\d+)?)([dhms])\s*$/i;
const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Milliseconds of a mon timeval, or undefined when it is not one (mon's dhmstos). */
export function timevalMs(text: string): number | undefined {
  const m = TIMEVAL.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SECONDS[m[2]!.toLowerCase()]! * 1000);
}

/** `alertafter N`, `alertafter TIMEVAL` (integer, h/m/s only) or `alertafter N TIMEVAL`, with mon's regexes. */
export function parseAlertAfter(args: string, intervalMs: number | undefined): AlertAfter | string {
  let m = /^(\d+)$/.exec(args);
  if (m) return { kind: 'count', count: Number(m[1]) };
  m = /^(\d+[hms])$/.exec(args);
  if (m) {
    const ms = timevalMs(m[1]!);
    if (!ms) return `invalid time interval '${args}' (syntax: alertafter N | alertafter TIMEVAL | alertafter N TIMEVAL, e.g. "alertafter 2 30m")`;
    return { kind: 'duration', durationMs: ms };
  }
  m = /(\d+)\s+(\d+[hms])$/.exec(args);
  if (m) {
    const count = Number(m[1]);
    const withinMs = timevalMs(m[2]!)!;
    if ((count - 1) * (intervalMs ?? 0) >= withinMs) {
      return `interval & alertafter not sensible: ${count} failures ${formatSeconds(intervalMs ?? 0)} apart never fit in ${m[2]}, so no alert could ever be sent; raise the time window or lower the count`;
    }
    return { kind: 'count-within', count, withinMs };
  }
  return `invalid alertafter '${args}' (syntax: alertafter N | alertafter TIMEVAL | alertafter N TIMEVAL, e.g. "alertafter 2 30m")`;
}

/** `alertevery TIMEVAL [observe_detail|ignore_summary|strict|summary]` with mon's (unanchored) regexes. */
export function parseAlertEvery(args: string): AlertEvery | string {
  let mode: AlertEvery['mode'] = 'default';
  let value = args;
  let m: RegExpExecArray | null;
  if ((m = /(\S+)\s+observe_detail\s*$/i.exec(args))) [mode, value] = ['observe_detail', m[1]!];
  else if ((m = /(\S+)\s+ignore_summary\s*$/i.exec(args))) [mode, value] = ['ignore_summary', m[1]!];
  else if ((m = /(\S+)\s+summary/i.exec(args))) [mode, value] = ['summary', m[1]!];
  else if ((m = /(\S+)\s+strict\s*$/i.exec(args))) [mode, value] = ['strict', m[1]!];
  const ms = timevalMs(value);
  if (!ms) return `invalid time interval '${args}' (syntax: alertevery TIMEVAL [strict|observe_detail|ignore_summary], e.g. "alertevery 1h")`;
  return { ms, mode };
}

/** `N` or `N-M` (mon's inRange forms) as an inclusive range. */
export function parseExitRange(text: string): [number, number] | undefined {
  const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function formatSeconds(ms: number): string {
  return `${ms / 1000}s`;
}
