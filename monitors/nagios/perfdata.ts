/**
 * @fileoverview Nagios plugin output (the Plugin API / monitoring-plugins guidelines),
 * pure: the first line is the status text, `|` starts performance data, later lines
 * are long text until one holding `|`, after which every line is performance data.
 * Perfdata: `'label'=value[UOM];[warn];[crit];[min];[max]`, quoted labels may hold
 * spaces and `''` for a quote; `U` is an undeterminable value; warn/crit are ranges
 * (`10`, `10:`, `~:10`, `10:20`, `@10:20`).
 */

/** A threshold range: alert when the value is outside [start, end] (inside when `inside`). */
export interface Range {
  start: number; // -Infinity for `~`
  end: number; // Infinity when omitted
  inside: boolean;
  text: string;
}

export interface PerfItem {
  label: string;
  /** Undefined for `U` (the plugin could not determine it). */
  value?: number;
  uom: string;
  warn?: Range;
  crit?: Range;
  min?: number;
  max?: number;
}

export interface PluginOutput {
  /** First line before `|`, trimmed. */
  summary: string;
  /** Long text (lines after the first, perfdata removed). */
  detail: string;
  perf: PerfItem[];
  /** Perfdata tokens that could not be read, as written. */
  bad: string[];
}

const NUM = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function num(s: string): number | undefined {
  const t = s.trim().replace(',', '.');
  if (!NUM.test(t)) return undefined;
  // 1e999 matches the pattern but is Infinity, which JSON (null) and metrics cannot carry: unreadable.
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** `@10:20`, `~:5`, `10:`, `10` -> Range; empty -> undefined; malformed -> null. */
export function parseRange(text: string): Range | undefined | null {
  let t = text.trim();
  if (t === '') return undefined;
  const inside = t.startsWith('@');
  if (inside) t = t.slice(1);
  const colon = t.indexOf(':');
  let start = 0;
  let end: number | undefined;
  if (colon < 0) {
    end = num(t);
    if (end === undefined) return null;
  } else {
    const a = t.slice(0, colon);
    const b = t.slice(colon + 1);
    if (a === '~') start = -Infinity;
    else if (a !== '') {
      const v = num(a);
      if (v === undefined) return null;
      start = v;
    }
    if (b === '') end = Infinity;
    else {
      end = num(b);
      if (end === undefined) return null;
    }
  }
  if (start > end) return null;
  return { start, end, inside, text: text.trim() };
}

/** Splits perfdata into `label=rest` tokens, honouring quoted labels. */
export function tokenize(perf: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < perf.length) {
    while (i < perf.length && /\s/.test(perf[i]!)) i++;
    if (i >= perf.length) break;
    const start = i;
    if (perf[i] === "'") {
      i++;
      while (i < perf.length) {
        if (perf[i] === "'" && perf[i + 1] === "'") i += 2;
        else if (perf[i] === "'") {
          i++;
          break;
        } else i++;
      }
    }
    while (i < perf.length && !/\s/.test(perf[i]!)) i++;
    out.push(perf.slice(start, i));
  }
  return out;
}

/** One `label=value...` token, or undefined when it is not one. */
export function parseItem(token: string): PerfItem | undefined {
  let label: string;
  let rest: string;
  if (token.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'=(.*)$/s.exec(token);
    if (!m) return undefined;
    label = m[1]!.replaceAll("''", "'");
    rest = m[2]!;
  } else {
    const eq = token.indexOf('=');
    if (eq <= 0) return undefined;
    label = token.slice(0, eq);
    rest = token.slice(eq + 1);
  }
  if (label === '') return undefined;
  const [valueUom = '', warn = '', crit = '', min = '', max = ''] = rest.split(';');
  const vm = /^([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?|U)([^\d;]*)$/.exec(valueUom.trim());
  if (!vm) return undefined;
  const item: PerfItem = { label, uom: vm[1] === 'U' ? '' : vm[2]! };
  if (vm[1] !== 'U') item.value = num(vm[1]!);
  const w = parseRange(warn);
  const c = parseRange(crit);
  if (w === null || c === null) return undefined;
  if (w) item.warn = w;
  if (c) item.crit = c;
  const mn = min.trim() === '' ? undefined : num(min);
  const mx = max.trim() === '' ? undefined : num(max);
  if (mn !== undefined) item.min = mn;
  if (mx !== undefined) item.max = mx;
  return item;
}

/** Splits raw plugin output into summary, long text and perfdata. */
export function parsePluginOutput(raw: string): PluginOutput {
  const lines = raw.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const [first = '', ...later] = lines;
  const bar = first.indexOf('|');
  const summary = (bar < 0 ? first : first.slice(0, bar)).trim();
  const perfTexts = bar < 0 ? [] : [first.slice(bar + 1)];
  const text: string[] = [];
  let inPerf = false;
  for (const line of later) {
    if (inPerf) {
      perfTexts.push(line);
      continue;
    }
    const b = line.indexOf('|');
    if (b < 0) text.push(line);
    else {
      text.push(line.slice(0, b));
      perfTexts.push(line.slice(b + 1));
      inPerf = true;
    }
  }
  const perf: PerfItem[] = [];
  const bad: string[] = [];
  for (const tok of perfTexts.flatMap(tokenize)) {
    const item = parseItem(tok);
    if (item) perf.push(item);
    else bad.push(tok);
  }
  return { summary, detail: text.join('\n').replace(/\s+$/, ''), perf, bad };
}

/** A plain number threshold (`10`) as a number; real ranges have no single figure. */
function rangeFigure(r: Range | undefined): number | undefined {
  return r && !r.inside && r.start === 0 && Number.isFinite(r.end) && !r.text.includes(':') ? r.end : undefined;
}

/** label -> value, plus label_warn/_crit/_min/_max where they are plain numbers. `U` values are left out. */
export function perfMetrics(items: readonly PerfItem[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const it of items) {
    if (it.value !== undefined) m[it.label] = it.value;
    const extra: [string, number | undefined][] = [
      ['warn', rangeFigure(it.warn)],
      ['crit', rangeFigure(it.crit)],
      ['min', it.min],
      ['max', it.max],
    ];
    for (const [k, v] of extra) if (v !== undefined) m[`${it.label}_${k}`] = v;
  }
  return m;
}
