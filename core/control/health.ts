/**
 * @fileoverview Self-watch. /healthz: the event loop turns (a tick within the
 * last few seconds) and the engine's scheduler is not wedged. /readyz: every
 * scheduled service has been checked at least once since this process started.
 */
import type { StatusSnapshot } from '../runtime.ts';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, unknown>;
  problems: string[];
}

export interface Health {
  healthz(): HealthReport;
  readyz(): HealthReport;
  close(): void;
}

const TICK_MS = 1000;

/** Pure: readiness from a snapshot. Trap-only (no interval, no cron) and disabled services do not count. */
export function readiness(snap: StatusSnapshot): HealthReport {
  const waiting: string[] = [];
  let scheduled = 0;
  for (const w of snap.watches) {
    for (const s of w.services) {
      if (!s.intervalMs && s.nextCheck === undefined) continue;
      if (s.disabled || w.disabled) continue;
      scheduled++;
      if (s.lastCheck === undefined || s.lastCheck < snap.startedAt) waiting.push(`${s.watch}/${s.service}`);
    }
  }
  return {
    ok: waiting.length === 0,
    checks: { services: scheduled, notYetChecked: waiting.length },
    problems: waiting.length ? [`not checked yet since start: ${waiting.slice(0, 20).join(', ')}${waiting.length > 20 ? ` and ${waiting.length - 20} more` : ''}`] : [],
  };
}

/** Pure: liveness from the last loop tick and a snapshot. */
export function liveness(now: number, lastTick: number, staleMs: number, snap: StatusSnapshot): HealthReport {
  const problems: string[] = [];
  const tickAge = now - lastTick;
  if (tickAge > staleMs) problems.push(`the event loop last ticked ${Math.round(tickAge / 1000)} s ago; vigil is stuck`);
  const overdue = snap.watches.flatMap((w) => w.services.filter((s) => s.overdue && !s.disabled && !w.disabled).map((s) => `${s.watch}/${s.service}`));
  // One late service is a service problem (shown on the page); all of them late means the scheduler is.
  const total = snap.watches.reduce((n, w) => n + w.services.filter((s) => s.intervalMs).length, 0);
  if (snap.schedulerRunning && total > 0 && overdue.length === total) problems.push(`every scheduled service is overdue by more than two intervals; the scheduler is not running checks`);
  return {
    ok: problems.length === 0,
    checks: { eventLoopTickAgeMs: tickAge, schedulerRunning: snap.schedulerRunning, overdueServices: overdue },
    problems,
  };
}

export function createHealth(status: () => StatusSnapshot, opts: { staleMs?: number; now?: () => number } = {}): Health {
  const now = opts.now ?? Date.now;
  const staleMs = opts.staleMs ?? 5000;
  let lastTick = now();
  const timer = setInterval(() => (lastTick = now()), TICK_MS);
  timer.unref();
  return {
    healthz: () => liveness(now(), lastTick, staleMs, status()),
    readyz: () => readiness(status()),
    close: () => clearInterval(timer),
  };
}
