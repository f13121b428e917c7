/**
 * @fileoverview Time::Period 1.25 (the module mon uses for `period` lines), ported
 * rule for rule: `sub-period, sub-period ...`, each sub-period `scale {range ...} ...`.
 * Scales in a sub-period are AND-ed, a repeated scale extends itself (OR), ranges
 * wrap around (except years), "" is always and `none` is never. Evaluated in local time.
 *
 * One deliberate difference: Time::Period only notices a bad part when it reaches
 * it (`hr {0-23}, junk` is "valid" because the first sub-period already matched);
 * here the whole spec is checked once, up front, so a typo cannot hide until 3 a.m.
 */

export type Scale = 'yr' | 'mo' | 'wk' | 'yd' | 'md' | 'wd' | 'hr' | 'min' | 'sec';

/** Local time split the way Time::Period sees it. */
export interface TimeParts {
  yr: number; // full year
  mo: number; // 0-11
  wk: number; // 0-5, week of the month (weeks start on Sunday)
  yd: number; // 0-365
  md: number; // 1-31
  wd: number; // 0-6, Sunday = 0
  hr: number;
  min: number;
  sec: number;
}

/** A range already mapped to the values of TimeParts. Years keep their 2-digit form (resolved per date). */
interface Range {
  from: number;
  to: number;
}

/** One sub-period: for each scale named in it, the ranges that satisfy it (empty = never). */
type SubPeriod = Map<Scale, Range[]>;

export interface PeriodMatcher {
  /** The spec as written. */
  readonly spec: string;
  matches(at: Date | number): boolean;
}

const LONG_NAMES: Record<string, Scale> = {
  year: 'yr', month: 'mo', week: 'wk', mday: 'md', wday: 'wd', yday: 'yd', hour: 'hr', minute: 'min', second: 'sec',
};
const CODES = new Set<string>(['yr', 'mo', 'wk', 'md', 'wd', 'yd', 'hr', 'min', 'sec']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['su', 'mo', 'tu', 'we', 'th', 'fr', 'sa'];

/** What each scale accepts, for error messages. */
const SCALE_HELP: Record<Scale, string> = {
  yr: 'a year: 1970 or later, or 0-99 for this century',
  mo: 'a month: 1-12 or jan ... dec',
  wk: 'a week of the month: 1-6',
  yd: 'a day of the year: 1-366',
  md: 'a day of the month: 1-31',
  wd: 'a day of the week: 1-7 (1 = Sunday) or su, mo, tu, we, th, fr, sa',
  hr: 'an hour: 0-23, 12am, 1am ... 11am, 12noon, 12pm, 1pm ... 11pm',
  min: 'a minute: 0-59',
  sec: 'a second: 0-59',
};

export class PeriodSyntaxError extends Error {
  constructor(
    readonly spec: string,
    readonly part: string,
    why: string,
  ) {
    super(`bad period "${spec}": ${part ? `"${part}" ` : ''}${why}`);
    this.name = 'PeriodSyntaxError';
  }
}

/** Parses a Time::Period spec; throws PeriodSyntaxError naming the bad part. */
export function parsePeriod(spec: string): PeriodMatcher {
  const text = spec.trim().toLowerCase();
  if (text === '') return { spec, matches: () => true };
  if (text === 'none') return { spec, matches: () => false };
  // Perl's split drops trailing empty fields only, so "a," is fine and ",a" is not.
  const parts = text.split(/\s*,\s*/);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const subs = parts.map((p) => parseSubPeriod(spec, p));
  return { spec, matches: (at) => matchAny(subs, timeParts(at)) };
}

const cache = new Map<string, PeriodMatcher>();
const CACHE_MAX = 1000;

/** True when `at` lies in the period. Parsed specs are cached; throws on a bad spec. */
export function inPeriod(spec: string, at: Date | number): boolean {
  let m = cache.get(spec);
  if (!m) {
    m = parsePeriod(spec);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(spec, m);
  }
  return m.matches(at);
}

/** Undefined when the spec is fine, else the message saying what is wrong. */
export function checkPeriod(spec: string): string | undefined {
  try {
    parsePeriod(spec);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function parseSubPeriod(spec: string, sub: string): SubPeriod {
  const open = count(sub, '{');
  if (open === 0) {
    throw new PeriodSyntaxError(spec, sub, 'has no "scale {range}" part; write e.g. "wd {Mon-Fri} hr {9am-5pm}", "always" is written as ""');
  }
  if (open !== count(sub, '}')) throw new PeriodSyntaxError(spec, sub, 'has unbalanced braces { }');
  const scales = sub.split(/\}\s*/);
  while (scales.length > 0 && scales[scales.length - 1] === '') scales.pop();
  if (scales.length !== open) throw new PeriodSyntaxError(spec, sub, 'has text outside "scale {ranges}" pairs');
  const out: SubPeriod = new Map();
  for (const part of scales) {
    const m = /^([a-z]*)\s*\{\s*(.*)/.exec(part);
    if (!m) throw new PeriodSyntaxError(spec, part + '}', 'is not "scale {ranges}"');
    const scale = scaleCode(spec, m[1]!);
    const ranges = m[2]!.replace(/(\w+)\s*-\s*(\w+)/g, '$1-$2').split(/\s+/).filter((r) => r !== '');
    const list = out.get(scale) ?? [];
    for (const r of ranges) list.push(parseRange(spec, scale, r));
    out.set(scale, list);
  }
  return out;
}

function scaleCode(spec: string, name: string): Scale {
  const code = name.length > 3 ? LONG_NAMES[name] : CODES.has(name) ? (name as Scale) : undefined;
  if (!code) {
    throw new PeriodSyntaxError(
      spec,
      name,
      'is not a scale; use year/yr, month/mo, week/wk, yday/yd, mday/md, wday/wd, hour/hr, minute/min or second/sec',
    );
  }
  return code;
}

function parseRange(spec: string, scale: Scale, range: string): Range {
  const dash = range.lastIndexOf('-'); // Perl's greedy /(.*)-(.*)/
  const bad = () => new PeriodSyntaxError(spec, range, `is not ${SCALE_HELP[scale]}, or a range of them like "a-b"`);
  if (dash < 0) {
    const v = parseValue(scale, range);
    if (v === undefined) throw bad();
    return { from: v, to: v };
  }
  const a = range.slice(0, dash);
  const b = range.slice(dash + 1);
  const from = parseValue(scale, a);
  const to = parseValue(scale, b);
  if (from === undefined || to === undefined) throw bad();
  return { from, to };
}

/** One value mapped to TimeParts numbering, or undefined when Time::Period returns -1 for it. */
function parseValue(scale: Scale, v: string): number | undefined {
  const n = rawValue(scale, v);
  return n === undefined || Number.isNaN(n) ? undefined : n;
}

function rawValue(scale: Scale, v: string): number | undefined {
  switch (scale) {
    case 'yr': {
      if (!/^\d+$/.test(v)) return undefined;
      const n = Number(v);
      return n > 99 && n < 1970 ? undefined : n;
    }
    case 'mo':
      return named(v, MONTHS, 3) ?? numberIn(v, 1, 12, -1);
    case 'wd':
      return named(v, WEEKDAYS, 2) ?? numberIn(v, 1, 7, -1);
    case 'wk':
      return numberIn(v, 1, 6, -1);
    case 'yd':
      return numberIn(v, 1, 366, -1);
    case 'md':
      return numberIn(v, 1, 31, 0);
    case 'hr':
      return numberIn(hour12(v), 0, 23, 0);
    case 'min':
    case 'sec':
      return numberIn(v, 0, 59, 0);
  }
}

/** A name by its first `len` letters (Time::Period ignores the rest); NaN when it has letters but is no name. */
function named(v: string, names: string[], len: number): number | undefined {
  if (!/[a-z]/.test(v)) return undefined;
  const i = names.indexOf(v.slice(0, len));
  return i < 0 ? NaN : i;
}

function numberIn(v: string, min: number, max: number, shift: number): number | undefined {
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n < min || n > max ? undefined : n + shift;
}

/** 12am = 0, 1am-11am, 12noon = 12pm = 12, 1pm-11pm = 13-23; as in Time::Period, "13am" is 13 (then range-checked). */
function hour12(v: string): string {
  let m = /^(\d+)am$/.exec(v);
  if (m) return String(Number(m[1]) === 12 ? 0 : Number(m[1]));
  m = /^(\d+)pm$/.exec(v);
  if (m) return String(Number(m[1]) === 12 ? 12 : Number(m[1]) + 12);
  m = /^(\d+)noon$/.exec(v);
  if (m) return Number(m[1]) === 12 ? '12' : 'x';
  return v;
}

function matchAny(subs: SubPeriod[], t: TimeParts): boolean {
  return subs.some((sub) => [...sub].every(([scale, ranges]) => ranges.some((r) => inRange(scale, r, t))));
}

function inRange(scale: Scale, r: Range, t: TimeParts): boolean {
  if (scale === 'yr') {
    const century = 100 * Math.floor(t.yr / 100);
    const from = r.from <= 99 ? century + r.from : r.from;
    const to = r.to <= 99 ? century + r.to : r.to;
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    return lo <= t.yr && t.yr <= hi;
  }
  // Every other scale wraps around: "hr {10pm-2am}" is 22:00:00 to 02:59:59.
  const v = t[scale];
  return r.from > r.to ? r.from <= v || r.to >= v : r.from <= v && v <= r.to;
}

/** Local-time parts of a moment, with Time::Period's week-of-month rule. */
export function timeParts(at: Date | number): TimeParts {
  const d = typeof at === 'number' ? new Date(at) : at;
  const yr = d.getFullYear();
  const mo = d.getMonth();
  const md = d.getDate();
  const wd = d.getDay();
  const yd = Math.round((Date.UTC(yr, mo, md) - Date.UTC(yr, 0, 1)) / 86_400_000);
  // Week 0 runs up to the first Saturday; every later Sunday (not the 1st) starts a new week.
  let wk = 0;
  for (let day = 2; day <= md; day++) if ((wd - (md - day) + 700) % 7 === 0) wk++;
  return { yr, mo, wk, yd, md, wd, hr: d.getHours(), min: d.getMinutes(), sec: d.getSeconds() };
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}
