/**
 * @fileoverview One FIFO per alert target: deliveries for a target run one at a
 * time in enqueue order, so an `up` never overtakes its `down` while the down is
 * being retried. Holds the wake-up timer of a queue waiting out a backoff.
 */
import type { PendingDelivery } from '../store.ts';

export class TargetQueue {
  readonly items: PendingDelivery[] = [];
  running = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(readonly target: string) {}

  /** Resolves after `ms`, or earlier when `wake()` is called (drain, close). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  wake(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }
}
