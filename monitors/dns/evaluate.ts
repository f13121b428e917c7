/**
 * @fileoverview Pure judgement of one DNS answer against the service's expectations:
 * no I/O, so every rule is unit-tested with hand-made answers.
 */
import type { Answer } from 'dns-packet';
import type { HostCheckResult } from '../../core/types.ts';
import { formatRecord, type AnswerMatcher } from './records.ts';

export interface Expectations {
  rcode: string;
  answers: AnswerMatcher[];
  minAnswers: number;
  maxLatencyMs?: number;
  latencyFails: boolean;
}

export interface Observed {
  /** "127.0.0.1: A www.example.test" : who was asked what. */
  prefix: string;
  rcode: string;
  /** Why the answer could not be decoded, when it could not. */
  malformed?: string;
  /** All answer records (CNAME chain included). */
  records: Answer[];
  /** Record type asked for; only these count for `answers` and `minAnswers`. */
  type: string;
  latencyMs: number;
  /** "UDP", "TCP" or "UDP, truncated, then TCP". */
  via: string;
}

const SHOWN = 5;

export function evaluate(o: Observed, e: Expectations): HostCheckResult {
  // One pass, no intermediate arrays or closures: this runs for every check.
  const ms = round(o.latencyMs);
  const values: string[] = [];
  let detail = `rcode ${o.rcode} via ${o.via} in ${ms} ms`;
  for (const r of o.records) {
    const v = formatRecord(r);
    if (r.type === o.type) values.push(v);
    detail += `\n${r.name} ${r.type} ${v}`;
  }
  const metrics = { latencyMs: o.latencyMs, answers: values.length };

  if (o.malformed) return failed(o, `${o.rcode}, ${o.malformed}`, detail, metrics);
  if (o.rcode !== e.rcode) return failed(o, `${o.rcode} (expected ${e.rcode})`, detail, metrics);
  if (e.answers.length) {
    const missing = e.answers.filter((m) => !values.some((v) => m.test(v)));
    if (missing.length) {
      return failed(o, `no answer matches ${missing.map((m) => JSON.stringify(m.text)).join(', ')} (got ${list(values)})`, detail, metrics);
    }
  }
  if (values.length < e.minAnswers) {
    return failed(o, `${count(values.length)} (${list(values)}), expected at least ${e.minAnswers}`, detail, metrics);
  }
  const seen = `${o.rcode}, ${count(values.length)}${values.length ? ` (${list(values)})` : ''}`;
  if (e.maxLatencyMs !== undefined && o.latencyMs > e.maxLatencyMs) {
    const why = `answered in ${ms} ms, over the ${e.maxLatencyMs} ms limit (${seen})`;
    if (e.latencyFails) return failed(o, why, detail, metrics);
    return { ok: true, degraded: true, summary: `${o.prefix}: ${why}`, latencyMs: o.latencyMs, detail, metrics };
  }
  return { ok: true, summary: `${o.prefix}: ${seen}, ${ms} ms`, latencyMs: o.latencyMs, detail, metrics };
}

function failed(o: Observed, why: string, detail: string, metrics: Record<string, number>): HostCheckResult {
  return { ok: false, summary: `${o.prefix}: ${why}`, latencyMs: o.latencyMs, detail, metrics };
}

function list(values: string[]): string {
  if (values.length === 0) return 'none';
  if (values.length === 1) return values[0]!;
  const shown = values.slice(0, SHOWN).join(', ');
  return values.length > SHOWN ? `${shown}, +${values.length - SHOWN} more` : shown;
}

function count(n: number): string {
  return n === 1 ? '1 answer' : `${n} answers`;
}

function round(ms: number): number {
  return ms < 10 ? Math.round(ms * 100) / 100 : Math.round(ms);
}
