/**
 * @fileoverview Pure rules that turn a mon monitor script's exit and output into a
 * check result (mon-reference.md, section b), and the MON_* environment it gets.
 */
import { constants } from 'node:os';
import type { GroupCheckResult, RunInfo } from '../../core/types.ts';

/** What mon shows when a failing script printed no summary. */
export const NO_SUMMARY = '(NO SUMMARY)';

export interface Ended {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when vigil killed it (timeout/abort): the reason, for the summary. */
  killedBecause?: string;
}

/** `line1\nrest` -> ['line1', 'rest']; a lone trailing newline is not detail. */
export function splitOutput(raw: string): { first: string; rest: string } {
  const nl = raw.indexOf('\n');
  if (nl < 0) return { first: raw, rest: '' };
  return { first: raw.slice(0, nl).replace(/\r$/, ''), rest: raw.slice(nl + 1) };
}

/** The group's hosts that appear as whole words in the summary (mon: the summary lists the failing hosts). */
export function hostsInSummary(summary: string, hosts: readonly string[]): string[] {
  const words = new Set(summary.split(/[\s,]+/).filter(Boolean));
  return hosts.filter((h) => words.has(h));
}

/**
 * Exit 0 is success; any other exit is a failure carrying `exitCode`. A script ended
 * by a signal is a failure too (mon counts it as success, a bug vigil fixes), with
 * exitCode 128+N as a shell reports it.
 */
export function interpretRun(raw: string, ended: Ended, hosts: readonly string[]): GroupCheckResult {
  const { first, rest } = splitOutput(raw);
  const base = { detail: rest, output: raw };
  if (ended.exitCode === 0 && !ended.killedBecause) {
    return { ok: true, summary: first, failedHosts: [], exitCode: 0, ...base };
  }
  if (ended.exitCode === null || ended.killedBecause) {
    const sig = ended.signal ?? 'SIGKILL';
    const why = ended.killedBecause ?? `killed by signal ${sig}`;
    const num = (constants.signals as Record<string, number>)[sig] ?? 9;
    return { ok: false, summary: first.trim() ? `${why}: ${first}` : why, failedHosts: [...hosts], exitCode: 128 + num, ...base };
  }
  const summary = first.trim() === '' ? NO_SUMMARY : first;
  const named = hostsInSummary(summary, hosts);
  return { ok: false, summary, failedHosts: named.length > 0 ? named : [...hosts], exitCode: ended.exitCode, ...base };
}

const secs = (ms: number | undefined) => (ms === undefined ? '0' : String(Math.floor(ms / 1000)));

/** mon's MON_* variables for one monitor run. */
export function monMonitorEnv(run: RunInfo, dirs: { stateDir: string; configDir: string }): Record<string, string | undefined> {
  return {
    MON_GROUP: run.watch,
    MON_SERVICE: run.service,
    MON_DESCRIPTION: run.description,
    MON_LAST_SUMMARY: run.lastSummary,
    MON_LAST_OUTPUT: run.lastOutput,
    MON_LAST_FAILURE: secs(run.lastFailure),
    MON_FIRST_FAILURE: secs(run.firstFailure),
    MON_LAST_SUCCESS: secs(run.lastSuccess),
    MON_DEPEND_STATUS: run.dependStatus === undefined ? undefined : run.dependStatus ? '1' : '0',
    MON_STATEDIR: dirs.stateDir,
    MON_CFBASEDIR: dirs.configDir,
  };
}
