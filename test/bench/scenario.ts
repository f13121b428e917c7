/**
 * @fileoverview One benchmark scenario: targets up, the two reference loops on
 * them, then vigil on a generated config with N hosts, measured from outside over
 * a window while endpoints are killed one by one. Every wait is bounded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { histAbove, histCount, histDiff, histQuantile, type BenchStats } from '../../core/engine/bench-stats.ts';
import { startJsonChild, type JsonChild } from './children.ts';
import { endpointOf, groupName, vigilConfig, type Kind } from './plan.ts';
import { cpuMs, memKiB, timeWaitCount } from './proc.ts';
import { startVigilUnderTest, type VigilUnderTest } from './vigil-run.ts';
import { quantile } from './stats.ts';
import { pooledRef } from './report.ts';

export interface ScenarioSpec {
  kind: Kind;
  n: number;
  groupSize: number;
  intervalS: number;
  timeoutS: number;
  /**
   * Seconds measured before the first kill, every target alive: vigil's CPU per check
   * is taken here, on the same work as the bare loop's (whose targets never die).
   */
  steadyS: number;
  /** Window of the kills (after the steady one): detection and alert times. */
  windowS: number;
  /** Endpoints killed during the window (detection-time samples). */
  kills: number;
  /**
   * Seconds of the bare-Node reference loop, run twice: before vigil starts and after
   * it stops, so that a drift in the machine's speed over the minutes between falls on
   * both sides of vigil's window. 0 skips it.
   */
  bareS: number;
  /** Seconds the bare loop runs before it is measured, as vigil is warm when measured. */
  bareWarmS: number;
  /**
   * Checks vigil has run before its windows (after every host was checked once and one
   * more interval): at 100 checks a second its code takes about 95 s to be optimised.
   */
  vigilWarmChecks: number;
  /** Fork+exec checks of mon's model; 0 skips it. */
  forkChecks: number;
}

export interface RefResult {
  probes: number;
  failed: number;
  cpuMs: number;
  cpuPerProbeMs: number;
  error?: string;
}

export interface ScenarioResult {
  name: string;
  spec: ScenarioSpec;
  startupS: number;
  /** Both windows, steady then kills: rate, lag, latency, misses and false failures are over this. */
  windowS: number;
  configuredPerS: number;
  achievedPerS: number;
  checks: number;
  lagMs: { p50?: number; p99?: number; max?: number };
  latencyMs: { p50?: number; p99?: number };
  /** vigil's CPU per check over the steady window (every target alive). */
  cpuPerCheckMs: number;
  /** CPU ms of vigil over the steady window (for subtracting the empty process's idle cost). */
  cpuMs: number;
  /** Length and checks of the steady window. */
  steady: { windowS: number; checks: number };
  /**
   * The same over the kill window, while endpoints die: their checks time out, their
   * services fail, events and alerts go out. Not the figure compared with the bare
   * loop, whose targets never die.
   */
  withKills: { windowS: number; checks: number; cpuMs: number; cpuPerCheckMs: number };
  /** Peak RSS of vigil (VmHWM) and its RSS at the end of the window, KiB. */
  hwmKiB: number;
  rssKiB: number;
  /**
   * VmRSS sampled every 100 ms over the window, KiB: what the process holds once
   * started, apart from the peaks of start-up and of V8's collection timing.
   */
  rssWindowKiB: { p50?: number; max?: number };
  /** vigil's process.memoryUsage() at the end of the window (MiB): JS heap versus the rest. */
  memMiB?: Record<string, number>;
  /** (VmHWM - empty vigil's VmHWM) / N, bytes; set by the caller that knows the empty figure. */
  bytesPerHost?: number;
  /** (median RSS over the window - empty vigil's RSS) / N, bytes; set by the caller. */
  steadyBytesPerHost?: number;
  /** CPU per check minus the empty process's idle CPU over the window; set by the caller. */
  cpuPerCheckNetMs?: number;
  missed: number;
  early: number;
  skipped: number;
  timedOut: number;
  falseFailures: number;
  falseFailureHosts: string[];
  detectMs: { samples: number; of: number; p50?: number; p99?: number; max?: number };
  alertMs: { samples: number; p50?: number; p99?: number; max?: number };
  timeWaitMax?: number;
  /** The bare loop's two runs pooled (CPU over probes): the ceiling vigil is compared with. */
  bare?: RefResult;
  /** Each run of the bare loop: before vigil, then after it (killed targets left out). */
  bareRuns?: RefResult[];
  fork?: RefResult;
  vigilProblems: { count: number; first: string[] };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const PER_TARGET_PROCESS = 8000;

async function startTargets(spec: ScenarioSpec): Promise<JsonChild[]> {
  const shards: JsonChild[] = [];
  if (spec.kind === 'null') return shards;
  for (let from = 0; from < spec.n; from += PER_TARGET_PROCESS) {
    const to = Math.min(spec.n, from + PER_TARGET_PROCESS);
    shards.push(startJsonChild('targets.ts', { kind: spec.kind, n: spec.n, groupSize: spec.groupSize, from, to }));
  }
  try {
    const ready = await Promise.all(shards.map((s) => s.next<{ ready: boolean; error?: string }>((o) => 'ready' in o, 120_000, 'ready line')));
    const bad = ready.find((r) => !r.ready);
    if (bad) throw new Error(`bench: targets failed: ${bad.error}`);
  } catch (err) {
    await Promise.all(shards.map((s) => s.stop()));
    throw err;
  }
  return shards;
}

async function runRef(file: string, arg: unknown, timeoutMs: number): Promise<RefResult> {
  const c = startJsonChild(file, arg);
  try {
    const o = await c.next<{ probes?: number; checks?: number; failed: number; cpuMs: number; firstError?: string }>((x) => 'cpuMs' in x, timeoutMs, 'result');
    const probes = o.probes ?? o.checks ?? 0;
    return { probes, failed: o.failed, cpuMs: o.cpuMs, cpuPerProbeMs: probes ? o.cpuMs / probes : NaN, error: o.firstError };
  } finally {
    await c.stop();
  }
}

export interface RunContext {
  workDir: string;
  /** Extra node flags for vigil (e.g. V8 heap sizing), as an operator would set them. */
  nodeArgs?: string[];
  /** Options for `vigil run`. */
  vigilArgs?: string[];
  log: (line: string) => void;
}

export async function runScenario(spec: ScenarioSpec, ctx: RunContext): Promise<ScenarioResult> {
  const name = `${spec.kind}-${spec.n}`;
  const dir = join(ctx.workDir, name);
  mkdirSync(dir, { recursive: true });
  ctx.log(`[${name}] starting ${spec.n} ${spec.kind} targets`);
  const targets = await startTargets(spec);
  let vigil: VigilUnderTest | undefined;
  try {
    const layout = { kind: spec.kind, n: spec.n, groupSize: spec.groupSize };
    const bareRuns: RefResult[] = [];
    const runBare = async (when: string, exclude: number[]) => {
      ctx.log(`[${name}] bare-Node reference loop ${when}, ${spec.bareWarmS} s warm-up then ${spec.bareS} s measured`);
      const arg = { ...layout, intervalS: spec.intervalS, durationS: spec.bareS, warmS: spec.bareWarmS, exclude };
      bareRuns.push(await runRef('ref-bare.ts', arg, (spec.bareS + spec.bareWarmS) * 1000 + 60_000));
    };
    let fork: RefResult | undefined;
    if (spec.bareS > 0) await runBare('before vigil', []);
    if (spec.forkChecks > 0) {
      ctx.log(`[${name}] fork+exec reference (mon's model), ${spec.forkChecks} checks`);
      fork = await runRef('ref-fork.ts', { ...layout, checks: spec.forkChecks, concurrency: 2, maxS: 30 }, 90_000);
    }

    const configFile = join(dir, 'vigil.json');
    const statsFile = join(dir, 'stats.json');
    writeFileSync(configFile, JSON.stringify(vigilConfig({ ...layout, stateDir: join(dir, 'state'), intervalS: spec.intervalS, timeoutS: spec.timeoutS }), null, 1));
    ctx.log(`[${name}] vigil on ${spec.n} hosts in ${Math.ceil(spec.n / spec.groupSize)} services, every ${spec.intervalS} s`);
    const started = Date.now();
    vigil = startVigilUnderTest(configFile, statsFile, ctx.nodeArgs, ctx.vigilArgs);
    // Warm-up: until every host was checked once, bounded.
    const warmUntil = started + 180_000 + spec.n * 5;
    let s0: BenchStats | undefined;
    for (;;) {
      await sleep(250);
      if (vigil.child.exitCode !== null) throw new Error(`bench: vigil exited (code ${vigil.child.exitCode}) during warm-up: ${vigil.problems.join('\n')}`);
      const s = vigil.stats();
      if (s && s.checks >= spec.n) break;
      if (Date.now() > warmUntil) throw new Error(`bench: vigil checked ${s?.checks ?? 0} of ${spec.n} hosts during warm-up; ${vigil.problems.join('\n')}`);
    }
    const startupS = (Date.now() - started) / 1000;
    // Then one more interval, so the window sees the steady state, not the first round's events.
    ctx.log(`[${name}] every host checked once after ${startupS.toFixed(1)} s; settling for one interval, then until it has run ${spec.vigilWarmChecks} checks`);
    await sleep(spec.intervalS * 1000);
    const settleUntil = Date.now() + 300_000;
    while ((vigil.stats()?.checks ?? 0) < spec.vigilWarmChecks && Date.now() < settleUntil) await sleep(250);
    const warmChecks = vigil.stats()?.checks ?? 0;
    if (warmChecks < spec.vigilWarmChecks) ctx.log(`[${name}] vigil ran only ${warmChecks} of ${spec.vigilWarmChecks} checks in 300 s; measuring it anyway, perhaps not warm`);
    s0 = await vigil.freshStats(Date.now(), 5000);
    const cpu0 = cpuMs(vigil.pid) ?? NaN;
    const rssSamples: number[] = [];
    let twMax = timeWaitCount();
    const sample = () => {
      const rss = memKiB(vigil!.pid)?.rss;
      if (rss !== undefined) rssSamples.push(rss);
      const tw = timeWaitCount();
      if (tw !== undefined && (twMax === undefined || tw > twMax)) twMax = tw;
    };
    ctx.log(`[${name}] measuring ${spec.steadyS} s with every target alive`);
    const steadyUntil = Date.now() + spec.steadyS * 1000;
    while (Date.now() < steadyUntil) {
      await sleep(100);
      sample();
    }
    const sMid = await vigil.freshStats(Date.now(), 5000);
    const cpuMid = cpuMs(vigil.pid) ?? NaN;
    ctx.log(`[${name}] measuring ${spec.windowS} s, killing ${spec.kills} endpoints`);

    // Kills spread over the window, leaving each one an interval + timeout to be seen.
    const killSpanMs = Math.max(0, (spec.windowS - spec.intervalS - spec.timeoutS - 1) * 1000);
    const killIdx = pickDistinct(spec.n, spec.kills);
    const killAt = new Map<string, number>();
    const killed = new Set<string>();
    const killTimes = killIdx.map((_, k) => (spec.kills > 1 ? (killSpanMs * k) / (spec.kills - 1) : 0));
    const tStart = Date.now();
    let k = 0;
    while (Date.now() - tStart < spec.windowS * 1000) {
      while (k < killIdx.length && Date.now() - tStart >= killTimes[k]!) {
        const i = killIdx[k++]!;
        const e = endpointOf(spec.kind, i, spec.groupSize);
        const key = `${groupName(spec.kind, e.group)}/${e.addr}`;
        killed.add(key);
        const shard = targets[Math.floor(i / PER_TARGET_PROCESS)]!;
        const ack = shard.next<{ killed: number; at: number }>((o) => o.killed === i, 5000, `kill ack for ${i}`);
        shard.send({ kill: i });
        void ack.then((o) => killAt.set(key, o.at), () => {});
      }
      await sleep(100);
      sample();
    }
    const s1 = await vigil.freshStats(Date.now(), 5000);
    const cpu1 = cpuMs(vigil.pid) ?? NaN;
    const mem = memKiB(vigil.pid);
    // Detection tail: each kill gets an interval + timeout + 3 s to show up.
    const tailUntil = tStart + (killTimes[killTimes.length - 1] ?? 0) + (spec.intervalS + spec.timeoutS + 3) * 1000;
    while (Date.now() < tailUntil && [...killed].some((key) => !vigil!.downs.get(key)?.alertAt)) await sleep(100);

    const windowS = (s1.at - s0.at) / 1000;
    const checks = s1.checks - s0.checks;
    const killWindowS = (s1.at - sMid.at) / 1000;
    const killChecks = s1.checks - sMid.checks;
    const withKills = { windowS: killWindowS, checks: killChecks, cpuMs: cpu1 - cpuMid, cpuPerCheckMs: (cpu1 - cpuMid) / killChecks };
    const steady = { windowS: (sMid.at - s0.at) / 1000, checks: sMid.checks - s0.checks, cpuMs: cpuMid - cpu0 };
    const lag = histDiff(s0.lag, s1.lag);
    const lat = histDiff(s0.latency, s1.latency);
    const gap = histDiff(s0.gap, s1.gap);
    const falseHosts = Object.keys(s1.failedHosts).filter((h) => !killed.has(h) && (s1.failedHosts[h] ?? 0) > (s0.failedHosts[h] ?? 0));
    const falseFailures = falseHosts.reduce((n, h) => n + s1.failedHosts[h]! - (s0.failedHosts[h] ?? 0), 0);
    const detect: number[] = [];
    const alert: number[] = [];
    for (const key of killed) {
      const d = vigil.downs.get(key);
      const at = killAt.get(key);
      if (!d || at === undefined) continue;
      if (Number.isFinite(d.loggedAt)) detect.push(d.loggedAt - at);
      if (d.alertAt !== undefined && Number.isFinite(d.loggedAt)) alert.push(d.alertAt - d.loggedAt);
    }
    // The second run of the ceiling, on a machine without vigil again; the killed targets
    // are left out (a refused connect costs less than a probe that gets its answer).
    const vigilProblems = { count: vigil.problemCount, first: [...vigil.problems] };
    await vigil.stop();
    if (spec.bareS > 0) await runBare('after vigil', killIdx);
    const intervalMs = spec.intervalS * 1000;
    const lagKeys = Object.keys(lag).map(Number);
    return {
      name,
      spec,
      startupS,
      windowS,
      configuredPerS: spec.n / spec.intervalS,
      achievedPerS: checks / windowS,
      checks,
      lagMs: { p50: histQuantile(lag, 0.5), p99: histQuantile(lag, 0.99), max: lagKeys.length ? histQuantile(lag, 1) : undefined },
      latencyMs: { p50: histQuantile(lat, 0.5), p99: histQuantile(lat, 0.99) },
      cpuPerCheckMs: steady.cpuMs / steady.checks,
      cpuMs: steady.cpuMs,
      steady: { windowS: steady.windowS, checks: steady.checks },
      withKills,
      // The kernel raises VmHWM only at some points (an unmap); memory handed back
      // otherwise (madvise) can leave an RSS sampled here above the VmHWM read after
      // (a smoke run: 109,692 KiB sampled). The peak is the higher of the two.
      hwmKiB: Math.max(mem?.hwm ?? NaN, quantile(rssSamples, 1) ?? 0),
      rssKiB: mem?.rss ?? NaN,
      rssWindowKiB: { p50: quantile(rssSamples, 0.5), max: quantile(rssSamples, 1) },
      memMiB: s1.mem ? Object.fromEntries(Object.entries(s1.mem).map(([k, v]) => [k, Math.round(v / 2 ** 20)])) : undefined,
      missed: histAbove(gap, intervalMs * 1.5),
      early: histCount(gap) - histAbove(gap, intervalMs * 0.5),
      skipped: s1.skipped - s0.skipped,
      timedOut: s1.timedOut - s0.timedOut,
      falseFailures,
      falseFailureHosts: falseHosts.slice(0, 10),
      detectMs: { samples: detect.length, of: killed.size, p50: quantile(detect, 0.5), p99: quantile(detect, 0.99), max: quantile(detect, 1) },
      alertMs: { samples: alert.length, p50: quantile(alert, 0.5), p99: quantile(alert, 0.99), max: quantile(alert, 1) },
      timeWaitMax: twMax,
      bare: pooledRef(bareRuns),
      bareRuns: bareRuns.length ? bareRuns : undefined,
      fork,
      vigilProblems,
    };
  } finally {
    await vigil?.stop();
    await Promise.all(targets.map((t) => t.stop()));
  }
}

/** `count` distinct indexes in [0, n), spread evenly with a random offset. */
function pickDistinct(n: number, count: number): number[] {
  const c = Math.min(n, count);
  const step = n / c;
  const off = Math.floor(Math.random() * step);
  return Array.from({ length: c }, (_, k) => Math.min(n - 1, Math.floor(k * step) + off));
}

export interface EmptyVigil {
  hwmKiB: number;
  /** Its VmRSS at the end of the idle period, KiB. */
  rssKiB: number;
  /** CPU ms per second of a vigil watching one host: the fixed cost under every per-check figure. */
  idleCpuMsPerS: number;
}

/** Measures the empty process: vigil watching one host, its VmHWM after a few checks and its idle CPU. */
export async function emptyVigil(ctx: RunContext, intervalS: number, idleS = 10): Promise<EmptyVigil> {
  const spec: ScenarioSpec = { kind: 'tcp', n: 1, groupSize: 1, intervalS, timeoutS: 1, steadyS: 0, windowS: 0, kills: 0, bareS: 0, bareWarmS: 0, vigilWarmChecks: 0, forkChecks: 0 };
  const dir = join(ctx.workDir, 'empty');
  mkdirSync(dir, { recursive: true });
  const targets = await startTargets(spec);
  const configFile = join(dir, 'vigil.json');
  writeFileSync(configFile, JSON.stringify(vigilConfig({ kind: 'tcp', n: 1, groupSize: 1, stateDir: join(dir, 'state'), intervalS, timeoutS: 1 })));
  const v = startVigilUnderTest(configFile, join(dir, 'stats.json'), ctx.nodeArgs, ctx.vigilArgs);
  try {
    const until = Date.now() + 60_000;
    while (!((v.stats()?.checks ?? 0) >= 2)) {
      if (Date.now() > until || v.child.exitCode !== null) throw new Error(`bench: the one-host vigil did not check twice: ${v.problems.join('\n')}`);
      await sleep(200);
    }
    // One more interval before measuring: the second run still pays for start-up
    // (V8's first tier-up compiles and its memory reducer's collections, about 100 ms
    // of CPU), which would otherwise be counted as idle cost.
    await sleep(intervalS * 1000);
    const c0 = cpuMs(v.pid) ?? NaN;
    const t0 = Date.now();
    await sleep(idleS * 1000);
    const idleCpuMsPerS = ((cpuMs(v.pid) ?? NaN) - c0) / ((Date.now() - t0) / 1000);
    const mem = memKiB(v.pid);
    return { hwmKiB: mem?.hwm ?? NaN, rssKiB: mem?.rss ?? NaN, idleCpuMsPerS };
  } finally {
    await v.stop();
    await Promise.all(targets.map((t) => t.stop()));
  }
}
