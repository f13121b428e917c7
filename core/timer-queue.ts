/**
 * @fileoverview One timer for many due times: a binary min-heap keyed by due time
 * and a single setTimeout for the earliest entry. Thousands of services cost one
 * armed timer, not thousands.
 */

interface Item<T> {
  at: number;
  seq: number;
  value: T;
  cancelled: boolean;
}

export interface TimerHandle {
  cancel(): void;
}

export class TimerQueue<T> {
  private heap: Item<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Infinity;
  private seq = 0;
  private stopped = false;

  constructor(
    private readonly fire: (value: T, at: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  schedule(at: number, value: T): TimerHandle {
    const item: Item<T> = { at, seq: this.seq++, value, cancelled: false };
    this.push(item);
    this.arm();
    return { cancel: () => void (item.cancelled = true) };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.heap = [];
  }

  private arm(): void {
    if (this.stopped) return;
    const top = this.heap[0];
    if (!top) return;
    if (this.timer && top.at >= this.armedAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = top.at;
    // setTimeout cannot take more than ~24.8 days; re-arm in steps.
    const delay = Math.min(Math.max(0, top.at - this.now()), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.run(), delay);
  }

  private run(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = this.now();
    while (this.heap.length && this.heap[0]!.at <= now) {
      const item = this.pop()!;
      if (!item.cancelled) this.fire(item.value, item.at);
      if (this.stopped) return;
    }
    this.arm();
  }

  private push(item: Item<T>): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private pop(): Item<T> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Item<unknown>, b: Item<unknown>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
