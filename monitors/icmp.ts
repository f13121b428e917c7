/**
 * @fileoverview The `icmp` monitor: pings every host of the group with ONE fping
 * process per check (as mon's fping.monitor does), and fails the hosts whose loss is
 * over the limit; average rtt over `maxRttMs` makes a host degraded (or failed).
 */
import { defineMonitor, type JsonSchema } from '../core/types.ts';
import { evaluatePing } from './icmp/evaluate.ts';
import { parseFpingOutput } from './icmp/fping-output.ts';
import { runFping } from './icmp/run-fping.ts';

export interface IcmpOptions {
  /** Echo requests per host (fping -C). @default 3 */
  count?: number;
  /** A host fails when more than this share of its pings is lost. @default 50 */
  maxLossPercent?: number;
  /** Average rtt over this makes the host degraded (failed with `rttFails`). */
  maxRttMs?: number;
  /** @default false */
  rttFails?: boolean;
  /** Time between two pings to the same host, ms (fping -p). @default 500 */
  periodMs?: number;
  /** Time between two pings to any hosts, ms (fping -i). @default 10 */
  intervalMs?: number;
  /** How long to wait for each reply, ms (fping -t). @default 500 */
  timeoutMs?: number;
  /** @default "/usr/bin/fping" */
  fping?: string;
}

const optionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    count: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    maxLossPercent: { type: 'number', minimum: 0, maximum: 100, default: 50 },
    maxRttMs: { type: 'number', exclusiveMinimum: 0 },
    rttFails: { type: 'boolean', default: false },
    periodMs: { type: 'integer', minimum: 10, default: 500 },
    intervalMs: { type: 'integer', minimum: 1, default: 10 },
    timeoutMs: { type: 'integer', minimum: 10, default: 500 },
    fping: { type: 'string', minLength: 1, default: '/usr/bin/fping' },
  },
};

/** fping's arguments for `targets`; `--` so no host can be read as an option. */
export function fpingArgs(o: Required<Omit<IcmpOptions, 'maxRttMs' | 'fping'>>, targets: string[]): string[] {
  return ['-q', '-C', String(o.count), '-p', String(o.periodMs), '-i', String(o.intervalMs), '-t', String(o.timeoutMs), '--', ...targets];
}

/** "[::1]" in a hostgroup is "::1" to fping. */
export function fpingTarget(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export default defineMonitor<IcmpOptions>({
  kind: 'monitor',
  name: 'icmp',
  apiVersion: 1,
  scope: 'group',
  description: 'ICMP echo to every host of the group through one fping process; loss and rtt per host',
  optionsSchema,
  create(options) {
    const o = {
      count: options.count ?? 3,
      maxLossPercent: options.maxLossPercent ?? 50,
      rttFails: options.rttFails ?? false,
      periodMs: options.periodMs ?? 500,
      intervalMs: options.intervalMs ?? 10,
      timeoutMs: options.timeoutMs ?? 500,
    };
    const fping = options.fping ?? '/usr/bin/fping';
    return {
      async check(hosts, signal) {
        if (hosts.length === 0) return { ok: true, summary: 'no hosts to ping' };
        const targets = [...new Set(hosts.map(fpingTarget))];
        const run = await runFping(fping, fpingArgs(o, targets), signal);
        // 0: all alive, 1: some unreachable, 2: some names not found; 3 and 4 are fping's own failures.
        if (run.code === null || run.code > 2) {
          const why = (run.stderr + run.stdout).trim().split('\n').slice(0, 3).join(' / ') || 'no output';
          throw new Error(`fping failed (exit ${run.code ?? 'by signal'}): ${why}`);
        }
        const { stats } = parseFpingOutput(run.stderr + '\n' + run.stdout);
        return evaluatePing(hosts, fpingTarget, stats, { ...o, maxRttMs: options.maxRttMs });
      },
    };
  },
});
