/**
 * @fileoverview undici connector that notes the expiry of each server certificate
 * it sees, keyed by `host:port`, so `certExpiryDays` needs no second connection.
 */
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
