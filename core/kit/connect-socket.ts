/**
 * @fileoverview `net.connect` for probes that open thousands of connections a
 * second: the socket is constructed without options and then connected with them.
 *
 * Why: node 20's `net.Socket` constructor copies its options with an object spread
 * (`{ ...options }`) and then adds properties to the copy. In node 20's V8 (11.3) a
 * spread copy's hidden class sits outside the transition tree, so each property
 * added to it builds a new hidden class and descriptor array, in the old
 * generation, at every call (`%HaveSameMap` on two such copies: false). Through
 * `net.connect({ host, port })` that is about 1.6 KB of old-generation garbage per
 * connection; a socket made with no options and connected with the same options
 * leaves 20-50 bytes (bare loop of connects and resets, V8's old-space size before
 * and after; docs/performance.md, fifth pass).
 */
import { channel } from 'node:diagnostics_channel';
import net from 'node:net';

// net.connect announces its sockets here; so does this, for tools that watch them.
const clientSocket = channel('net.client.socket');

export interface ConnectSocketOptions {
  host: string;
  port: number;
  /** 4 or 6 to skip the other family when host is a name. */
  family?: number;
  /** TCP_NODELAY, for probes that write. */
  noDelay?: boolean;
}

/** Starts a TCP connection; events, errors and closing are the caller's, as with net.connect. */
export function connectSocket(o: ConnectSocketOptions): net.Socket {
  const socket = new net.Socket();
  if (clientSocket.hasSubscribers) clientSocket.publish({ socket });
  if (o.noDelay) socket.setNoDelay(true); // kept and applied when the handle is made
  return socket.connect(o.family ? { host: o.host, port: o.port, family: o.family } : { host: o.host, port: o.port });
}
