/**
 * @fileoverview The `script` alert: runs a mon alert script (`mail.alert`,
 * `file.alert`, your own) with mon's exact argument vector, stdin and MON_*
 * environment (see alerts/script/mon-alert-call.ts). Never through a shell; a
 * hanging script is killed with everything it forked at `timeout`.
 */
import { defineAlert, HOST_EVENTS, SERVICE_EVENTS, type AlertEvent } from '../core/types.ts';
import { runProcess, parseTimeout, TIMEOUT_SCHEMA } from '../core/kit/run-process.ts';
import { findProgram, splitSearchPath } from '../core/kit/find-program.ts';
import { monAlertCall } from './script/mon-alert-call.ts';

export interface ScriptAlertOptions {
  /** Program: absolute, else relative to the config's directory, else found in `alertdir`. */
  path: string;
  /** Extra arguments after mon's own (mon's alert-args). @default [] */
  args?: string[];
  /** Kill the script (and its children) after this long. @default "30s" */
  timeout?: string;
  /** Extra environment variables for the script. */
  env?: Record<string, string>;
  /** Colon-separated search path, relative entries from the config's directory. @default "/usr/local/lib/mon/alert.d:/usr/lib/mon/alert.d" */
  alertdir?: string;
  /** Also run the script for per-host events (host-down/host-up), with `-h` the single host. @default false */
  hostEvents?: boolean;
  /** A non-zero exit or timeout fails the delivery, so the dispatcher retries it (mon ignores the exit). @default false */
  failOnExit?: boolean;
}

export const DEFAULT_ALERTDIR = '/usr/local/lib/mon/alert.d:/usr/lib/mon/alert.d';
const LOGGED_OUTPUT = 2000;

export default defineAlert<ScriptAlertOptions>({
  kind: 'alert',
  name: 'script',
  apiVersion: 1,
  description: 'run a mon alert script (mail.alert, file.alert, your own) with mon\'s arguments, stdin and MON_* variables',
  // Host events are opted into per alert with `hostEvents: true`; others ignore them in send().
  events: [...SERVICE_EVENTS, 'host-down', 'host-up'],
  optionsSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1 },
      args: { type: 'array', items: { type: 'string' }, default: [] },
      timeout: { ...TIMEOUT_SCHEMA, default: '30s' },
      env: { type: 'object', additionalProperties: { type: 'string' } },
      alertdir: { type: 'string' },
      hostEvents: { type: 'boolean', default: false },
      failOnExit: { type: 'boolean', default: false },
    },
    required: ['path'],
    additionalProperties: false,
  },
  create(options, ctx) {
    const dirs = [ctx.configDir, ...splitSearchPath(options.alertdir ?? DEFAULT_ALERTDIR, ctx.configDir)];
    const timeoutMs = parseTimeout(options.timeout ?? '30s');
    const log = ctx.log.child({ plugin: 'script', path: options.path });
    const locate = () => findProgram(options.path, dirs, ctx.configDir);
    let program = locate();
    if (!program) log.warn({ searched: dirs }, 'alert script not found; deliveries will fail until it exists');

    return {
      // Without hostEvents the engine does not hand this instance host events at all.
      events: options.hostEvents ? [...SERVICE_EVENTS, ...HOST_EVENTS] : SERVICE_EVENTS,
      async send(event: AlertEvent, signal: AbortSignal) {
        if (HOST_EVENTS.includes(event.type) && !options.hostEvents) return;
        program ??= locate();
        if (!program) {
          throw new Error(`alert script "${options.path}" not found (looked in ${dirs.join(', ')}); fix "path" or "alertdir"`);
        }
        const call = monAlertCall(event, {
          extraArgs: options.args ?? [],
          configDir: ctx.configDir,
          stateDir: ctx.stateDir,
          serviceEnv: ctx.env,
          optionEnv: options.env,
        });
        const r = await runProcess(program, call.args, { env: call.env, stdin: call.stdin, timeoutMs, signal, cwd: ctx.configDir });
        const fields = { event: event.id, type: event.type, exitCode: r.exitCode, signal: r.signal, durationMs: r.durationMs };
        if (r.exitCode === 0) {
          log.debug({ ...fields, output: r.output.slice(0, LOGGED_OUTPUT) }, 'alert script done');
          return;
        }
        const what = r.timedOut
          ? `killed after the ${options.timeout ?? '30s'} timeout`
          : r.aborted ? 'stopped (delivery cancelled)'
          : r.signal ? `killed by ${r.signal}`
          : `exited with status ${r.exitCode}`;
        log.warn({ ...fields, output: r.output.slice(0, LOGGED_OUTPUT) }, `alert script ${what}`);
        if (options.failOnExit || r.aborted) throw new Error(`alert script ${program} ${what}`);
      },
    };
  },
});
