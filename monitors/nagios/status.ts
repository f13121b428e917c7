/**
 * @fileoverview Pure: a Nagios plugin's exit status and output -> a host result.
 * 0 OK, 1 WARNING (degraded), 2 CRITICAL, 3 UNKNOWN; `failOn` says which count as failed.
 */
import type { HostCheckResult } from '../../core/types.ts';
import { parsePluginOutput, perfMetrics } from './perfdata.ts';

export const STATE_NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

export interface PluginEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  durationMs: number;
  /** vigil stopped it (the check's timeout fired). */
  aborted: boolean;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;

export function interpretPlugin(end: PluginEnd, failOn: readonly number[]): HostCheckResult {
  const out = parsePluginOutput(end.output);
  const metrics = perfMetrics(out.perf);
  const extra = { detail: out.detail || undefined, metrics: Object.keys(metrics).length ? metrics : undefined };
  if (end.aborted) return { ok: false, summary: `UNKNOWN: timed out after ${seconds(end.durationMs)}`, ...extra };
  if (end.exitCode === null) {
    const text = out.summary ? `: ${out.summary}` : '';
    return { ok: false, summary: `UNKNOWN: plugin killed by signal ${end.signal}${text}`, ...extra };
  }
  const code = end.exitCode;
  const state = STATE_NAMES[code] ?? 'UNKNOWN';
  const summary = out.summary || `${state} (exit ${code}, no output)`;
  if (code === 0) return { ok: true, summary, ...extra };
  // The plugin API knows 0-3 only: anything else (127 = not runnable, 255 = crash) is UNKNOWN.
  if (failOn.includes(code) || (code > 3 && failOn.includes(3))) return { ok: false, summary, ...extra };
  return { ok: true, degraded: true, summary, ...extra };
}
