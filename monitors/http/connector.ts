/**
 * @fileoverview undici connectors for the http monitor: one notes the expiry of
 * each server certificate it sees, keyed by `host:port`, so `certExpiryDays`
 * needs no second connection; the other hands back the TCP socket under each TLS
 * connection it opens so a probe can end it with a reset.
 */
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import { connectSocket } from '../../core/kit/connect-socket.ts';

export type CertExpiries = Map<string, number>;

export function capturingConnector(opts: buildConnector.BuildOptions, expiries: CertExpiries): buildConnector.connector {
  const connect = buildConnector(opts);
  return (o, callback) =>
    connect(o, (err, socket) => {
      if (socket && o.protocol === 'https:') {
        const validTo = (socket as TLSSocket).getPeerCertificate?.()?.valid_to;
        if (validTo) expiries.set(o.host ?? o.hostname, Date.parse(validTo));
      }
      if (err) callback(err, null);
      else callback(null, socket!);
    });
}

/**
 * Wraps `connect` so the TCP socket under each TLS connection it opens lands in
 * `sockets`, for the caller to end with `resetAndDestroy()` (RST: no TIME_WAIT on
 * either side; a TLS socket's own handle cannot be reset). The TCP socket is opened
 * here, not by undici's connector: that one hands net.connect an options object,
 * which costs about 1.6 KB of old-generation garbage per connection in node 20
 * (core/kit/connect-socket.ts). Plain http without keepAlive does not come here
 * (node:http, `plain-exchange.ts`); anything else is `connect`'s as it is.
 */
export function holdingConnector(connect: buildConnector.connector, sockets: net.Socket[]): buildConnector.connector {
  return (o, callback) => {
    if (o.httpSocket || o.protocol !== 'https:') return connect(o, callback);
    const raw = connectSocket({ host: o.hostname, port: Number(o.port) || 443, noDelay: true });
    sockets.push(raw);
    // The TLS socket reports the connect error; this keeps the raw one from throwing.
    raw.on('error', () => {});
    return connect({ ...o, httpSocket: raw }, callback);
  };
}
