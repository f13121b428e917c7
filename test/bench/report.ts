/**
 * @fileoverview The table printed per scenario, and vigil's ratios to the references.
 */
import type { RefResult, ScenarioResult } from './scenario.ts';

const f = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));

export interface Ratios {
  /** vigil CPU per check / bare-Node CPU per probe (target: <= 1.5). */
  vsBare?: number;
  /** fork+exec CPU per check / vigil CPU per check (target: >= 50). */
  forkVsVigil?: number;
}

/**
 * A reference whose every probe failed measured nothing worth comparing (the
 * monitoring-plugins not installed, targets gone): it gives no ratio.
 */
function measured(ref: RefResult): boolean {
  return ref.probes > 0 && ref.failed < ref.probes;
}

export function ratios(r: ScenarioResult): Ratios {
  return {
    vsBare: r.bare && measured(r.bare) ? r.cpuPerCheckMs / r.bare.cpuPerProbeMs : undefined,
    forkVsVigil: r.fork && measured(r.fork) ? r.fork.cpuPerProbeMs / r.cpuPerCheckMs : undefined,
  };
}

/**
 * Runs of one reference taken as one measurement: CPU over probes, so a run that
 * did more probes weighs more. Undefined without runs.
 */
export function pooledRef(runs: readonly RefResult[]): RefResult | undefined {
  if (runs.length === 0) return undefined;
  const probes = runs.reduce((n, r) => n + r.probes, 0);
  const cpuMs = runs.reduce((n, r) => n + r.cpuMs, 0);
  return {
    probes,
    failed: runs.reduce((n, r) => n + r.failed, 0),
    cpuMs,
    cpuPerProbeMs: probes ? cpuMs / probes : NaN,
    error: runs.find((r) => r.error)?.error,
  };
}

/** One reference's row: its cost, or why there is none. */
function refRow(ref: RefResult | undefined, digits: number, unit: string): string {
  if (!ref) return '-';
  const cost = `${f(ref.cpuPerProbeMs, digits)} ms  (${ref.probes} ${unit}, ${ref.failed} failed)`;
  return measured(ref) ? cost : `not measured: every one failed; first: ${ref.error ?? 'no error recorded'}`;
}

/** The memory one more host costs: the slope between two sizes of one kind in the same run. */
export interface MarginalMemory {
  kind: string;
  fromN: number;
  toN: number;
  /** (VmHWM at toN - VmHWM at fromN) / (toN - fromN), bytes. */
  peakBytesPerHost: number;
  /** The same with the median RSS over the window; undefined when either has no sample. */
  settledBytesPerHost?: number;
}

/**
 * Per kind, the smallest against the largest size run. Unlike the figure above the
 * empty process, it leaves out what any busy vigil holds whatever its hosts (code
 * the JIT optimised, the store's page cache, the collector's minimum room), which at
 * 1,000 hosts is most of the per-host figure.
 */
export function marginalMemory(results: readonly ScenarioResult[]): MarginalMemory[] {
  const byKind = new Map<string, ScenarioResult[]>();
  for (const r of results) {
    const same = byKind.get(r.spec.kind);
    if (same) same.push(r);
    else byKind.set(r.spec.kind, [r]);
  }
  const out: MarginalMemory[] = [];
  for (const [kind, rs] of byKind) {
    if (rs.length < 2) continue;
    const sorted = [...rs].sort((a, b) => a.spec.n - b.spec.n);
    const lo = sorted[0]!;
    const hi = sorted[sorted.length - 1]!;
    if (hi.spec.n === lo.spec.n) continue;
    const dn = hi.spec.n - lo.spec.n;
    const settledLo = lo.rssWindowKiB.p50;
    const settledHi = hi.rssWindowKiB.p50;
    out.push({
      kind,
      fromN: lo.spec.n,
      toN: hi.spec.n,
      peakBytesPerHost: ((hi.hwmKiB - lo.hwmKiB) * 1024) / dn,
      settledBytesPerHost: settledLo !== undefined && settledHi !== undefined ? ((settledHi - settledLo) * 1024) / dn : undefined,
    });
  }
  return out;
}

export function formatMarginal(m: readonly MarginalMemory[]): string {
  if (m.length === 0) return '';
  const lines = m.map(
    (x) => `  ${`${x.kind} ${x.fromN} -> ${x.toN}`.padEnd(22)}  peak ${f(x.peakBytesPerHost / 1024)} KiB/host, settled ${f(x.settledBytesPerHost === undefined ? undefined : x.settledBytesPerHost / 1024)} KiB/host`,
  );
  return ['memory per added host (slope between two sizes of one kind, this run)', ...lines].join('\n');
}

export function formatTable(r: ScenarioResult): string {
  const q = ratios(r);
  const rows: Array<[string, string]> = [
    ['checks/s achieved / configured', `${f(r.achievedPerS, 1)} / ${f(r.configuredPerS, 1)}  (${r.checks} checks in ${f(r.windowS, 1)} s)`],
    ['scheduler lag p50 / p99 / max', `${f(r.lagMs.p50)} / ${f(r.lagMs.p99)} / ${f(r.lagMs.max)} ms`],
    ['check latency p50 / p99', `${f(r.latencyMs.p50)} / ${f(r.latencyMs.p99)} ms`],
    ['vigil CPU per check (user+sys)', `${f(r.cpuPerCheckMs, 3)} ms${r.cpuPerCheckNetMs !== undefined ? `  (${f(r.cpuPerCheckNetMs, 3)} ms above the idle process)` : ''}, every target alive, ${f(r.steady.windowS, 0)} s`],
    ['  the same while hosts die', `${f(r.withKills.cpuPerCheckMs, 3)} ms  (kill window, ${f(r.withKills.windowS, 0)} s)`],
    ['bare-Node CPU per probe', refRow(r.bare, 3, 'probes')],
    ['  each run (before / after vigil)', r.bareRuns && r.bareRuns.length > 1 ? r.bareRuns.map((x) => `${f(x.cpuPerProbeMs, 3)} ms`).join(' / ') : '-'],
    ['fork+exec CPU per check (mon)', refRow(r.fork, 2, 'checks')],
    ['vigil / bare-Node', q.vsBare === undefined ? '-' : `${f(q.vsBare)}x`],
    ['fork+exec / vigil', q.forkVsVigil === undefined ? '-' : `${f(q.forkVsVigil, 0)}x`],
    ['peak RSS (VmHWM)', `${f(r.hwmKiB / 1024, 1)} MiB${r.bytesPerHost !== undefined ? `, ${f(r.bytesPerHost / 1024)} KiB/host above the empty process` : ''}`],
    [
      'RSS over the window (median / max)',
      r.rssWindowKiB.p50 === undefined
        ? '-'
        : `${f(r.rssWindowKiB.p50 / 1024, 1)} / ${f((r.rssWindowKiB.max ?? NaN) / 1024, 1)} MiB${r.steadyBytesPerHost !== undefined ? `, ${f(r.steadyBytesPerHost / 1024)} KiB/host above the empty process` : ''}`,
    ],
    ['missed / early / skipped (overlap)', `${r.missed} / ${r.early} / ${r.skipped}`],
    ['false failures / timeouts', `${r.falseFailures} / ${r.timedOut}`],
    ['kill -> host-down p50 / p99 / max', `${f(r.detectMs.p50, 0)} / ${f(r.detectMs.p99, 0)} / ${f(r.detectMs.max, 0)} ms  (${r.detectMs.samples} of ${r.detectMs.of} kills)`],
    ['host-down -> alert p50 / p99 / max', `${f(r.alertMs.p50, 1)} / ${f(r.alertMs.p99, 1)} / ${f(r.alertMs.max, 1)} ms  (${r.alertMs.samples})`],
    ['TIME_WAIT sockets (max, machine)', r.timeWaitMax === undefined ? '-' : String(r.timeWaitMax)],
    ['vigil warn/error lines', String(r.vigilProblems.count)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const title = `${r.name}: ${r.spec.n} ${r.spec.kind} hosts every ${r.spec.intervalS} s, groups of ${r.spec.groupSize} (startup ${f(r.startupS, 1)} s)`;
  return [title, '-'.repeat(title.length), ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join('\n');
}
