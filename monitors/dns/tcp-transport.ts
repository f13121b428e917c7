/**
 * @fileoverview DNS over TCP (RFC 1035 4.2.2: each message behind a 2-byte length), one
 * connection per query. Used when `tcp: true` and when a UDP answer comes back truncated.
 */
import { performance } from 'node:perf_hooks';
import type { ResolvedServer } from './server-address.ts';
import type { Exchange } from './udp-transport.ts';
import { abortReason, onAbort } from '../../core/kit/on-abort.ts';
import { connectSocket } from '../../core/kit/connect-socket.ts';
import { answersQuestion, messageId, stampId, type QueryTemplate } from './wire.ts';

export function tcpQuery(server: ResolvedServer, template: QueryTemplate, signal: AbortSignal): Promise<Exchange> {
  signal.throwIfAborted();
  const id = (Math.random() * 0x10000) | 0;
  const query = stampId(template, id);
  const framed = Buffer.allocUnsafe(query.length + 2);
  framed.writeUInt16BE(query.length, 0);
  query.copy(framed, 2);
  const started = performance.now();

  return new Promise<Exchange>((resolve, reject) => {
    const sock = connectSocket({ host: server.address, port: server.port, family: server.family });
    let buf: Buffer = Buffer.alloc(0);
    const finish = (err?: Error, ex?: Exchange) => {
      unwatch();
      sock.destroy();
      if (err) reject(err);
      else resolve(ex!);
    };
    const unwatch = onAbort(signal, () => finish(abortReason(signal)));
    sock.on('connect', () => sock.write(framed));
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (buf.length < 2) return;
      const len = buf.readUInt16BE(0);
      if (buf.length < len + 2) return;
      const msg = buf.subarray(2, len + 2);
      if (len < 12 || messageId(msg) !== id || !answersQuestion(msg, template)) {
        finish(new Error(`TCP ${server.label}:${server.port}: the answer does not match the query`));
      } else {
        finish(undefined, { message: msg, rttMs: performance.now() - started });
      }
    });
    sock.on('error', (err) => finish(new Error(`TCP ${server.label}:${server.port}: ${err.message}`)));
    sock.on('end', () => finish(new Error(`TCP ${server.label}:${server.port}: connection closed before a full answer`)));
  });
}
