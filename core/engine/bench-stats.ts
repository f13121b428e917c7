/**
 * @fileoverview Benchmark hook: with VIGIL_BENCH_STATS=FILE in the environment the
 * engine keeps cheap in-process histograms of scheduler lag, check latency and the
 * gap between two checks of the same host, and rewrites FILE (JSON) every second.
 * `npm run bench` reads it from outside; without the variable nothing is attached.
 * Counters are cumulative, so a reader diffs two snapshots to get a window.
 */
import { renameSync, writeFileSync } from 'node:fs';

/** The part of the engine this hook needs (the engine's `on`). */
export interface CheckSource {
  on(name: 'check' | 'skipped', fn: (...args: any[]) => void): () => void;
}

interface CheckLike {
  watch: string;
  host?: string;
  durationMs: number;
  ok: boolean;
  timedOut: boolean;
  lagMs?: number;
}

/** Sparse histogram: bucket index -> count. */
export type HistCounts = Record<string, number>;

export interface BenchStats {
  at: number;
  checks: number;
  failed: number;
  timedOut: number;
  skipped: number;
  lag: HistCounts;
  latency: HistCounts;
  gap: HistCounts;
  maxLagMs: number;
  maxLatencyMs: number;
  /** Failed checks per `watch/host` (at most MAX_FAILED_HOSTS hosts). */
  failedHosts: Record<string, number>;
  /** process.memoryUsage() at the time of writing: where the RSS goes (JS heap or not). */
  mem: NodeJS.MemoryUsage;
}

const MAX_FAILED_HOSTS = 5000;
const BUCKETS = 2981;

/** 10 µs buckets below 10 ms, 1 ms below 1 s, 100 ms below 100 s, then one overflow bucket. */
export function bucketOf(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < 10) return Math.floor(ms * 100);
  if (ms < 1000) return 1000 + Math.floor(ms - 10);
  if (ms < 100_000) return 1990 + Math.floor((ms - 1000) / 100);
  return BUCKETS - 1;
}

/** Middle of a bucket, in ms. */
export function bucketValue(i: number): number {
  if (i < 1000) return (i + 0.5) / 100;
  if (i < 1990) return i - 1000 + 10 + 0.5;
  if (i < BUCKETS - 1) return (i - 1990) * 100 + 1000 + 50;
  return 100_000;
}

/** Counts of `b` minus counts of `a` (a taken earlier). */
export function histDiff(a: HistCounts | undefined, b: HistCounts): HistCounts {
  const out: HistCounts = {};
  for (const [k, v] of Object.entries(b)) {
    const d = v - (a?.[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

export function histCount(h: HistCounts): number {
  let n = 0;
  for (const v of Object.values(h)) n += v;
  return n;
}

/** The value at quantile q (0..1); undefined when empty. */
export function histQuantile(h: HistCounts, q: number): number | undefined {
  const keys = Object.keys(h).map(Number).sort((x, y) => x - y);
  const total = histCount(h);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const k of keys) {
    seen += h[k]!;
    if (seen >= rank) return bucketValue(k);
  }
  return bucketValue(keys[keys.length - 1]!);
}

/** Number of samples at or above `ms` (by bucket). */
export function histAbove(h: HistCounts, ms: number): number {
  const b = bucketOf(ms);
  let n = 0;
  for (const [k, v] of Object.entries(h)) if (Number(k) >= b) n += v;
  return n;
}

function sparse(a: Uint32Array): HistCounts {
  const out: HistCounts = {};
  for (let i = 0; i < a.length; i++) if (a[i]) out[i] = a[i]!;
  return out;
}

/** Attaches the hook when VIGIL_BENCH_STATS is set; returns a stop function. */
export function attachBenchStats(engine: CheckSource, file = process.env.VIGIL_BENCH_STATS): () => void {
  if (!file) return () => {};
  const lag = new Uint32Array(BUCKETS);
  const latency = new Uint32Array(BUCKETS);
  const gap = new Uint32Array(BUCKETS);
  // Keyed by the config's own watch and host strings (no per-check string building): cheap next to vigil.
  const lastStart = new Map<string, Map<string, number>>();
  const origin = Date.now();
  const s = { checks: 0, failed: 0, timedOut: 0, skipped: 0, maxLagMs: 0, maxLatencyMs: 0 };
  const failedHosts: Record<string, number> = {};
  let failedHostCount = 0;

  const offCheck = engine.on('check', (m: CheckLike) => {
    const now = Date.now();
    s.checks++;
    latency[bucketOf(m.durationMs)]!++;
    if (m.durationMs > s.maxLatencyMs) s.maxLatencyMs = m.durationMs;
    const l = m.lagMs ?? 0;
    lag[bucketOf(l)]!++;
    if (l > s.maxLagMs) s.maxLagMs = l;
    if (m.timedOut) s.timedOut++;
    // In 0.1 ms from the hook's start: a small integer, stored in the Map as it is,
    // where a time since the epoch would be a 16-byte heap number a host (the hook's
    // memory counts against vigil's in the benchmark).
    const started = Math.round((now - m.durationMs - origin) * 10);
    let perWatch = lastStart.get(m.watch);
    if (!perWatch) lastStart.set(m.watch, (perWatch = new Map()));
    const host = m.host ?? '';
    const prev = perWatch.get(host);
    if (prev !== undefined) gap[bucketOf((started - prev) / 10)]!++;
    perWatch.set(host, started);
    if (!m.ok) {
      const key = m.host === undefined ? m.watch : `${m.watch}/${m.host}`;
      s.failed++;
      if (failedHosts[key] !== undefined) failedHosts[key]++;
      else if (failedHostCount < MAX_FAILED_HOSTS) {
        failedHosts[key] = 1;
        failedHostCount++;
      }
    }
  });
  const offSkipped = engine.on('skipped', () => void s.skipped++);

  const write = () => {
    const out: BenchStats = { at: Date.now(), ...s, lag: sparse(lag), latency: sparse(latency), gap: sparse(gap), failedHosts, mem: process.memoryUsage() };
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(out));
      renameSync(`${file}.tmp`, file);
    } catch {
      // The benchmark reports a missing file; the daemon must not care.
    }
  };
  const timer = setInterval(write, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    write();
    offCheck();
    offSkipped();
  };
}
