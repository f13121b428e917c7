/**
 * @fileoverview Delivers events to alert plugins through the outbox: every
 * delivery is written to the store (durably) before it is attempted, retried with
 * exponential backoff and jitter, then delivered or given up. One queue per
 * target keeps order; a restart resumes what was pending.
 */
import type { Alert, AlertEvent, Logger } from './types.ts';
import { isPermanentFailure } from './types.ts';
import { errorMessage } from './errors.ts';
import { deliveryId, type NewDelivery, type PendingDelivery, type Store } from './store.ts';
import { backoffDelay, retryPolicy, type RetryPolicy } from './dispatch/backoff.ts';
import { deliveredRecord } from './dispatch/history-type.ts';
import { TargetQueue } from './dispatch/target-queue.ts';
import { WriteBehind } from './dispatch/write-behind.ts';
import { pendingFromNew } from './store/rows.ts';
import { runWithDeadline } from './run-check.ts';

export type { RetryPolicy } from './dispatch/backoff.ts';

export interface DispatchItem {
  event: AlertEvent;
  /** Stable key of one alert of one period of one service; the engine chooses and resolves it. */
  target: string;
}

export interface ResolvedTarget {
  plugin: string;
  alert: Alert;
}

/** Counted through `onMetric(name, { plugin })`. */
export type DispatchMetric = 'alert_delivered' | 'alert_failed' | 'alert_given_up';

export interface DispatcherOptions {
  store: Store;
  /** Current alert instance of a target, or undefined when a reload removed it. */
  resolve(target: string): ResolvedTarget | undefined;
  log: Logger;
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Bound on one `send` unless the alert sets its own `sendTimeoutMs`. @default 30000 */
  sendTimeoutMs?: number;
  onMetric?(name: DispatchMetric, labels: { plugin: string }): void;
  /** Random source for jitter (tests). */
  random?: () => number;
}

export interface Dispatcher {
  /** Writes the outbox rows now (before returning), then delivers in the background. */
  dispatch(items: DispatchItem[]): void;
  /** On start, before the first dispatch: deliver what the outbox still holds. */
  resume(): Promise<void>;
  /** On SIGTERM: deliver what is due and finish in-flight sends within `timeoutMs`, then abort them; the rest stays pending. */
  drain(timeoutMs: number): Promise<void>;
  /** Stop at once: abort in-flight sends and timers. Does not close the store. */
  close(): void;
}

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  return new OutboxDispatcher(opts);
}

type Outcome = 'delivered' | 'retry' | 'given-up';

class OutboxDispatcher implements Dispatcher {
  private readonly queues = new Map<string, TargetQueue>();
  private readonly queued = new Set<string>();
  private readonly resumed = new Set<string>();
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly sendTimeoutMs: number;
  private readonly shutdown = new AbortController();
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  /** Delivery outcomes of one tick, committed together (see write-behind.ts). */
  private readonly writes: WriteBehind;

  constructor(private readonly o: DispatcherOptions) {
    this.policy = retryPolicy(o.retry);
    this.now = o.now ?? Date.now;
    this.sendTimeoutMs = o.sendTimeoutMs ?? 30_000;
    this.writes = new WriteBehind(o.store, (err) =>
      o.log.error({ err: errorMessage(err) }, 'outbox update failed; delivery state may be replayed after a restart'),
    );
  }

  dispatch(items: DispatchItem[]): void {
    if (items.length === 0) return;
    const rows: NewDelivery[] = items.map(({ event, target }) => ({
      id: deliveryId(event.id, target),
      target,
      plugin: this.o.resolve(target)?.plugin ?? 'unknown',
      event,
      createdAt: this.now(),
    }));
    let added: PendingDelivery[];
    try {
      added = this.o.store.enqueue(rows);
    } catch (err) {
      // The mail must still go out; it just will not survive a restart.
      this.o.log.error({ err: errorMessage(err), deliveries: rows.length }, 'outbox write failed; delivering from memory only');
      added = rows.map((r) => pendingFromNew(r));
    }
    // After shutdown the rows are kept for the next start, not attempted now.
    if (this.shutdown.signal.aborted) return;
    for (const d of added) this.enqueueInMemory(d);
  }

  async resume(): Promise<void> {
    let pending: PendingDelivery[];
    try {
      this.writes.flush();
      pending = this.o.store.pending();
    } catch (err) {
      this.o.log.error({ err: errorMessage(err) }, 'cannot read pending alert deliveries from the outbox');
      return;
    }
    if (pending.length) this.o.log.info({ pending: pending.length }, 'resuming pending alert deliveries');
    // A restart is a reason to try again now rather than wait out an old backoff.
    for (const d of pending) {
      delete d.nextAttemptAt;
      this.enqueueInMemory(d, true);
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const q of this.queues.values()) q.wake();
    this.flushAlerts();
    const idle = new Promise<void>((resolve) => {
      if (this.busyCount() === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const r = await Promise.race([idle, timedOut]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.o.log.warn({ inFlight: this.busyCount(), timeoutMs }, 'alert deliveries still running at shutdown; aborting them (they stay in the outbox)');
      this.shutdown.abort(new Error('vigil is shutting down'));
      await Promise.race([idle, new Promise((res) => setTimeout(res, 1000).unref())]);
    }
    this.writes.flush();
  }

  /** Ask alerts with deliveries in flight to send what they hold (digests) now. */
  private flushAlerts(): void {
    const seen = new Set<Alert>();
    for (const q of this.queues.values()) {
      if (!q.running) continue;
      const alert = this.o.resolve(q.target)?.alert;
      if (!alert?.flush || seen.has(alert)) continue;
      seen.add(alert);
      try {
        alert.flush();
      } catch (err) {
        this.o.log.warn({ target: q.target, err: errorMessage(err) }, 'alert flush at shutdown failed');
      }
    }
  }

  close(): void {
    this.shutdown.abort(new Error('dispatcher closed'));
    for (const q of this.queues.values()) q.wake();
    // Before the caller closes the store: outcomes already known are kept.
    this.writes.flush();
  }

  private busyCount(): number {
    let n = 0;
    for (const q of this.queues.values()) if (q.running) n++;
    return n;
  }

  private enqueueInMemory(d: PendingDelivery, front = false): void {
    if (this.queued.has(d.id)) return;
    this.queued.add(d.id);
    let q = this.queues.get(d.target);
    if (!q) this.queues.set(d.target, (q = new TargetQueue(d.target)));
    if (front) {
      // Resumed rows are older than anything dispatched in this process.
      const firstNew = q.items.findIndex((x) => !this.resumed.has(x.id));
      q.items.splice(firstNew < 0 ? q.items.length : firstNew, 0, d);
      this.resumed.add(d.id);
    } else q.items.push(d);
    if (!q.running) void this.run(q);
  }

  private async run(q: TargetQueue): Promise<void> {
    q.running = true;
    try {
      while (q.items.length && !this.shutdown.signal.aborted) {
        const d = q.items[0]!;
        const wait = (d.nextAttemptAt ?? 0) - this.now();
        if (wait > 0) {
          if (this.draining) break;
          await q.sleep(wait);
          continue;
        }
        const outcome = await this.attempt(d);
        if (outcome !== 'retry') {
          q.items.shift();
          this.queued.delete(d.id);
          this.resumed.delete(d.id);
        }
      }
    } finally {
      q.running = false;
      if (q.items.length === 0) this.queues.delete(q.target);
      if (this.busyCount() === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async attempt(d: PendingDelivery): Promise<Outcome> {
    const fields = { target: d.target, plugin: d.plugin, watch: d.watch, service: d.service, type: d.type, delivery: d.id };
    const target = this.o.resolve(d.target);
    if (!target) {
      const why = `alert target "${d.target}" is no longer in the config (removed by a reload?); this delivery cannot be made`;
      this.giveUp(d, why, false, fields);
      return 'given-up';
    }
    d.attempts++;
    try {
      await this.send(target.alert, d.event, target.plugin);
    } catch (err) {
      const msg = this.shutdown.signal.aborted ? `aborted at shutdown: ${errorMessage(err)}` : errorMessage(err);
      if (isPermanentFailure(err) && !this.shutdown.signal.aborted) {
        this.o.onMetric?.('alert_failed', { plugin: d.plugin });
        this.giveUp(d, `refused for good, not retried: ${msg}`, true, fields);
        return 'given-up';
      }
      return this.failed(d, msg, fields);
    }
    const at = this.now();
    const rec = deliveredRecord(d.event, { id: d.id, plugin: target.plugin, target: d.target }, at);
    this.writes.add(() => this.o.store.markDelivered(d.id, at, rec));
    this.o.onMetric?.('alert_delivered', { plugin: target.plugin });
    this.o.log.info({ ...fields, attempt: d.attempts }, 'alert delivered');
    return 'delivered';
  }

  private failed(d: PendingDelivery, msg: string, fields: Record<string, unknown>): Outcome {
    this.o.onMetric?.('alert_failed', { plugin: d.plugin });
    if (d.attempts >= this.policy.maxAttempts) {
      this.giveUp(d, `gave up after ${d.attempts} attempts; last error: ${msg}`, true, fields);
      return 'given-up';
    }
    const delay = backoffDelay(d.attempts, this.policy, this.o.random);
    d.nextAttemptAt = this.now() + delay;
    d.lastError = msg;
    const next = d.nextAttemptAt;
    this.writes.add(() => this.o.store.markFailed(d.id, next, msg));
    this.o.log.warn({ ...fields, attempt: d.attempts, retryInMs: delay, err: msg }, 'alert delivery failed; will retry');
    return 'retry';
  }

  private giveUp(d: PendingDelivery, why: string, attempted: boolean, fields: Record<string, unknown>): void {
    const at = this.now();
    this.writes.add(() => this.o.store.markGivenUp(d.id, at, why, attempted));
    this.o.onMetric?.('alert_given_up', { plugin: d.plugin });
    this.o.log.error({ ...fields, attempts: d.attempts, err: why }, 'alert delivery given up');
  }

  /**
   * `alert.send` bounded by its timeout and by shutdown, even if the plugin ignores the
   * signal: the same deadline runner as checks, so sends that start together share
   * one controller, one timer and one shutdown listener (at start, 20,000 host-up
   * deliveries each had their own, and a race, a promise and a closure besides).
   */
  private async send(alert: Alert, event: AlertEvent, plugin: string): Promise<void> {
    const ms = alert.sendTimeoutMs ?? this.sendTimeoutMs;
    const o = await runWithDeadline(plugin, 'send', ms, this.shutdown.signal, (signal) => alert.send(event, signal));
    if (o.kind === 'ok') return;
    if (o.kind === 'error') throw o.error.cause;
    if (o.kind === 'timeout') throw new Error(`send timed out after ${ms} ms${o.reason ? `: ${o.reason}` : ''}`);
    throw this.shutdown.signal.reason instanceof Error ? this.shutdown.signal.reason : new Error('vigil is shutting down');
  }
}
