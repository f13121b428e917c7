/**
 * @fileoverview DNS over UDP through one socket per address family, shared by every
 * query of a monitor instance. Answers are matched by id, source address and echoed
 * question; queries in flight are capped because hundreds of simultaneous answers
 * overflow the socket's receive buffer and the lost ones would look like dead servers.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { ResolvedServer } from './server-address.ts';
import { abortReason, onAbort } from '../../core/kit/on-abort.ts';
import { answersQuestion, messageId, stampId, type QueryTemplate } from './wire.ts';

export interface Exchange {
  message: Buffer;
  /** From the first send to the answer, in ms. */
  rttMs: number;
}

export interface UdpTransportOptions {
  /** Queries waiting for an answer at once; more wait their turn. @default 128 */
  maxInFlight?: number;
  /** Resend an unanswered query after this many ms (same id); 0 never resends. @default 2000 */
  retransmitMs?: number;
  /** Receive buffer asked of the kernel (capped by net.core.rmem_max). @default 1 MiB */
  recvBufferBytes?: number;
}

interface Pending {
  server: ResolvedServer;
  template: QueryTemplate;
  packet: Buffer;
  sentAt: number;
  /** Last (re)send, for the retransmit sweep. */
  lastSend: number;
  resolve(e: Exchange): void;
  reject(err: Error): void;
  unwatch(): void;
}

const MAX_ID_TRIES = 64;

export class UdpTransport {
  private readonly maxInFlight: number;
  private readonly retransmitMs: number;
  private readonly recvBufferBytes: number;
  private readonly sockets: Partial<Record<4 | 6, dgram.Socket>> = {};
  private readonly pending = new Map<number, Pending>();
  private readonly waiters: Array<() => void> = [];
  private closed = false;
  /** One timer for all resends (not one per query): runs only while queries are pending. */
  private sweep?: NodeJS.Timeout;

  constructor(opts: UdpTransportOptions = {}) {
    this.maxInFlight = opts.maxInFlight ?? 128;
    this.retransmitMs = opts.retransmitMs ?? 2000;
    this.recvBufferBytes = opts.recvBufferBytes ?? 1 << 20;
  }

  /** Send `template` to `server` and resolve with the matching answer; rejects when `signal` aborts. */
  query(server: ResolvedServer, template: QueryTemplate, signal: AbortSignal): Promise<Exchange> {
    // Not async: one promise per query on the usual path, where a slot is free.
    if (this.pending.size >= this.maxInFlight) return this.waitForSlot(signal).then(() => this.query(server, template, signal));
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.closed) return Promise.reject(new Error('DNS monitor is closed'));
    let id: number;
    try {
      id = this.freeId();
    } catch (err) {
      return Promise.reject(err);
    }
    const socket = this.socketFor(server.family);
    return new Promise<Exchange>((resolve, reject) => {
      const p: Pending = {
        server,
        template,
        packet: stampId(template, id),
        sentAt: performance.now(),
        lastSend: 0,
        resolve,
        reject,
        unwatch: () => {},
      };
      this.pending.set(id, p);
      if (this.pending.size === 1) {
        socket.ref();
        if (this.retransmitMs > 0) this.sweep = setInterval(() => this.resend(), Math.max(10, this.retransmitMs / 4));
      }
      p.unwatch = onAbort(signal, () => this.settle(id, p, undefined, abortReason(signal)));
      this.send(id, p);
    });
  }

  /** Reject everything in flight and close the sockets. */
  close(): void {
    this.closed = true;
    for (const [id, p] of this.pending) this.settle(id, p, undefined, new Error('DNS monitor closed'));
    for (const fam of [4, 6] as const) {
      this.sockets[fam]?.close();
      delete this.sockets[fam];
    }
  }

  private send(id: number, p: Pending): void {
    const socket = this.socketFor(p.server.family);
    p.lastSend = performance.now();
    socket.send(p.packet, p.server.port, p.server.address, (err) => {
      if (err) this.settle(id, p, undefined, new Error(`cannot send to ${p.server.label}: ${err.message}`));
    });
  }

  private resend(): void {
    const due = performance.now() - this.retransmitMs;
    for (const [id, p] of this.pending) if (p.lastSend <= due) this.send(id, p);
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length < 12) return;
    const id = messageId(msg);
    const p = this.pending.get(id);
    // Anything else is late, spoofed or for a query we gave up on: drop it.
    if (!p || rinfo.port !== p.server.port || rinfo.address !== p.server.address) return;
    if (!answersQuestion(msg, p.template)) return;
    this.settle(id, p, { message: msg, rttMs: performance.now() - p.sentAt });
  }

  private settle(id: number, p: Pending, ok?: Exchange, err?: Error): void {
    if (this.pending.get(id) !== p) return;
    this.pending.delete(id);
    p.unwatch();
    if (this.pending.size === 0) {
      clearInterval(this.sweep);
      this.sweep = undefined;
      this.sockets[4]?.unref();
      this.sockets[6]?.unref();
    }
    if (ok) p.resolve(ok);
    else p.reject(err!);
    this.waiters.shift()?.();
  }

  private freeId(): number {
    for (let i = 0; i < MAX_ID_TRIES; i++) {
      const id = (Math.random() * 0x10000) | 0;
      if (!this.pending.has(id)) return id;
    }
    for (let id = 0; id < 0x10000; id++) if (!this.pending.has(id)) return id;
    throw new Error('no free DNS query id (65536 queries in flight)');
  }

  private waitForSlot(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const unwatch = onAbort(signal, () => {
        const i = this.waiters.indexOf(go);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortReason(signal));
      });
      const go = () => {
        unwatch();
        resolve();
      };
      this.waiters.push(go);
    });
  }

  private socketFor(family: 4 | 6): dgram.Socket {
    let s = this.sockets[family];
    if (s) return s;
    s = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', recvBufferSize: this.recvBufferBytes });
    s.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // A socket error (rare: the fd itself failed) fails what is in flight; the next query opens a new socket.
    s.on('error', (err) => {
      if (this.sockets[family] === s) delete this.sockets[family];
      for (const [id, p] of this.pending) {
        if (p.server.family === family) this.settle(id, p, undefined, new Error(`DNS UDP socket failed: ${err.message}`));
      }
      s!.close();
    });
    this.sockets[family] = s;
    return s;
  }
}
