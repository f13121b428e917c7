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
import { PendingTable } from './pending-table.ts';
import { answersQuestion, messageId, stampId, type QueryTemplate } from './wire.ts';

// A query's record is made whole before the table gives it an id and the signal a
// watch; these fill the two fields until then.
const EMPTY = Buffer.alloc(0);
const noop = (): void => {};

/**
 * Every address this transport sends to is numeric already (server-address.ts), so it
 * is handed straight back: dgram's default passes each send through dns.lookup, which
 * for an IP literal costs a tick and its closures per query. dgram calls it with the
 * socket's family as a number.
 */
export const numericLookup = ((address: string, family: number, cb: (err: Error | null, address: string, family: number) => void) => cb(null, address, family)) as unknown as dgram.SocketOptions['lookup'];

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
  /** The DNS id, set by the table. */
  id: number;
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

export class UdpTransport {
  private readonly maxInFlight: number;
  private readonly retransmitMs: number;
  private readonly recvBufferBytes: number;
  private readonly sockets: Partial<Record<4 | 6, dgram.Socket>> = {};
  private readonly pending: PendingTable<Pending>;
  private readonly waiters: Array<() => void> = [];
  private closed = false;
  /**
   * One timer for all resends (not one per query), set for the earliest one due and
   * only while queries are pending. (A sweep every quarter of retransmitMs woke vigil
   * 8 times for each check of a silent server: with 50 of 5,000 silent, 54 wakeups
   * a second against 27 this way, and 15 with none silent.)
   */
  private sweep?: NodeJS.Timeout;

  constructor(opts: UdpTransportOptions = {}) {
    this.maxInFlight = opts.maxInFlight ?? 128;
    this.pending = new PendingTable(this.maxInFlight);
    this.retransmitMs = opts.retransmitMs ?? 2000;
    this.recvBufferBytes = opts.recvBufferBytes ?? 1 << 20;
  }

  /** Send `template` to `server` and resolve with the matching answer; rejects when `signal` aborts. */
  query(server: ResolvedServer, template: QueryTemplate, signal: AbortSignal): Promise<Exchange> {
    // Not async: one promise per query on the usual path, where a slot is free.
    if (this.pending.size >= this.maxInFlight) return this.waitForSlot(signal).then(() => this.query(server, template, signal));
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.closed) return Promise.reject(new Error('DNS monitor is closed'));
    const socket = this.socketFor(server.family);
    return new Promise<Exchange>((resolve, reject) => {
      const p: Pending = {
        id: 0,
        server,
        template,
        packet: EMPTY,
        sentAt: performance.now(),
        lastSend: 0,
        resolve,
        reject,
        unwatch: noop,
      };
      p.packet = stampId(template, this.pending.add(p));
      if (this.pending.size === 1) {
        socket.ref();
        if (this.retransmitMs > 0) this.sweep = setTimeout(() => this.resend(), this.retransmitMs);
      }
      p.unwatch = onAbort(signal, () => this.settle(p, undefined, abortReason(signal)));
      this.send(p);
    });
  }

  /** Reject everything in flight and close the sockets. */
  close(): void {
    this.closed = true;
    for (const p of this.pending) this.settle(p, undefined, new Error('DNS monitor closed'));
    for (const fam of [4, 6] as const) {
      this.sockets[fam]?.close();
      delete this.sockets[fam];
    }
  }

  private send(p: Pending): void {
    const socket = this.socketFor(p.server.family);
    p.lastSend = performance.now();
    socket.send(p.packet, p.server.port, p.server.address, (err) => {
      if (err) this.settle(p, undefined, new Error(`cannot send to ${p.server.label}: ${err.message}`));
    });
  }

  /** Resends what is due, then waits for the next one due. */
  private resend(): void {
    this.sweep = undefined;
    const due = performance.now() - this.retransmitMs;
    let next = Infinity;
    for (const p of this.pending) {
      if (p.lastSend <= due) this.send(p);
      if (p.lastSend < next) next = p.lastSend;
    }
    if (next !== Infinity) this.sweep = setTimeout(() => this.resend(), Math.max(1, Math.ceil(next + this.retransmitMs - performance.now())));
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length < 12) return;
    const p = this.pending.get(messageId(msg));
    // Anything else is late, spoofed or for a query we gave up on: drop it.
    if (!p || rinfo.port !== p.server.port || rinfo.address !== p.server.address) return;
    if (!answersQuestion(msg, p.template)) return;
    this.settle(p, { message: msg, rttMs: performance.now() - p.sentAt });
  }

  private settle(p: Pending, ok?: Exchange, err?: Error): void {
    if (!this.pending.remove(p)) return;
    p.unwatch();
    if (this.pending.size === 0) {
      clearTimeout(this.sweep);
      this.sweep = undefined;
      this.sockets[4]?.unref();
      this.sockets[6]?.unref();
    }
    if (ok) p.resolve(ok);
    else p.reject(err!);
    this.waiters.shift()?.();
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
    s = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', recvBufferSize: this.recvBufferBytes, lookup: numericLookup });
    s.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // A socket error (rare: the fd itself failed) fails what is in flight; the next query opens a new socket.
    s.on('error', (err) => {
      if (this.sockets[family] === s) delete this.sockets[family];
      for (const p of this.pending) {
        if (p.server.family === family) this.settle(p, undefined, new Error(`DNS UDP socket failed: ${err.message}`));
      }
      s!.close();
    });
    this.sockets[family] = s;
    return s;
  }
}
