/**
 * @fileoverview vigil as a separate process under measurement: started on a
 * generated config with VIGIL_BENCH_STATS, its host-down log lines (stderr JSON)
 * and log-alert lines (stdout) timestamped, its stats file read on demand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import readline from 'node:readline';
import type { BenchStats } from '../../core/engine/bench-stats.ts';
import { REPO } from './children.ts';
import { withRunEnv } from '../../core/cli/run-env.ts';

export interface HostDown {
  /** `watch/host`. */
  key: string;
  /** When vigil logged host-down (its log line's time). */
  loggedAt: number;
  /** When the log alert's line for it reached the benchmark. */
  alertAt?: number;
}

export interface VigilUnderTest {
  child: ChildProcess;
  pid: number;
  downs: Map<string, HostDown>;
  /** warn/error lines logged (first few kept). */
  problems: string[];
  problemCount: number;
  stats(): BenchStats | undefined;
  /** Polls (every 20 ms, at most `timeoutMs`) until the stats file is newer than `after`. */
  freshStats(after: number, timeoutMs: number): Promise<BenchStats>;
  stop(): Promise<void>;
}

export function startVigilUnderTest(configFile: string, statsFile: string, nodeArgs: string[] = [], vigilArgs: string[] = []): VigilUnderTest {
  const child = spawn(process.execPath, [...nodeArgs, resolve(REPO, 'bin/vigil.js'), 'run', '-c', configFile, ...vigilArgs], {
    cwd: REPO,
    // As the systemd unit in docs/api.md and npm start run it.
    env: { ...withRunEnv(process.env), VIGIL_BENCH_STATS: statsFile, VIGIL_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const downs = new Map<string, HostDown>();
  const problems: string[] = [];
  const v: VigilUnderTest = {
    child,
    pid: child.pid!,
    downs,
    problems,
    problemCount: 0,
    stats() {
      if (!existsSync(statsFile)) return undefined;
      try {
        return JSON.parse(readFileSync(statsFile, 'utf8')) as BenchStats;
      } catch {
        return undefined;
      }
    },
    async freshStats(after, timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const s = v.stats();
        if (s && s.at > after) return s;
        if (Date.now() > until) throw new Error(`bench: vigil wrote no stats to ${statsFile} for ${timeoutMs} ms (is it running? exit code ${child.exitCode})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
  // Only lines that matter are parsed: the benchmark must stay cheap next to vigil.
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.includes('"host-down"')) {
      const o = safeJson(line);
      if (o?.msg === 'host-down') {
        const key = `${o.watch}/${o.host}`;
        const d = downs.get(key);
        if (d) d.loggedAt = Date.parse(String(o.time));
        else downs.set(key, { key, loggedAt: Date.parse(String(o.time)) });
      }
    } else if (line.includes('"level":"warn"') || line.includes('"level":"error"') || !line.startsWith('{')) {
      v.problemCount++;
      if (problems.length < 5) problems.push(line.slice(0, 300));
    }
  });
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.includes('"host-down"')) return;
    const at = Date.now();
    const o = safeJson(line);
    if (o?.type !== 'host-down') return;
    const key = `${o.watch}/${o.host}`;
    const d = downs.get(key);
    if (d) d.alertAt ??= at;
    else downs.set(key, { key, loggedAt: NaN, alertAt: at });
  });
  return v;
}

function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
