/**
 * @fileoverview Turns per-host check results into one service run, pure. The
 * summary follows mon's convention (the failing hosts, space-separated), so mon
 * alert scripts that parse it keep working.
 */
import type { GroupCheckResult, HostCheckResult } from '../types.ts';
import type { RunResult } from '../state.ts';

export function fromHostResults(
  hosts: string[],
  results: Record<string, HostCheckResult>,
  at: number,
  durationMs: number,
): RunResult {
  const failed: string[] = [];
  const degraded: string[] = [];
  const lines: string[] = [];
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

export function fromGroupResult(hosts: string[], r: GroupCheckResult, at: number, durationMs: number): RunResult {
  const failedHosts = r.ok ? [] : r.failedHosts && r.failedHosts.length ? r.failedHosts : [...hosts];
  const degradedHosts = r.degradedHosts ?? [];
  const perHost: Record<string, HostCheckResult> = {};
  for (const h of hosts) {
    const given = r.hosts?.[h];
    if (given) perHost[h] = given;
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
