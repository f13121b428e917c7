/**
 * @fileoverview One request and its answer through node:http, on a plain-http
 * connection the check opened itself (no keepAlive): what `exchange()` does through
 * undici, with the same options and the same answer.
 *
 * Why not undici here: each undici `Client` and connection leaves closures that V8
 * allocates in the old generation, and through them the whole request survives
 * every young collection until the next full one (4.5-5.5 KB a check at 2,000
 * checks a second); node:http takes its parsers from a free list and leaves almost
 * nothing (docs/performance.md, thirteenth pass). TLS and pooled connections stay
 * on undici.
 */
import http from 'node:http';
import type net from 'node:net';
import { onAbort } from '../../core/kit/on-abort.ts';
import { AnswerReader, type Answer, type ExchangeOptions } from './exchange.ts';

export interface PlainRequest {
  method: string;
  path: string;
  /** Lower-case names; `host` among them (node adds none: `setHost: false`). */
  headers: Record<string, string>;
}

/** The server closed the connection before the body's end (node: ECONNRESET "aborted"). */
export const BODY_CUT_SHORT = 'VIGIL_HTTP_BODY_CUT_SHORT';

/**
 * Resolves with the answer once its body is whole, or once `max` is reached; rejects
 * with node's error, or with `signal.reason` as soon as the signal aborts. The socket
 * is the caller's to end (with a reset): nothing here closes it.
 */
export function plainExchange(socket: net.Socket, r: PlainRequest, signal: AbortSignal, o: ExchangeOptions): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let settled = false;
    let reader: AnswerReader | undefined;
    const finish = (err: unknown) => {
      if (settled) return;
      settled = true;
      unwatch();
      if (err !== undefined) reject(err);
      else resolve(reader!.result());
    };
    // The checks of a batch share one signal: one listener for all (core/kit/on-abort.ts).
    const unwatch = onAbort(signal, () => finish(signal.reason));

    // Keep-alive is asked for so that the server does not close first (a TIME_WAIT on
    // its side per check); the caller resets the connection once the check is done.
    const req = http.request({ method: r.method, path: r.path, headers: r.headers, setHost: false, createConnection: () => socket });
    // Errors after the end (the caller's reset) land here too and mean nothing.
    req.on('error', (err) => finish(readable(err)));
    req.on('response', (res) => {
      if (settled) return;
      const got = (reader = new AnswerReader(o, res.statusCode ?? 0, res.headers));
      res.on('data', (chunk: Buffer) => {
        if (!settled && got.take(chunk)) finish(undefined);
      });
      res.on('end', () => {
        got.answer.complete = true;
        finish(undefined);
      });
      // A body nobody looks at may end any way it likes, as on the undici path.
      res.on('error', () => finish(got.use === 'dump' ? undefined : Object.assign(new Error('body cut short'), { code: BODY_CUT_SHORT })));
    });
    req.end();
  });
}

/**
 * node's errors in the words the undici path uses: a parser error is "answer is not
 * valid HTTP (...)"; "socket hang up" (the server closed, in order, before any answer;
 * node gives it ECONNRESET, which would read as a reset) is the close it was.
 */
function readable(err: Error & { code?: string; reason?: string }): Error {
  if (err.code === 'ECONNRESET' && err.message === 'socket hang up') {
    return Object.assign(new Error('connection closed by the server before a full answer'), { code: 'VIGIL_HTTP_CLOSED' });
  }
  if (!err.code?.startsWith('HPE_') || err.code === 'HPE_HEADER_OVERFLOW') return err;
  return Object.assign(new Error(`answer is not valid HTTP (${err.reason ?? err.message})`), { code: 'VIGIL_HTTP_PARSE' });
}
