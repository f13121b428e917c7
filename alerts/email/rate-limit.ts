/**
 * @fileoverview Sliding-window mail budget: at most `max` mails per `perMs`. Pure.
 */
export class RateLimit {
  private readonly sent: number[] = [];

  constructor(
    readonly max: number,
    readonly perMs: number,
  ) {}

  private trim(now: number): void {
    while (this.sent.length && this.sent[0]! <= now - this.perMs) this.sent.shift();
  }

  /** Earliest time a mail may go out: `now` when the budget allows it. */
  nextFreeAt(now: number): number {
    this.trim(now);
    return this.sent.length < this.max ? now : this.sent[this.sent.length - this.max]! + this.perMs;
  }

  record(now: number): void {
    this.sent.push(now);
  }

  /** Take back a slot recorded for a mail that did not go out. */
  forget(at: number): void {
    const i = this.sent.lastIndexOf(at);
    if (i >= 0) this.sent.splice(i, 1);
  }
}
