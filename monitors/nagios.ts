/**
 * @fileoverview The `nagios` monitor: runs a Nagios / monitoring-plugins check
 * (`check_tcp`, `check_http`, `check_dig`, your own) per host, or once for the whole
 * group as mon does, and reads its exit status, status line and performance data.
 */
import { defineMonitor, type GroupCheckResult, type HostCheckResult } from '../core/types.ts';
import { runProcess } from '../core/kit/run-process.ts';
import { envPathDirs, findProgram } from '../core/kit/find-program.ts';
import { interpretPlugin } from './nagios/status.ts';

export interface NagiosOptions {
  /** Plugin program: absolute, relative to the config dir (with a slash), or a name in /usr/lib/nagios/plugins or $PATH. */
  command: string;
  /** Arguments; `{host}` and `{port}` are replaced in every element, an element `{hosts}` becomes all hosts. @default [] */
  args?: string[];
  /** Value of `{port}`. */
  port?: number;
  /** `host`: once per host; `group`: once with all hosts (`{hosts}`), as mon runs its scripts. @default "host" */
  scope?: 'host' | 'group';
  /** Exit codes that count as failed; others but 0 make the host degraded. @default [2, 3] */
  failOn?: number[];
  /** Extra environment for the plugin. */
  env?: Record<string, string>;
  /** Plugins run at once in host scope. @default 16 */
  concurrency?: number;
}

export const PLUGIN_DIRS = ['/usr/lib/nagios/plugins', '/usr/lib/monitoring-plugins'];

/** Templated argv for one run; `hosts` is the one host (host scope) or all of them (group scope). */
export function expandArgs(args: readonly string[], hosts: readonly string[], port: number | undefined): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (a === '{hosts}') {
      out.push(...hosts);
      continue;
    }
    let s = a.replaceAll('{host}', hosts[0] ?? '');
    if (port !== undefined) s = s.replaceAll('{port}', String(port));
    out.push(s);
  }
  return out;
}

export default defineMonitor<NagiosOptions>({
  kind: 'monitor',
  name: 'nagios',
  apiVersion: 1,
  // Group scope so that `scope: group` can run once for all hosts; host scope fans out below.
  scope: 'group',
  description: 'run a Nagios/monitoring-plugins check (check_tcp, check_http, ...) and read its status and perfdata',
  optionsSchema: {
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1 },
      args: { type: 'array', items: { type: 'string' }, default: [] },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      scope: { type: 'string', enum: ['host', 'group'], default: 'host' },
      failOn: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 }, default: [2, 3] },
      env: { type: 'object', additionalProperties: { type: 'string' } },
      concurrency: { type: 'integer', minimum: 1, default: 16 },
    },
    required: ['command'],
    additionalProperties: false,
  },
  create(options, ctx) {
    const dirs = [...PLUGIN_DIRS, ...envPathDirs()];
    const failOn = options.failOn ?? [2, 3];
    const locate = () => findProgram(options.command, dirs, ctx.configDir);
    let program = locate();
    if (!program) ctx.log.warn({ plugin: 'nagios', command: options.command, searched: dirs }, 'nagios plugin not found; checks fail until it exists');

    const runOnce = async (hosts: string[], signal: AbortSignal): Promise<HostCheckResult> => {
      program ??= locate();
      if (!program) throw new Error(`nagios plugin "${options.command}" not found (looked in ${dirs.join(', ')}); install it (e.g. monitoring-plugins-basic) or fix "command"`);
      const argv = expandArgs(options.args ?? [], hosts, options.port);
      const r = await runProcess(program, argv, { env: { ...ctx.env, ...options.env }, signal, maxOutputBytes: 64 * 1024, killStragglers: true });
      return { ...interpretPlugin(r, failOn), latencyMs: r.durationMs };
    };

    return {
      async check(hosts, signal): Promise<GroupCheckResult> {
        if (options.scope === 'group') {
          const r = await runOnce(hosts, signal);
          const per = Object.fromEntries(hosts.map((h) => [h, r]));
          return {
            ok: r.ok,
            summary: r.summary,
            detail: r.detail,
            failedHosts: r.ok ? [] : [...hosts],
            degradedHosts: r.ok && r.degraded ? [...hosts] : [],
            hosts: per,
          };
        }
        const results = await mapLimited(hosts, options.concurrency ?? 16, (h) => runOnce([h], signal));
        const per: Record<string, HostCheckResult> = {};
        hosts.forEach((h, i) => (per[h] = results[i]!));
        const failed = hosts.filter((h) => !per[h]!.ok);
        const degraded = hosts.filter((h) => per[h]!.ok && per[h]!.degraded);
        const lines = hosts.filter((h) => !per[h]!.ok || per[h]!.degraded).map((h) => `${h}: ${per[h]!.summary}`);
        // mon's convention: the summary is the failing hosts, so mon alert scripts can parse it.
        return { ok: failed.length === 0, summary: [...failed].sort().join(' '), detail: lines.join('\n'), failedHosts: failed, degradedHosts: degraded, hosts: per };
      },
    };
  },
});

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
