/**
 * @fileoverview `npm run bench`: vigil against the bare-Node ceiling and mon's
 * fork-per-check model on loopback targets, one table per scenario, results as JSON.
 *
 *   npm run bench                       all scenarios (about 25 minutes on 2 cores)
 *   npm run bench -- --only tcp-20000   some scenarios (comma-separated names)
 *   npm run bench -- --window 60        longer kill windows
 *   npm run bench -- --smoke            N = 200 tcp, a few seconds (what CI runs)
 *   npm run bench -- --out FILE         results JSON there (default test/bench/results/)
 *   npm run bench -- --node-args="--max-semi-space-size=2"   node flags for vigil
 *   npm run bench -- --vigil-args="--heap-room 0"            vigil run options
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR } from './children.ts';
import { formatMarginal, formatTable, marginalMemory, ratios } from './report.ts';
import { PER_TARGET_PROCESS, emptyVigil, runScenario, type ScenarioResult } from './scenario.ts';
import { FULL, specsFor } from './specs.ts';
import { nofileLimits, raiseNofile } from './proc.ts';
import { RUN_ENV, withRunEnv } from '../../core/cli/run-env.ts';

function machine(): Record<string, unknown> {
  return {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    nofile: nofileLimits(),
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { smoke: { type: 'boolean' }, only: { type: 'string' }, window: { type: 'string' }, out: { type: 'string' }, 'node-args': { type: 'string' }, 'vigil-args': { type: 'string' } },
  });
  const smoke = !!values.smoke;
  const specs = specsFor({ smoke, windowS: values.window ? Number(values.window) : undefined, only: values.only?.split(',') });
  if (specs.length === 0) {
    console.error(`bench: no scenario matches --only ${values.only}; names are ${FULL.map((s) => `${s.kind}-${s.n}`).join(', ')}`);
    return 2;
  }
  const soft = raiseNofile();
  // Each targets process holds up to PER_TARGET_PROCESS listening sockets plus the accepted ones.
  const need = Math.min(Math.max(...specs.map((s) => s.n)), PER_TARGET_PROCESS) + 2000;
  if (soft !== undefined && soft < need) {
    console.error(`bench: warning: the open files limit is ${soft}, the targets need about ${need}; raise it (ulimit -n ${need}) before npm run bench`);
  }
  const workDir = mkdtempSync(join(os.tmpdir(), 'vigil-bench-'));
  const log = (line: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);
  const results: ScenarioResult[] = [];
  const started = new Date();
  try {
    const nodeArgs = values['node-args']?.split(/\s+/).filter(Boolean) ?? [];
    const vigilArgs = values['vigil-args']?.split(/\s+/).filter(Boolean) ?? [];
    const ctx = { workDir, log, nodeArgs, vigilArgs };
    const env = withRunEnv(process.env);
    const runEnv = Object.fromEntries(Object.keys(RUN_ENV).map((k) => [k, env[k]]));
    log(`vigil runs with ${Object.entries(runEnv).map(([k, v]) => `${k}=${v}`).join(' ')} (as the systemd unit in docs/api.md and npm start)`);
    const empty = await emptyVigil(ctx, smoke ? 1 : 10, smoke ? 2 : 10);
    const emptyHwmKiB = empty.hwmKiB;
    log(`empty vigil (one host): VmHWM ${(emptyHwmKiB / 1024).toFixed(1)} MiB, VmRSS ${(empty.rssKiB / 1024).toFixed(1)} MiB, idle CPU ${empty.idleCpuMsPerS.toFixed(1)} ms/s`);
    for (const spec of specs) {
      const r = await runScenario(spec, ctx);
      r.bytesPerHost = ((r.hwmKiB - emptyHwmKiB) * 1024) / spec.n;
      if (r.rssWindowKiB.p50 !== undefined) r.steadyBytesPerHost = ((r.rssWindowKiB.p50 - empty.rssKiB) * 1024) / spec.n;
      r.cpuPerCheckNetMs = (r.cpuMs - empty.idleCpuMsPerS * r.steady.windowS) / r.steady.checks;
      results.push(r);
      console.log(`\n${formatTable(r)}\n`);
    }
    const marginal = marginalMemory(results);
    if (marginal.length) console.log(`${formatMarginal(marginal)}\n`);
    const doc = {
      date: started.toISOString(),
      machine: machine(),
      emptyHwmKiB,
      emptyRssKiB: empty.rssKiB,
      emptyIdleCpuMsPerS: empty.idleCpuMsPerS,
      vigilNodeArgs: nodeArgs,
      vigilArgs,
      vigilEnv: runEnv,
      scenarios: results.map((r) => ({ ...r, ratios: ratios(r) })),
      marginal,
    };
    const out = values.out ?? join(BENCH_DIR, 'results', `bench-${started.toISOString().slice(0, 16).replace(/[:T]/g, '-')}${smoke ? '-smoke' : ''}.json`);
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
    console.log(`results written to ${out}`);
    return 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
