/**
 * @fileoverview The few DNS bytes the benchmark needs: a query for an A record
 * (the bare-Node reference loop) and an answer to any query (the targets).
 */

/** A standard query, RD set, for `name` IN A with id `id`. */
export function dnsQuery(id: number, name: string): Buffer {
  const labels = name.split('.').filter(Boolean);
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h[2] = 0x01; // RD
  h.writeUInt16BE(1, 4);
  return Buffer.concat([h, qname, Buffer.from([0, 1, 0, 1])]);
}

/** A response to any question: the question echoed, one A answer 127.0.0.1, NOERROR. */
export function dnsAnswer(q: Buffer): Buffer | undefined {
  if (q.length < 17) return undefined;
  let o = 12;
  while (o < q.length && q[o] !== 0) o += q[o]! + 1;
  const qEnd = o + 5;
  if (qEnd > q.length) return undefined;
  const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
  const r = Buffer.concat([q.subarray(0, qEnd), answer]);
  r[2] = 0x80 | (q[2]! & 0x01); // QR, keep RD
  r[3] = 0x80; // RA, NOERROR
  r.writeUInt16BE(1, 4);
  r.writeUInt16BE(1, 6);
  r.writeUInt16BE(0, 8);
  r.writeUInt16BE(0, 10);
  return r;
}
