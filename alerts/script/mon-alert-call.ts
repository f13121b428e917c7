/**
 * @fileoverview Pure mapping of one event to mon's alert call (mon-reference.md,
 * section c): the argument vector, stdin and MON_* environment a mon `*.alert`
 * script expects. No I/O here, so every rule is a table test.
 */
import type { AlertEvent } from '../../core/types.ts';

export interface AlertCall {
  /** Arguments after the program path. */
  args: string[];
  stdin: string;
  /** Variables added to the process environment; `undefined` removes an inherited one. */
  env: Record<string, string | undefined>;
}

export interface CallContext {
  /** Extra arguments from the config (mon's alert-args). */
  extraArgs: readonly string[];
  configDir: string;
  stateDir: string;
  /** Service VAR=value lines known when the alert was created. */
  serviceEnv?: Record<string, string>;
  /** Extra environment from the alert's own `env` option (wins over everything but MON_*). */
  optionEnv?: Record<string, string>;
}

/** What mon's test alerts put on stdin. */
export const TEST_STDIN = 'test\ntest detail\n';

interface Kind {
  flag?: string;
  alertType: string;
  opstatus: number;
  /** MON_RETVAL: a number, or 'event' for the event's exit code, or undefined for unset. */
  retval?: number | 'event';
}

/** mon's FLAG, MON_ALERTTYPE, MON_OPSTATUS and MON_RETVAL per event type and source. */
export function alertKind(e: AlertEvent): Kind {
  switch (e.type) {
    case 'up':
    case 'host-up':
      return { flag: '-u', alertType: 'up', opstatus: 1, retval: 0 };
    case 'ack':
      return { flag: '-a', alertType: 'ack', opstatus: 0 };
    case 'disable':
      return { flag: '-D', alertType: 'disable', opstatus: e.exitCode ? 0 : 1, retval: 'event' };
    case 'startup':
      return { alertType: 'startup', opstatus: 7, retval: 0 };
    case 'test':
      return { alertType: 'test', opstatus: e.exitCode === 0 ? 1 : 0, retval: 'event' };
    default: // down, still-down, host-down, host-degraded
      if (e.source === 'trap') return { flag: '-T', alertType: 'trap', opstatus: 0, retval: 'event' };
      if (e.source === 'traptimeout') return { flag: '-O', alertType: 'traptimeout', opstatus: 0, retval: 'event' };
      return { alertType: 'failure', opstatus: 0, retval: 'event' };
  }
}

function stdinFor(e: AlertEvent): string {
  switch (e.type) {
    case 'startup':
      return '';
    case 'test':
      return TEST_STDIN;
    case 'ack':
    case 'disable':
      return e.comment ?? '';
    default:
      if (e.output) return e.output;
      return e.detail ? `${e.summary}\n${e.detail}` : e.summary ? `${e.summary}\n` : '';
  }
}

const secs = (ms: number | undefined) => (ms === undefined ? undefined : String(Math.floor(ms / 1000)));

/** The full call for one event. Host events carry their single host in `-h`. */
export function monAlertCall(e: AlertEvent, c: CallContext): AlertCall {
  const kind = alertKind(e);
  const hosts = e.host !== undefined && e.type.startsWith('host-') ? e.host : e.hosts.join(' ');
  const args = ['-s', e.service, '-g', e.watch, '-h', hosts, '-t', secs(e.at)!];
  if (kind.flag) args.push(kind.flag);
  args.push(...c.extraArgs);

  const isFailure = kind.alertType === 'failure' || kind.alertType === 'trap' || kind.alertType === 'traptimeout';
  const mon: Record<string, string | undefined> = {
    MON_GROUP: e.watch,
    MON_SERVICE: e.service,
    MON_DESCRIPTION: e.description,
    MON_ALERTTYPE: kind.alertType,
    MON_RETVAL: kind.retval === 'event' ? String(e.exitCode ?? (isFailure ? 1 : 0)) : kind.retval?.toString(),
    MON_OPSTATUS: String(kind.opstatus),
    MON_LAST_SUMMARY: e.summary,
    MON_LAST_OUTPUT: e.lastOutput,
    MON_FIRST_FAILURE: secs(e.since),
    MON_LAST_FAILURE: secs(e.lastFailure ?? (isFailure ? e.at : undefined)),
    MON_LAST_SUCCESS: secs(e.lastSuccess),
    MON_FIRST_SUCCESS: '', // always empty in mon (never set)
    MON_ACK: e.type !== 'ack' ? e.comment : undefined,
    MON_STATEDIR: c.stateDir,
    MON_CFBASEDIR: c.configDir,
    VIGIL_EVENT: e.type,
    VIGIL_EVENT_ID: e.id,
    VIGIL_HOST: e.host,
  };
  const env: Record<string, string | undefined> = { ...c.serviceEnv, ...e.env, ...c.optionEnv };
  // An unset MON_* must not leak in from vigil's own environment (mon: no MON_RETVAL for acks).
  for (const [k, v] of Object.entries(mon)) env[k] = v;
  return { args, stdin: stdinFor(e), env };
}
