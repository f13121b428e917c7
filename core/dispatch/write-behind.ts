/**
 * @fileoverview Groups the outbox updates of one event-loop tick (delivered,
 * failed, given up) into one store transaction, flushed by `setImmediate`: a
 * burst of 20,000 deliveries costs a few disk syncs, not 20,000. The window a
 * crash can lose stays one tick: those deliveries are sent again after the
 * restart, never lost.
 */
import type { Store } from '../store.ts';

/** Flush at once when this many updates wait: bounds memory and what a crash can resend. */
export const WRITE_BATCH_MAX = 256;

export class WriteBehind {
  private ops: Array<() => void> = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly store: Pick<Store, 'transaction'>,
    /** Called once per update that could not be written. */
    private readonly onError: (err: unknown) => void,
    private readonly max = WRITE_BATCH_MAX,
  ) {}

  get size(): number {
    return this.ops.length;
  }

  /** Queue one store update; it is committed with the others of this tick. */
  add(op: () => void): void {
    this.ops.push(op);
    if (this.ops.length >= this.max) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Commit what is queued now, in one transaction. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const ops = this.ops.splice(0);
    if (ops.length === 0) return;
    try {
      this.store.transaction(() => {
        for (const op of ops) op();
      });
    } catch {
      // One bad update must not cost the others theirs: write them one by one.
      for (const op of ops) {
        try {
          op();
        } catch (err) {
          this.onError(err);
        }
      }
    }
  }
}
