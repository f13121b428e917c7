/**
 * @fileoverview One `list opstatus` line exactly as mon's client_write_opstatus
 * writes it (mon-reference.md d.3): key=value pairs in a fixed order, values
 * esc_str-escaped, optional keys appended only when they apply. Times are
 * time(2) seconds.
 */
import type { Service } from '../model.ts';
import type { ServiceStatusView } from '../runtime.ts';
import { escStr } from './escape.ts';

const secs = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.floor(ms / 1000));
const num = (ms: number): string => String(Math.round(ms) / 1000);

/** mon's `monitor` value: the monitor line as written (script path and args), else the plugin name. */
export function monitorText(svc: Service | undefined, view: ServiceStatusView): string {
  const m = svc?.monitor;
  if (!m) return svc ? '' : view.monitor;
  if (m.plugin !== 'script') return view.monitor || m.plugin;
  const args = (m.options.args as string[] | undefined) ?? [];
  return [String(m.options.path), ...args, ...(m.options.noHosts ? [';;'] : [])].join(' ');
}

export function opstatusLine(view: ServiceStatusView, svc: Service | undefined, now: number): string {
  const q = (s: string | undefined) => escStr(s, true);
  const timer = view.nextCheck !== undefined ? Math.max(0, Math.round((view.nextCheck - now) / 1000)) : undefined;
  const parts = [
    `group=${view.watch}`,
    `service=${view.service}`,
    `opstatus=${view.opstatus}`,
    `last_opstatus=${view.lastOpstatus}`,
    `exitval=${view.exitCode ?? 'undef'}`,
    `timer=${timer ?? ''}`,
    `last_success=${secs(view.lastSuccess) ?? 0}`,
    `last_trap=${secs(view.lastTrap) ?? 0}`,
    `last_traphost=${q(view.lastTrapHost)}`,
    `last_check=${secs(view.lastCheck) ?? ''}`,
    `ack=${view.acked ? (secs(view.ackAt) ?? secs(now)) : 0}`,
    `ackcomment=${view.acked ? q(view.ackComment) : ''}`,
    `alerts_sent=${view.alertsSent}`,
    `depstatus=${view.dependOk === undefined ? '' : view.dependOk ? 1 : 0}`,
    `depend=${q(svc?.depend ?? view.depend)}`,
    `hostdepend=${q(svc?.hostdepend)}`,
    `monitordepend=${q(svc?.monitordepend)}`,
    `alertdepend=${q(svc?.alertdepend)}`,
    `monitor=${q(monitorText(svc, view))}`,
    `last_summary=${q(view.summary)}`,
    `last_detail=${q(view.detail)}`,
  ];
  if (view.lastFailure) parts.push(`last_failure=${secs(view.lastFailure)}`);
  const intervalMs = svc?.intervalMs ?? view.intervalMs;
  if (intervalMs) {
    parts.push(`interval=${num(intervalMs)}`, `monitor_duration=${view.durationMs === undefined ? -1 : Math.round(view.durationMs / 1000)}`, `monitor_running=${view.running ? 1 : 0}`);
  }
  if (svc?.excludePeriod) parts.push(`exclude_period=${escStr(svc.excludePeriod)}`);
  if (svc && svc.excludeHosts.length) parts.push(`exclude_hosts=${escStr(svc.excludeHosts.join(' '))}`);
  if (svc?.randskewMs) parts.push(`randskew=${num(svc.randskewMs)}`);
  if (view.lastAlert) parts.push(`last_alert=${secs(view.lastAlert)}`);
  if (view.firstFailure) parts.push(`first_failure=${secs(view.firstFailure)}`, `failure_duration=${Math.floor((now - view.firstFailure) / 1000)}`);
  return parts.join(' ');
}

/** mon's status classes for `list failures|successes|warnings`. */
export const FAILURE_STATES = new Set([0, 4, 6]);
export const SUCCESS_STATES = new Set([1, 2, 3, 5, 7]);
export const WARNING_STATES = new Set([2, 3, 5, 9]);
