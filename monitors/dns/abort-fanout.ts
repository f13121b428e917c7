/**
 * @fileoverview One 'abort' listener per signal, however many queries wait on it: a
 * scheduler may hand the same signal to thousands of host checks, and one listener each
 * would cost memory and trip node's MaxListeners warning.
 */
type Callback = () => void;

const watchers = new WeakMap<AbortSignal, Set<Callback>>();

/** Call `fn` when `signal` aborts; returns the function that cancels this. */
export function onAbort(signal: AbortSignal, fn: Callback): () => void {
  let set = watchers.get(signal);
  if (!set) {
    const fresh = new Set<Callback>();
    set = fresh;
    watchers.set(signal, fresh);
    signal.addEventListener(
      'abort',
      () => {
        watchers.delete(signal);
        for (const cb of fresh) cb();
      },
      { once: true },
    );
  }
  set.add(fn);
  const mine = set;
  return () => {
    mine.delete(fn);
  };
}

export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error('aborted');
}
