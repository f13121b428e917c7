/**
 * @fileoverview undici connectors for the http monitor: one notes the expiry of
 * each server certificate it sees, keyed by `host:port`, so `certExpiryDays`
 * needs no second connection; the other hands back the TCP socket of each
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
 * Wraps `connect` so every TCP socket it opens lands in `sockets`, for the caller
 * to end with `resetAndDestroy()` (RST: no TIME_WAIT on either side, and undici
 * builds no error to close it). The TCP socket is opened here, not by undici's
 * connector: that one hands net.connect an options object, which costs about
 * 1.6 KB of old-generation garbage per connection in node 20
 * (core/kit/connect-socket.ts). For https, TLS is started on top of it by `connect`
 * (a TLS socket's own handle cannot be reset).
 */
export function holdingConnector(connect: buildConnector.connector, sockets: net.Socket[]): buildConnector.connector {
  return (o, callback) => {
    if (o.httpSocket || (o.protocol !== 'http:' && o.protocol !== 'https:')) return connect(o, callback);
    const https = o.protocol === 'https:';
    const raw = connectSocket({ host: o.hostname, port: Number(o.port) || (https ? 443 : 80), noDelay: true });
    sockets.push(raw);
    if (https) {
      // The TLS socket reports the connect error; this keeps the raw one from throwing.
      raw.on('error', () => {});
      return connect({ ...o, httpSocket: raw }, callback);
    }
    // As undici's own connector: one answer, then its error listener stays (undici adds its own).
    let answer: buildConnector.Callback | null = callback;
    raw
      .once('connect', () => {
        const cb = answer;
        answer = null;
        cb?.(null, raw);
      })
      .on('error', (err) => {
        const cb = answer;
        answer = null;
        cb?.(err, null);
      });
  };
}
