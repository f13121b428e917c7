/**
 * @fileoverview One 'abort' listener per signal, however many waiters: vigil hands
 * one signal to the checks that start together (up to `maxprocs`), and an
 * EventTarget listener added and removed by each costs microseconds (the list is
 * scanned) and memory. Part of the plugin API, like core/types.ts.
 *
 * The waiters of a signal are a linked list, not a Set: a Set that lives long (the
 * daemon's shutdown signal, a plugin's own) and grows and shrinks with each burst of
 * checks gets its new tables from V8 in the old generation, and the tables it leaves
 * behind keep every waiter they held, and all a waiter's closure holds (a check's
 * promise, its answer), until the next full collection. A removed node points at
 * nothing.
 */
type Callback = () => void;

interface Waiter {
  fn: Callback | undefined;
  prev: Waiter | undefined;
  next: Waiter | undefined;
}

interface Waiters {
  first: Waiter | undefined;
  last: Waiter | undefined;
}

const watchers = new WeakMap<AbortSignal, Waiters>();

/** Call `fn` when `signal` aborts; returns the function that cancels this. */
export function onAbort(signal: AbortSignal, fn: Callback): () => void {
  let list = watchers.get(signal);
  if (!list) {
    const fresh: Waiters = { first: undefined, last: undefined };
    list = fresh;
    watchers.set(signal, fresh);
    signal.addEventListener('abort', () => fire(signal, fresh), { once: true });
  }
  const w: Waiter = { fn, prev: list.last, next: undefined };
  if (list.last) list.last.next = w;
  else list.first = w;
  list.last = w;
  const mine = list;
  return () => remove(mine, w);
}

function remove(list: Waiters, w: Waiter): void {
  if (w.fn === undefined) return;
  w.fn = undefined;
  if (w.prev) w.prev.next = w.next;
  else list.first = w.next;
  if (w.next) w.next.prev = w.prev;
  else list.last = w.prev;
  w.prev = w.next = undefined;
}

function fire(signal: AbortSignal, list: Waiters): void {
  watchers.delete(signal);
  // Taken first: a callback may cancel other waiters (which are then skipped).
  const all: Waiter[] = [];
  for (let w = list.first; w; w = w.next) all.push(w);
  for (const w of all) {
    const fn = w.fn;
    if (fn) {
      remove(list, w);
      fn();
    }
  }
}

export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error('aborted');
}
