/**
 * @fileoverview The `script` monitor: runs a mon monitor script (`tcp.monitor`,
 * `http.monitor`, your own) once for the whole hostgroup, as mon does: options then
 * hosts as arguments, stdin /dev/null, stderr merged into stdout, MON_* variables.
 * Exit 0 is ok; otherwise the first output line names the failing hosts.
 */
import { defineMonitor } from '../core/types.ts';
import { runProcess } from '../core/kit/run-process.ts';
import { findProgram, splitSearchPath } from '../core/kit/find-program.ts';
import { interpretRun, monMonitorEnv } from './script/mon-output.ts';

export interface ScriptMonitorOptions {
  /** Program: absolute, else found in `mondir`. */
  path: string;
  /** Arguments before the hosts (mon's monitor-args). @default [] */
  args?: string[];
  /** Do not append the hosts (mon's trailing `;;`). @default false */
  noHosts?: boolean;
  /** Extra environment variables for the script. */
  env?: Record<string, string>;
  /** Colon-separated search path, relative entries from the config's directory. @default "<config dir>:/usr/lib/mon/mon.d:/usr/local/lib/mon/mon.d" */
  mondir?: string;
  /** Output kept per run; the rest is dropped with a note. @default 1048576 */
  maxOutputBytes?: number;
}

export const DEFAULT_MONDIR = '/usr/lib/mon/mon.d:/usr/local/lib/mon/mon.d';

export default defineMonitor<ScriptMonitorOptions>({
  kind: 'monitor',
  name: 'script',
  apiVersion: 1,
  scope: 'group',
  description: 'run a mon monitor script (tcp.monitor, http.monitor, your own) for the whole hostgroup',
  optionsSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1 },
      args: { type: 'array', items: { type: 'string' }, default: [] },
      noHosts: { type: 'boolean', default: false },
      env: { type: 'object', additionalProperties: { type: 'string' } },
      mondir: { type: 'string' },
      maxOutputBytes: { type: 'integer', minimum: 1024, default: 1048576 },
    },
    required: ['path'],
    additionalProperties: false,
  },
  create(options, ctx) {
    const dirs = options.mondir !== undefined
      ? splitSearchPath(options.mondir, ctx.configDir)
      : [ctx.configDir, ...splitSearchPath(DEFAULT_MONDIR, ctx.configDir)];
    const locate = () => findProgram(options.path, dirs, ctx.configDir);
    let program = locate();
    if (!program) ctx.log.warn({ plugin: 'script', path: options.path, searched: dirs }, 'monitor script not found; checks fail until it exists');

    return {
      async check(hosts, signal, run) {
        program ??= locate();
        if (!program) throw new Error(`monitor script "${options.path}" not found (looked in ${dirs.join(', ')}); fix "path" or "mondir"`);
        const argv = [...(options.args ?? []), ...(options.noHosts ? [] : hosts)];
        const env = { ...ctx.env, ...options.env, ...monMonitorEnv(run, ctx) };
        const r = await runProcess(program, argv, { env, signal, maxOutputBytes: options.maxOutputBytes, cwd: ctx.configDir, killStragglers: true });
        const killedBecause = r.aborted ? abortText(signal, r.durationMs) : undefined;
        return interpretRun(r.output, { exitCode: r.exitCode, signal: r.signal, killedBecause }, hosts);
      },
    };
  },
});

/** Why the run was stopped: the check's timeout (vigil's CheckTimeoutError, AbortSignal.timeout) or a shutdown/reload. */
function abortText(signal: AbortSignal, ms: number): string {
  const name = (signal.reason as { name?: string } | undefined)?.name;
  const after = `${(ms / 1000).toFixed(1)}s`;
  return name === 'CheckTimeoutError' || name === 'TimeoutError' ? `timed out after ${after}, killed` : `stopped after ${after} (vigil is stopping or reloading), killed`;
}
