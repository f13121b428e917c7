/**
 * @fileoverview A counting semaphore: at most `max` checks in flight (mon's maxprocs;
 * 0 = unlimited). Waiters are served first come, first served.
 */
export class Limiter {
  private active = 0;
  /** FIFO as an array and a head index: shift() is O(n) and the queue can hold thousands. */
  private waiting: Array<() => void> = [];
  private head = 0;

  constructor(private max: number) {}

  get inFlight(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiting.length - this.head;
  }

  setMax(max: number): void {
    this.max = max;
    this.drain();
  }

  /** Resolves when a slot is free; call the returned function exactly once to release it. */
  acquire(): Promise<() => void> | (() => void) {
    if (this.max === 0 || this.active < this.max) {
      this.active++;
      return this.releaser();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      this.drain();
    };
  }

  private drain(): void {
    while (this.head < this.waiting.length && (this.max === 0 || this.active < this.max)) {
      this.active++;
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as never;
      if (this.head === this.waiting.length) {
        this.waiting = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next();
    }
  }
}
