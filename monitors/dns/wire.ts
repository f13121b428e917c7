/**
 * @fileoverview DNS message bytes we read ourselves: the header fields node's resolver
 * hides (rcode, TC bit) and the question section used to match an answer to its query.
 * Full decoding of the records is left to dns-packet.
 */
import dnsPacket from 'dns-packet';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'SRV', 'PTR'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const RCODES = [
  'NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED',
  'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE',
] as const;

const HEADER_BYTES = 12;

/** A query encoded once per (name, type); each send copies it and stamps a fresh id. */
export interface QueryTemplate {
  /** Complete message with id 0. */
  bytes: Buffer;
  /** The question section (offset 12 to the end): the answer must echo it. */
  question: Buffer;
  name: string;
  type: RecordType;
}

export function encodeQuery(name: string, type: RecordType, recursion: boolean): QueryTemplate {
  const bytes = dnsPacket.encode({
    type: 'query',
    id: 0,
    flags: recursion ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type, name, class: 'IN' }],
  });
  return { bytes, question: bytes.subarray(HEADER_BYTES), name, type };
}

/** dns-packet's record codec: exported by the package, missing from its type definitions. */
const recordCodec = (dnsPacket as unknown as { answer: { decode: { (buf: Buffer, offset: number): dnsPacket.Answer; bytes: number } } }).answer;

/**
 * The records of the answer section: the only part a check reads. Decoding the whole
 * message (header flags, echoed question, authority and additional records) was about
 * half the monitor's allocation per check. Throws when a record runs past the end.
 */
export function decodeAnswers(msg: Buffer): dnsPacket.Answer[] {
  if (msg.length < HEADER_BYTES) throw new Error(`${msg.length}-byte message is shorter than a DNS header`);
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);
  let offset = HEADER_BYTES;
  for (let i = 0; i < qdcount; i++) offset = skipName(msg, offset) + 4; // QTYPE, QCLASS
  const out: dnsPacket.Answer[] = [];
  for (let i = 0; i < ancount; i++) {
    out.push(recordCodec.decode(msg, offset));
    offset += recordCodec.decode.bytes;
  }
  // dns-packet reads past a cut-short record without throwing; the offset tells.
  if (offset > msg.length) throw new Error(`records end past the ${msg.length}-byte message`);
  return out;
}

/** Offset just after the (possibly compressed) name at `offset`, without building it. */
function skipName(msg: Buffer, offset: number): number {
  for (;;) {
    if (offset >= msg.length) throw new Error(`name runs past the ${msg.length}-byte message`);
    const len = msg[offset]!;
    if (len === 0) return offset + 1;
    if ((len & 0xc0) === 0xc0) return offset + 2; // a pointer ends the name
    if (len & 0xc0) throw new Error(`bad label length byte 0x${len.toString(16)} at ${offset}`);
    offset += 1 + len;
  }
}

/** A copy of the template carrying `id`. */
export function stampId(t: QueryTemplate, id: number): Buffer {
  const out = Buffer.allocUnsafe(t.bytes.length);
  t.bytes.copy(out);
  out.writeUInt16BE(id, 0);
  return out;
}

export function messageId(msg: Buffer): number {
  return msg.readUInt16BE(0);
}

export function rcodeOf(msg: Buffer): string {
  const code = msg[3]! & 0x0f;
  return RCODES[code] ?? `RCODE_${code}`;
}

export function isTruncated(msg: Buffer): boolean {
  return (msg[2]! & 0x02) !== 0;
}

export function isResponse(msg: Buffer): boolean {
  return (msg[2]! & 0x80) !== 0;
}

/**
 * True when `msg` is a response to `t`: QR set and the question echoed (ASCII case
 * folded, since a server may echo 0x20-mixed case differently). A response without a
 * question (some FORMERR/REFUSED answers) is accepted on id and source alone.
 */
export function answersQuestion(msg: Buffer, t: QueryTemplate): boolean {
  if (msg.length < HEADER_BYTES || !isResponse(msg)) return false;
  const qdcount = msg.readUInt16BE(4);
  if (qdcount === 0) return true;
  const q = t.question;
  if (msg.length < HEADER_BYTES + q.length) return false;
  for (let i = 0; i < q.length; i++) {
    let a = msg[HEADER_BYTES + i]!;
    let b = q[i]!;
    if (a === b) continue;
    if (a >= 0x41 && a <= 0x5a) a |= 0x20;
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    if (a !== b) return false;
  }
  return true;
}

/** The name a PTR query for an IP address asks ("127.0.0.2" -> "2.0.0.127.in-addr.arpa"); other names unchanged. */
export function ptrName(name: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  if (v4) return `${v4[4]}.${v4[3]}.${v4[2]}.${v4[1]}.in-addr.arpa`;
  if (!name.includes(':')) return name;
  const groups = expandIPv6(name);
  if (!groups) return name;
  const nibbles = groups.map((g) => g.toString(16).padStart(4, '0')).join('');
  return `${[...nibbles].reverse().join('.')}.ip6.arpa`;
}

function expandIPv6(addr: string): number[] | undefined {
  const [head, tail, extra] = addr.split('::');
  if (extra !== undefined) return undefined;
  const parse = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const a = parse(head);
  const b = parse(tail);
  const fill = tail === undefined ? 0 : 8 - a.length - b.length;
  const all = [...a, ...new Array<number>(fill).fill(0), ...b];
  return all.length === 8 && all.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? all : undefined;
}
