/**
 * @fileoverview Runs one plugin call under a deadline. The plugin gets an
 * AbortSignal that fires at the timeout or at shutdown; the call is also raced
 * against the deadline, so a plugin that ignores its signal, never settles or
 * throws cannot stall the scheduler. A throw becomes a failed result.
 */
import { CheckTimeoutError, PluginError, errorMessage } from './errors.ts';

export type Outcome<T> =
  | { kind: 'ok'; value: T; durationMs: number }
  | { kind: 'error'; error: PluginError; durationMs: number }
  | { kind: 'timeout'; error: CheckTimeoutError; durationMs: number; /** the plugin's own words, when it answered the abort at once */ reason?: string }
  | { kind: 'aborted'; durationMs: number };

/**
 * One 'abort' listener per shutdown signal, fanning out to a Set: an EventTarget
 * listener added and removed for every check cost microseconds per check and
 * grew the listener list to maxprocs entries.
 */
const hubs = new WeakMap<AbortSignal, Set<() => void>>();
function onShutdownOf(signal: AbortSignal, fn: () => void): () => void {
  let set = hubs.get(signal);
  if (!set) {
    const fns = new Set<() => void>();
    hubs.set(signal, fns);
    signal.addEventListener('abort', () => {
      for (const f of [...fns]) f();
      fns.clear();
    }, { once: true });
    set = fns;
  }
  set.add(fn);
  return () => void set.delete(fn);
}

export function runWithDeadline<T>(
  plugin: string,
  hook: string,
  timeoutMs: number,
  shutdown: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<Outcome<T>> {
  // One promise, one timer and one listener per call: this runs thousands of times a second.
  return new Promise<Outcome<T>>((resolve) => {
    const started = performance.now();
    const ctrl = new AbortController();
    let settled = false;
    const finish = (o: Outcome<T>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch?.();
      resolve(o);
    };
    const onShutdown = () => {
      ctrl.abort(shutdown!.reason);
      finish({ kind: 'aborted', durationMs: performance.now() - started });
    };
    const timer = setTimeout(() => {
      const durationMs = performance.now() - started;
      ctrl.abort(new CheckTimeoutError(timeoutMs));
      // A plugin that honours the signal answers within a tick, often saying what it was
      // waiting for ("no answer over UDP"); give it that tick, then stop waiting.
      setImmediate(() => finish({ kind: 'timeout', error: new CheckTimeoutError(timeoutMs), durationMs }));
    }, timeoutMs);
    let unwatch: (() => void) | undefined;
    if (shutdown) {
      if (shutdown.aborted) return onShutdown();
      unwatch = onShutdownOf(shutdown, onShutdown);
    }
    let p: Promise<T>;
    try {
      p = Promise.resolve(call(ctrl.signal));
    } catch (err) {
      p = Promise.reject(err);
    }
    // A late settlement of an abandoned call is ignored (finish runs once), never unhandled.
    p.then(
      (value) => finish({ kind: 'ok', value, durationMs: performance.now() - started }),
      (err) => {
        const durationMs = performance.now() - started;
        if (ctrl.signal.aborted && ctrl.signal.reason instanceof CheckTimeoutError) {
          const reason = err instanceof CheckTimeoutError || err === ctrl.signal.reason || (err instanceof Error && err.name === 'AbortError') ? undefined : errorMessage(err);
          finish({ kind: 'timeout', error: ctrl.signal.reason, durationMs, reason });
        }
        else if (shutdown?.aborted) finish({ kind: 'aborted', durationMs });
        else finish({ kind: 'error', error: new PluginError(plugin, hook, err), durationMs });
      },
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
