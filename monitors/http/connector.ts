/**
 * @fileoverview undici connectors for the http monitor: one notes the expiry of
 * each server certificate it sees, keyed by `host:port`, so `certExpiryDays`
 * needs no second connection; the other hands back the TCP socket of each
 * connection it opens so a probe can end it with a reset.
 */
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';

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
 * builds no error to close it). A TLS socket's own handle cannot be reset, so for
 * https the TCP socket is opened here and TLS is started on top of it.
 */
export function holdingConnector(connect: buildConnector.connector, sockets: net.Socket[]): buildConnector.connector {
  return (o, callback) => {
    if (o.protocol !== 'https:' || o.httpSocket) {
      return connect(o, (err, socket) => {
        if (socket instanceof net.Socket && !(socket as Partial<TLSSocket>).encrypted) sockets.push(socket);
        if (err) callback(err, null);
        else callback(null, socket!);
      });
    }
    const raw = net.connect({ host: o.hostname, port: Number(o.port) || 443, noDelay: true });
    sockets.push(raw);
    // The TLS socket reports the connect error; this keeps the raw one from throwing.
    raw.on('error', () => {});
    return connect({ ...o, httpSocket: raw }, callback);
  };
}
