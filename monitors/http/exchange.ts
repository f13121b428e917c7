/**
 * @fileoverview One request and its answer through undici's dispatch API, the body
 * taken chunk by chunk as undici hands it over: kept for the body rules, counted to
 * know the answer is whole, or dropped. undici's request() API builds a body stream
 * and its promises on top of this, and listens on the check's signal by itself
 * (an EventTarget listener a check); in one process on loopback that was about
 * 1.2 KB of garbage and 5% of the CPU a check (docs/performance.md, twelfth pass).
 */
import type { Dispatcher } from 'undici';
import { onAbort } from '../../core/kit/on-abort.ts';
import { BodyKeeper, type ReadBody } from './body.ts';

/**
 * What to do with a body: `read` it for the body rules (the first `max` bytes, and
 * every byte into the digest when one is asked for), `discard` it but fail if it is
 * cut short, or `dump` it (a redirect or a wrong status: how it ends does not matter).
 */
export type BodyUse = 'read' | 'discard' | 'dump';

export interface Answer {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  /** With `read`: what was kept. */
  body?: ReadBody;
  /** The whole body arrived (not cut off at `max`, nor left by `dump`). */
  complete: boolean;
}

export interface ExchangeOptions {
  /** Called once, with the final status and headers: what to do with the body. */
  use(code: number, headers: Answer['headers']): BodyUse;
  /** Bytes kept (`read`) or read before giving up (`discard`). */
  max: number;
  md5: boolean;
  /**
   * The connection is pooled (keepAlive): an answer left early is aborted, so undici
   * closes that connection. Otherwise the caller resets the connection itself.
   */
  pooled: boolean;
}

/** undici's dump() reads this much of a body nobody looks at before closing instead. */
const DUMP_MAX = 128 * 1024;

const LEFT = new Error('the http monitor left this answer early');

/**
 * One answer as it arrives, for both exchanges (this one and `plain-exchange.ts`):
 * its head decides what to do with the body, and each chunk is kept, counted or
 * dropped by that decision.
 */
export class AnswerReader {
  readonly answer: Answer;
  readonly use: BodyUse;
  private readonly keeper?: BodyKeeper;
  private seen = 0;

  constructor(private readonly o: ExchangeOptions, code: number, headers: Answer['headers']) {
    this.answer = { code, headers, complete: false };
    this.use = o.use(code, headers);
    if (this.use === 'read') this.keeper = new BodyKeeper(o.max, o.md5);
  }

  /** Takes one chunk of the body; true once no more is wanted (`max` kept or read, or a dump past DUMP_MAX). */
  take(chunk: Buffer): boolean {
    if (this.keeper) return this.keeper.add(chunk);
    this.seen += chunk.length;
    return this.seen > (this.use === 'discard' ? this.o.max : DUMP_MAX);
  }

  /** The answer, with what was kept of its body. */
  result(): Answer {
    if (this.keeper) this.answer.body = this.keeper.result();
    return this.answer;
  }
}

/**
 * Resolves with the answer once its body is whole, or once `max` is reached; rejects
 * with undici's error, or with `signal.reason` as soon as the signal aborts (even
 * while the connection is still being made).
 */
export function exchange(via: Dispatcher, request: Dispatcher.DispatchOptions, signal: AbortSignal, o: ExchangeOptions): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let reader: AnswerReader | undefined;
    let unwatch: (() => void) | undefined;

    const finish = (err: unknown) => {
      if (settled) return;
      settled = true;
      unwatch?.();
      if (err !== undefined) reject(err);
      else resolve(reader!.result());
    };
    /** Done before the answer is: a pooled connection has to drop the rest. */
    const leave = (err?: unknown) => {
      finish(err);
      if (o.pooled && controller && !controller.aborted) controller.abort(err instanceof Error ? err : LEFT);
    };
    if (signal.aborted) return reject(signal.reason);
    // The checks of a batch share one signal: one listener for all (core/kit/on-abort.ts).
    unwatch = onAbort(signal, () => leave(signal.reason));

    via.dispatch(request, {
      onRequestStart(c) {
        controller = c;
        if (settled && o.pooled) c.abort(LEFT);
      },
      onResponseStart(_c, code, headers) {
        if (code < 200 || settled) return; // 1xx: the real answer follows
        reader = new AnswerReader(o, code, headers);
      },
      onResponseData(_c, chunk) {
        if (settled || !reader) return;
        if (reader.take(chunk)) leave();
      },
      onResponseEnd() {
        if (!reader) return finish(new Error('the server closed without an answer'));
        reader.answer.complete = true;
        finish(undefined);
      },
      onResponseError(_c, err) {
        // A body nobody looks at may end any way it likes, as with undici's dump().
        if (reader?.use === 'dump') finish(undefined);
        else finish(err);
      },
    });
  });
}
