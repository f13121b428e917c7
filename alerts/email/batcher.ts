/**
 * @fileoverview Folds events into mails. With `digestMs`, events arriving within
 * that window after the first go out as one mail; with a rate limit, events over
 * the budget wait and are folded into the next mail the budget allows. Each
 * event's `send` resolves only when the mail that carries it was accepted, so
 * the outbox keeps it until then (a restart loses nothing).
 */
import type { AlertEvent, Logger } from '../../core/types.ts';
import { renderDigest, renderOne, type MailText, type MessageTemplates } from './message.ts';
import type { RateLimit } from './rate-limit.ts';

export interface OutgoingMail extends MailText {
  eventIds: string[];
}

export interface BatcherDeps {
  deliver(mail: OutgoingMail): Promise<void>;
  templates: MessageTemplates;
  digestMs: number;
  rateLimit?: RateLimit;
  /** For the note in a folded mail, e.g. "10 mails per 1h". */
  rateLimitText?: string;
  now(): number;
  log: Logger;
}

interface Waiter {
  event: AlertEvent;
  resolve(): void;
  reject(err: unknown): void;
  signal: AbortSignal;
  onAbort(): void;
}

export class MailBatcher {
  private waiting: Waiter[] = [];
  private windowStart: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private limitedSince: number | undefined;
  private closed = false;

  constructor(private readonly d: BatcherDeps) {}

  /** Resolves when a mail carrying `event` was accepted by the server. */
  submit(event: AlertEvent, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.closed) return Promise.reject(new Error('email alert is closed'));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        event,
        resolve,
        reject,
        signal,
        onAbort: () => {
          // Not mailed: the dispatcher keeps it pending and retries it.
          this.waiting = this.waiting.filter((x) => x !== w);
          reject(signal.reason);
          if (this.waiting.length === 0) this.reschedule();
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      this.waiting.push(w);
      this.windowStart ??= this.d.now();
      this.reschedule();
    });
  }

  /** Shutdown: end the digest window now (the rate limit still holds). */
  flushNow(): void {
    if (this.waiting.length === 0) return;
    this.windowStart = Number.NEGATIVE_INFINITY;
    this.reschedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const w of this.waiting.splice(0)) {
      w.signal.removeEventListener('abort', w.onAbort);
      w.reject(new Error('email alert closed before the mail went out'));
    }
  }

  private reschedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0) {
      this.windowStart = undefined;
      return;
    }
    const now = this.d.now();
    const freeAt = this.d.rateLimit?.nextFreeAt(now) ?? now;
    const due = Math.max((this.windowStart ?? now) + this.d.digestMs, freeAt);
    if (freeAt > now && this.limitedSince === undefined) {
      this.limitedSince = now;
      this.d.log.warn(
        { waiting: this.waiting.length, nextMailAt: new Date(freeAt).toISOString(), limit: this.d.rateLimitText },
        'email rate limit reached; further alerts are held and folded into the next mail',
      );
    }
    this.timer = setTimeout(() => this.flush(), Math.max(0, due - now));
  }

  private flush(): void {
    this.timer = undefined;
    const now = this.d.now();
    if ((this.d.rateLimit?.nextFreeAt(now) ?? now) > now) return this.reschedule();
    const batch = this.waiting.splice(0);
    this.windowStart = undefined;
    for (const w of batch) w.signal.removeEventListener('abort', w.onAbort);
    if (batch.length === 0) return;
    const held = this.limitedSince !== undefined;
    this.limitedSince = undefined;
    if (this.d.digestMs === 0 && !held) {
      // No digest asked for: one mail per event, as mon sends them, while the budget lasts.
      while (batch.length && (this.d.rateLimit?.nextFreeAt(now) ?? now) <= now) {
        const w = batch.shift()!;
        void this.mail([w], renderOne(this.d.templates, w.event), now);
      }
      for (const w of batch) w.signal.addEventListener('abort', w.onAbort, { once: true });
      this.waiting.unshift(...batch);
      if (batch.length) this.windowStart = now;
    } else {
      const note = held
        ? `The email rate limit (${this.d.rateLimitText}) was reached; these ${batch.length} alert(s) were held back and folded into this mail.`
        : undefined;
      void this.mail(batch, renderDigest(this.d.templates, batch.map((w) => w.event), now, note), now);
    }
    this.reschedule();
  }

  private async mail(batch: Waiter[], text: MailText, now: number): Promise<void> {
    this.d.rateLimit?.record(now);
    try {
      await this.d.deliver({ ...text, eventIds: batch.map((w) => w.event.id) });
    } catch (err) {
      this.d.rateLimit?.forget(now);
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) w.resolve();
  }
}
