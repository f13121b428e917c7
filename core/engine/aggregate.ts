/**
 * @fileoverview Turns per-host check results into one service run, pure. The
 * summary follows mon's convention (the failing hosts, space-separated), so mon
 * alert scripts that parse it keep working.
 */
import type { GroupCheckResult, HostCheckResult } from '../types.ts';
import type { RunResult } from '../state.ts';

/**
 * What one plugin result may carry into the engine. A runaway monitor (a whole
 * response body as its summary) otherwise costs every state copy, store write
 * and alert: 4 MB per run stalled the scheduler for 700 ms.
 */
export const LIMITS = { hostSummary: 4096, hostDetail: 64 * 1024, groupSummary: 64 * 1024, groupOutput: 2 * 1024 * 1024 };

export function capText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n[vigil: cut at ${max} characters]`;
}

function capHost(r: HostCheckResult): HostCheckResult {
  if (r.summary.length <= LIMITS.hostSummary && (r.detail?.length ?? 0) <= LIMITS.hostDetail) return r;
  const out = { ...r, summary: capText(r.summary, LIMITS.hostSummary) };
  if (r.detail !== undefined) out.detail = capText(r.detail, LIMITS.hostDetail);
  return out;
}

/** One run from its hosts' results; a result over LIMITS is replaced in `results` by a capped copy. */
export function fromHostResults(
  hosts: string[],
  results: Record<string, HostCheckResult>,
  at: number,
  durationMs: number,
): RunResult {
  const failed: string[] = [];
  const degraded: string[] = [];
  const lines: string[] = [];
  // In place: `results` is the run's own record, and a copy of it for every run is
  // garbage for nothing when no result is over its limit (the usual case).
  for (const h in results) {
    const r = results[h]!;
    const c = capHost(r);
    if (c !== r) results[h] = c;
  }
  for (const h of hosts) {
    const r = results[h];
    if (!r) continue;
    if (!r.ok) {
      failed.push(h);
      lines.push(`${h}: ${r.summary}`);
    } else if (r.degraded) {
      degraded.push(h);
      lines.push(`${h}: degraded: ${r.summary}`);
    }
  }
  const summary = [...failed].sort().join(' ');
  const detail = lines.join('\n');
  return {
    at,
    durationMs,
    ok: failed.length === 0,
    summary,
    detail,
    output: detail ? `${summary}\n${detail}\n` : summary ? `${summary}\n` : '',
    source: 'monitor',
    hosts: results,
    failedHosts: failed,
    degradedHosts: degraded,
  };
}

/** A group plugin's answer as the engine can use it, whatever the plugin returned. */
function groupShape(given: unknown): GroupCheckResult {
  const g = given as GroupCheckResult | null | undefined;
  if (!g || typeof g !== 'object' || typeof g.ok !== 'boolean') return { ok: false, summary: 'monitor plugin returned no result (expected { ok, summary })' };
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  return {
    ...g,
    summary: typeof g.summary === 'string' ? g.summary : String(g.summary ?? ''),
    ...(g.detail !== undefined ? { detail: String(g.detail) } : {}),
    ...(g.output !== undefined ? { output: String(g.output) } : {}),
    ...(g.failedHosts !== undefined ? { failedHosts: list(g.failedHosts) } : {}),
    ...(g.degradedHosts !== undefined ? { degradedHosts: list(g.degradedHosts) } : {}),
    ...(g.hosts !== undefined && (typeof g.hosts !== 'object' || g.hosts === null) ? { hosts: undefined } : {}),
  };
}

export function fromGroupResult(hosts: string[], answer: unknown, at: number, durationMs: number): RunResult {
  const given = groupShape(answer);
  const r: GroupCheckResult = {
    ...given,
    summary: capText(given.summary, LIMITS.groupSummary),
    ...(given.detail !== undefined ? { detail: capText(given.detail, LIMITS.groupOutput) } : {}),
    ...(given.output !== undefined ? { output: capText(given.output, LIMITS.groupOutput) } : {}),
  };
  const failedHosts = r.ok ? [] : r.failedHosts && r.failedHosts.length ? r.failedHosts : [...hosts];
  const degradedHosts = r.degradedHosts ?? [];
  const perHost: Record<string, HostCheckResult> = {};
  for (const h of hosts) {
    const own = r.hosts?.[h];
    if (own && typeof own === 'object' && typeof own.ok === 'boolean') perHost[h] = capHost({ ...own, summary: String(own.summary ?? '') });
    else if (failedHosts.includes(h)) perHost[h] = { ok: false, summary: r.summary || 'failed' };
    else perHost[h] = { ok: true, degraded: degradedHosts.includes(h), summary: 'ok' };
  }
  const detail = r.detail ?? '';
  return {
    at,
    durationMs,
    ok: r.ok,
    summary: r.summary,
    detail,
    output: r.output ?? (detail ? `${r.summary}\n${detail}` : r.summary),
    exitCode: r.exitCode ?? (r.ok ? 0 : 1),
    source: 'monitor',
    hosts: perHost,
    failedHosts,
    degradedHosts,
  };
}
