/**
 * @fileoverview One 'abort' listener per signal, however many waiters: vigil hands
 * one signal to the checks that start together (up to `maxprocs`), and an
 * EventTarget listener added and removed by each costs microseconds (the list is
 * scanned) and memory. Part of the plugin API, like core/types.ts.
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
