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
  | { kind: 'timeout'; error: CheckTimeoutError; durationMs: number }
  | { kind: 'aborted'; durationMs: number };

export async function runWithDeadline<T>(
  plugin: string,
  hook: string,
  timeoutMs: number,
  shutdown: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<Outcome<T>> {
  const started = performance.now();
  const ctrl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onShutdown: (() => void) | undefined;
  const deadline = new Promise<'timeout' | 'aborted'>((resolve) => {
    timer = setTimeout(() => {
      ctrl.abort(new CheckTimeoutError(timeoutMs));
      resolve('timeout');
    }, timeoutMs);
    if (shutdown) {
      onShutdown = () => {
        ctrl.abort(shutdown.reason);
        resolve('aborted');
      };
      if (shutdown.aborted) onShutdown();
      else shutdown.addEventListener('abort', onShutdown, { once: true });
    }
  });
  try {
    let p: Promise<T>;
    try {
      p = Promise.resolve(call(ctrl.signal));
    } catch (err) {
      p = Promise.reject(err);
    }
    // A late rejection from an abandoned call must not become an unhandled rejection.
    p.catch(() => {});
    const won = await Promise.race([p.then((value) => ({ value })), deadline]);
    const durationMs = performance.now() - started;
    if (won === 'timeout') return { kind: 'timeout', error: new CheckTimeoutError(timeoutMs), durationMs };
    if (won === 'aborted') return { kind: 'aborted', durationMs };
    return { kind: 'ok', value: won.value, durationMs };
  } catch (err) {
    const durationMs = performance.now() - started;
    if (ctrl.signal.aborted && ctrl.signal.reason instanceof CheckTimeoutError) {
      return { kind: 'timeout', error: ctrl.signal.reason, durationMs };
    }
    if (shutdown?.aborted) return { kind: 'aborted', durationMs };
    return { kind: 'error', error: new PluginError(plugin, hook, err), durationMs };
  } finally {
    clearTimeout(timer);
    if (onShutdown) shutdown?.removeEventListener('abort', onShutdown);
  }
}

/** Short text for a failed outcome, as a check summary. */
export function outcomeSummary(o: Outcome<unknown>): string {
  if (o.kind === 'timeout') return `timed out after ${o.error.timeoutMs} ms`;
  if (o.kind === 'error') return `check failed: ${errorMessage(o.error.cause)}`;
  if (o.kind === 'aborted') return 'check aborted (shutting down)';
  return '';
}
