/**
 * @fileoverview Pure judgement of one fping run for a whole hostgroup: which hosts fail
 * (loss over the limit, no reply, not in fping's output at all), which are slow, and the
 * mon-style summary (the failing hosts, sorted, space-separated) and detail.
 */
import type { GroupCheckResult, HostCheckResult } from '../../core/types.ts';
import type { PingStats } from './fping-output.ts';

export interface IcmpLimits {
  count: number;
  maxLossPercent: number;
  maxRttMs?: number;
  rttFails: boolean;
}

/**
 * `hosts` as in the group; `target(host)` is what fping was given for it (brackets
 * removed); `stats` is fping's parsed output keyed by target.
 */
export function evaluatePing(
  hosts: string[],
  target: (host: string) => string,
  stats: Map<string, PingStats>,
  limits: IcmpLimits,
): GroupCheckResult {
  const perHost: Record<string, HostCheckResult> = {};
  const failed: string[] = [];
  const slow: string[] = [];
  for (const host of hosts) {
    const r = judgeHost(host, stats.get(target(host)), limits);
    perHost[host] = r;
    if (!r.ok) failed.push(host);
    else if (r.degraded) slow.push(host);
  }
  failed.sort();
  slow.sort();
  const section = (title: string, list: string[]) =>
    list.length ? [title, ...list.map((h) => `  ${perHost[h]!.summary}`), ''] : [];
  const fine = hosts.filter((h) => perHost[h]!.ok && !perHost[h]!.degraded);
  const detail = [
    ...section('unreachable hosts', failed),
    ...section(`slow hosts (average rtt over ${limits.maxRttMs} ms)`, slow),
    ...section('reachable hosts', fine),
  ].join('\n').trimEnd();
  let summary = `${hosts.length === 1 ? '1 host answers' : `${hosts.length} hosts answer`} ping`;
  if (failed.length) summary = failed.join(' '); // mon's fping.monitor: the failing hosts, sorted
  else if (slow.length) summary = `slow: ${slow.join(' ')}`;
  const result: GroupCheckResult = { ok: failed.length === 0, summary, detail, hosts: perHost };
  if (failed.length) result.failedHosts = failed;
  if (slow.length) result.degradedHosts = slow;
  return result;
}

function judgeHost(host: string, s: PingStats | undefined, l: IcmpLimits): HostCheckResult {
  if (!s) {
    // fping -q says nothing about a name it cannot resolve.
    return { ok: false, summary: `${host}: no result from fping (does the name resolve?)` };
  }
  const avg = s.rtts.length ? s.rtts.reduce((a, b) => a + b, 0) / s.rtts.length : undefined;
  const metrics: Record<string, number> = { lossPercent: s.lossPercent, sent: s.sent, received: s.received };
  let rtt = '';
  if (avg !== undefined) {
    metrics.rttMin = Math.min(...s.rtts);
    metrics.rttAvg = round(avg);
    metrics.rttMax = Math.max(...s.rtts);
    rtt = `, rtt min/avg/max ${metrics.rttMin}/${metrics.rttAvg}/${metrics.rttMax} ms`;
  }
  const base = { latencyMs: avg, metrics };
  const seen = `${s.received}/${s.sent} replies, ${s.lossPercent}% loss${rtt}`;
  if (s.received === 0 || s.lossPercent > l.maxLossPercent) {
    const why = s.received === 0 ? 'no reply' : `loss over ${l.maxLossPercent}%`;
    return { ok: false, summary: `${host}: ${why}: ${seen}`, ...base };
  }
  if (l.maxRttMs !== undefined && avg! > l.maxRttMs) {
    const summary = `${host}: slow, average rtt over ${l.maxRttMs} ms: ${seen}`;
    return l.rttFails ? { ok: false, summary, ...base } : { ok: true, degraded: true, summary, ...base };
  }
  return { ok: true, summary: `${host}: ${seen}`, ...base };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
