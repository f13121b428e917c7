/**
 * @fileoverview Runs one plugin call under a deadline. The plugin gets an
 * AbortSignal that fires at the timeout or at shutdown; the call is also raced
 * against the deadline, so a plugin that ignores its signal, never settles or
 * throws cannot stall the scheduler. A throw becomes a failed result.
 */
import { setMaxListeners } from 'node:events';
import { CheckTimeoutError, PluginError, errorMessage } from './errors.ts';
import { onAbort } from './kit/on-abort.ts';

export type Outcome<T> =
  | { kind: 'ok'; value: T; durationMs: number }
  | { kind: 'error'; error: PluginError; durationMs: number }
  | { kind: 'timeout'; error: CheckTimeoutError; durationMs: number; /** the plugin's own words, when it answered the abort at once */ reason?: string }
  | { kind: 'aborted'; durationMs: number };

/**
 * One deadline for the checks that start together. A service run starts up to
 * `maxprocs` checks within microseconds, all with the same timeout; an
 * AbortController, a timer and a shutdown listener for each one were a large part
 * of the framework's cost per check (their allocation, then garbage collection).
 * A check joins the open batch of its timeout for up to BATCH_MS after the batch
 * opened; the batch's timer fires BATCH_MS after the first one's timeout, so no
 * check gets less than its timeout and none more than BATCH_MS extra. Plugins of
 * one batch share its AbortSignal.
 */
const BATCH_MS = 1;

class Batch {
  readonly ctrl = new AbortController();
  readonly opened = performance.now();
  /** Checks of this batch still running. */
  readonly running = new Set<Run<unknown>>();
  joinable = true;
  private timer: NodeJS.Timeout;
  private unwatch?: () => void;

  constructor(readonly timeoutMs: number, shutdown: AbortSignal | undefined) {
    // Every check of the batch may listen on the shared signal (tcp, http do): not a leak.
    setMaxListeners(0, this.ctrl.signal);
    this.timer = setTimeout(() => this.expire(), timeoutMs + BATCH_MS);
    if (shutdown) this.unwatch = onAbort(shutdown, () => this.stop(shutdown.reason));
  }

  leave(r: Run<unknown>): void {
    this.running.delete(r);
    // Once empty, nobody joins: the next check opens a new batch, this one's timer goes.
    if (this.running.size === 0) this.close();
  }

  private close(): void {
    this.joinable = false;
    clearTimeout(this.timer);
    this.unwatch?.();
  }

  private expire(): void {
    // Node starts a timer from the event loop's cached time, whole milliseconds that
    // may be a little behind: the timer can fire up to about 1 ms early. Wait out the rest.
    const left = this.opened + this.timeoutMs + BATCH_MS - performance.now();
    if (left > 0) {
      this.timer = setTimeout(() => this.expire(), Math.ceil(left));
      return;
    }
    this.close();
    const fired = performance.now();
    this.ctrl.abort(new CheckTimeoutError(this.timeoutMs));
    // A plugin that honours the signal answers within a tick, often saying what it was
    // waiting for ("no answer over UDP"); give it that tick, then stop waiting.
    const late = [...this.running];
    setImmediate(() => {
      for (const r of late) r.timedOut(fired);
    });
  }

  private stop(reason: unknown): void {
    this.close();
    this.ctrl.abort(reason);
    for (const r of [...this.running]) r.shutDown();
  }
}

/** The open batch of each timeout, per shutdown signal. */
const openBatches = new WeakMap<object, Map<number, Batch>>();
const NO_SHUTDOWN = {};

function joinBatch(timeoutMs: number, shutdown: AbortSignal | undefined): Batch {
  const key = shutdown ?? NO_SHUTDOWN;
  let byTimeout = openBatches.get(key);
  if (!byTimeout) openBatches.set(key, (byTimeout = new Map()));
  const cur = byTimeout.get(timeoutMs);
  if (cur?.joinable && performance.now() - cur.opened < BATCH_MS) return cur;
  const b = new Batch(timeoutMs, shutdown);
  byTimeout.set(timeoutMs, b);
  return b;
}

/** One call under its batch's deadline: one object per check, its methods on the prototype. */
class Run<T> {
  private settled = false;
  readonly started = performance.now();

  constructor(
    private readonly plugin: string,
    private readonly hook: string,
    private readonly batch: Batch,
    private readonly resolve: (o: Outcome<T>) => void,
  ) {}

  ok(value: T): void {
    this.finish({ kind: 'ok', value, durationMs: performance.now() - this.started });
  }

  failed(err: unknown): void {
    const durationMs = performance.now() - this.started;
    const signal = this.batch.ctrl.signal;
    if (signal.aborted && signal.reason instanceof CheckTimeoutError) {
      const reason = err instanceof CheckTimeoutError || err === signal.reason || (err instanceof Error && err.name === 'AbortError') ? undefined : errorMessage(err);
      this.finish({ kind: 'timeout', error: signal.reason, durationMs, reason });
    } else if (signal.aborted) this.finish({ kind: 'aborted', durationMs });
    else this.finish({ kind: 'error', error: new PluginError(this.plugin, this.hook, err), durationMs });
  }

  timedOut(fired: number): void {
    this.finish({ kind: 'timeout', error: new CheckTimeoutError(this.batch.timeoutMs), durationMs: fired - this.started });
  }

  shutDown(): void {
    this.finish({ kind: 'aborted', durationMs: performance.now() - this.started });
  }

  private finish(o: Outcome<T>): void {
    if (this.settled) return;
    this.settled = true;
    this.batch.leave(this as Run<unknown>);
    this.resolve(o);
  }
}

export function runWithDeadline<T>(
  plugin: string,
  hook: string,
  timeoutMs: number,
  shutdown: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<Outcome<T>> {
  // One promise and one Run per call: this runs thousands of times a second.
  return new Promise<Outcome<T>>((resolve) => {
    if (shutdown?.aborted) return resolve({ kind: 'aborted', durationMs: 0 });
    const batch = joinBatch(timeoutMs, shutdown);
    const run = new Run<T>(plugin, hook, batch, resolve);
    batch.running.add(run as Run<unknown>);
    let p: Promise<T>;
    try {
      p = Promise.resolve(call(batch.ctrl.signal));
    } catch (err) {
      p = Promise.reject(err);
    }
    // A late settlement of an abandoned call is ignored (finish runs once), never unhandled.
    p.then(
      (value) => run.ok(value),
      (err) => run.failed(err),
    );
  });
}

/** Short text for a failed outcome, as a check summary. */
export function outcomeSummary(o: Outcome<unknown>): string {
  if (o.kind === 'timeout') return `timed out after ${o.error.timeoutMs} ms${o.reason ? `: ${o.reason}` : ''}`;
  if (o.kind === 'error') return `check failed: ${errorMessage(o.error.cause)}`;
  if (o.kind === 'aborted') return 'check aborted (shutting down)';
  return '';
}
