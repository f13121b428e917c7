/**
 * @fileoverview Protocol openings the tcp monitor knows, as ldirectord's negotiate
 * checks do: what to read first, what to say, what must come back. Each judge
 * reads the real wire format (multi-line SMTP replies, the MySQL packet header),
 * so a server that answers with an error says so in the summary.
 */
import { excerpt, type Dialog, type Step, type Verdict } from './dialog.ts';

export const PRESETS = ['smtp', 'imap', 'pop3', 'ftp', 'ssh', 'redis', 'mysql', 'postgres'] as const;
export type PresetName = (typeof PRESETS)[number];

export const PRESET_PORTS: Record<PresetName, number> = {
  smtp: 25, imap: 143, pop3: 110, ftp: 21, ssh: 22, redis: 6379, mysql: 3306, postgres: 5432,
};

export interface PresetParams {
  /** Name sent with EHLO. */
  helo: string;
  /** Redis AUTH password; never put in a summary. */
  password?: string;
  maxBytes: number;
}

const crlf = (s: string) => Buffer.from(s + '\r\n', 'latin1');
/** PostgreSQL SSLRequest: length 8, code 80877103. */
const PG_SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export function presetDialog(name: PresetName, p: PresetParams): Dialog {
  const max = p.maxBytes;
  switch (name) {
    case 'smtp':
      return {
        steps: [
          { what: 'SMTP banner 220', expect: replyCode('SMTP', '220', max) },
          { what: 'EHLO reply 250', send: crlf(`EHLO ${p.helo}`), expect: replyCode('SMTP', '250', max) },
        ],
        quit: crlf('QUIT'),
      };
    case 'ftp':
      return { steps: [{ what: 'FTP banner 220', expect: replyCode('FTP', '220', max) }], quit: crlf('QUIT') };
    case 'imap':
      return { steps: [{ what: 'IMAP greeting "* OK"', expect: firstLine('IMAP', ['* OK'], max) }], quit: crlf('a1 LOGOUT') };
    case 'pop3':
      return { steps: [{ what: 'POP3 greeting "+OK"', expect: firstLine('POP3', ['+OK'], max) }], quit: crlf('QUIT') };
    case 'ssh':
      return { steps: [{ what: 'SSH banner "SSH-2.0-"', expect: sshBanner(max) }] };
    case 'redis':
      return { steps: redisSteps(p.password, max) };
    case 'mysql':
      return { steps: [{ what: 'MySQL handshake', expect: mysqlHandshake }] };
    case 'postgres':
      return { steps: [{ what: 'PostgreSQL SSLRequest answer', send: PG_SSL_REQUEST, expect: postgresAnswer }] };
  }
}

/** Complete lines of `data` (without CR LF), and whether more may follow. */
function lines(data: Buffer): string[] {
  const text = data.toString('latin1');
  const out = text.split('\n');
  out.pop(); // the part after the last newline is incomplete
  return out.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function waitMore(proto: string, data: Buffer, eof: boolean, max: number): Verdict {
  if (eof) return { fail: `${proto}: connection closed before a full reply; got ${excerpt(data)}` };
  if (data.length >= max) return { fail: `${proto}: no complete reply in the first ${max} bytes; got ${excerpt(data)}` };
  return undefined;
}

/** SMTP/FTP reply: `NNN-text` continuation lines, then `NNN text`; the code must be `want`. */
function replyCode(proto: string, want: string, max: number) {
  return (data: Buffer, eof: boolean): Verdict => {
    for (const line of lines(data)) {
      const m = /^(\d{3})([ -]|$)/.exec(line);
      if (!m) return { fail: `${proto}: not a ${proto} reply: ${JSON.stringify(line.slice(0, 80))}` };
      if (m[2] === '-') continue;
      if (m[1] === want) return { note: line.slice(0, 80) };
      return { fail: `${proto} answered ${JSON.stringify(line.slice(0, 80))} (expected ${want})` };
    }
    return waitMore(proto, data, eof, max);
  };
}

/** The first line must start with one of `prefixes`. */
function firstLine(proto: string, prefixes: string[], max: number) {
  return (data: Buffer, eof: boolean): Verdict => {
    const [line] = lines(data);
    if (line === undefined) return waitMore(proto, data, eof, max);
    if (prefixes.some((p) => line.startsWith(p))) return { note: line.slice(0, 80) };
    return { fail: `${proto} answered ${JSON.stringify(line.slice(0, 80))} (expected ${prefixes.map((p) => JSON.stringify(p)).join(' or ')})` };
  };
}

/** RFC 4253 4.2: the server may send other lines before its `SSH-` identification line. */
function sshBanner(max: number) {
  return (data: Buffer, eof: boolean): Verdict => {
    for (const line of lines(data)) {
      if (!line.startsWith('SSH-')) continue;
      if (line.startsWith('SSH-2.0-') || line.startsWith('SSH-1.99-')) return { note: line.slice(0, 80) };
      return { fail: `SSH answered ${JSON.stringify(line.slice(0, 80))} (expected protocol 2.0)` };
    }
    return waitMore('SSH', data, eof, max);
  };
}

/** RESP array form, so a password with spaces or quotes arrives intact. */
function respCommand(...args: string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return Buffer.from(s);
}

function redisSteps(password: string | undefined, max: number): Step[] {
  const steps: Step[] = [];
  if (password !== undefined) {
    const judge = firstLine('Redis AUTH', ['+OK'], max);
    // The summary of a refused AUTH quotes only the server's words, never what we sent.
    steps.push({ what: 'Redis AUTH +OK', send: respCommand('AUTH', password), expect: judge });
  }
  steps.push({ what: 'Redis +PONG', send: respCommand('PING'), expect: firstLine('Redis', ['+PONG'], max) });
  return steps;
}

/** MySQL/MariaDB initial handshake packet: 3-byte length, sequence id, then protocol 10 or an error packet. */
function mysqlHandshake(data: Buffer, eof: boolean): Verdict {
  if (data.length >= 5) {
    const len = data.readUIntLE(0, 3);
    const kind = data[4]!;
    if (kind !== 0x0a && kind !== 0xff) return { fail: `not a MySQL handshake (first packet starts with 0x${kind.toString(16).padStart(2, '0')})` };
    if (data.length >= 4 + len) {
      const payload = data.subarray(4, 4 + len);
      if (kind === 0xff) {
        const code = payload.length >= 3 ? payload.readUInt16LE(1) : 0;
        return { fail: `MySQL refused the connection: error ${code}: ${payload.toString('utf8', 3).slice(0, 120)}` };
      }
      const end = payload.indexOf(0, 1);
      return { note: `MySQL ${payload.toString('latin1', 1, end < 0 ? payload.length : end)}` };
    }
    if (len > 64 * 1024) return { fail: `not a MySQL handshake (packet length ${len})` };
  }
  if (eof) return { fail: `MySQL: connection closed before the handshake; got ${excerpt(data)}` };
  return undefined;
}

/** One byte: `S` (SSL available) or `N` (no SSL); `E` is an error message from the server. */
function postgresAnswer(data: Buffer, eof: boolean): Verdict {
  if (data.length === 0) return eof ? { fail: 'PostgreSQL: connection closed without an answer to SSLRequest' } : undefined;
  const c = String.fromCharCode(data[0]!);
  if (c === 'S') return { note: 'PostgreSQL (SSL available)' };
  if (c === 'N') return { note: 'PostgreSQL (no SSL)' };
  if (c === 'E') {
    const complete = data.length >= 5 && data.length >= 1 + data.readUInt32BE(1);
    if (!complete && !eof && data.length < 4096) return undefined;
    // ErrorResponse: fields of a type byte and a NUL-terminated text; M is the message.
    const m = /\0M([^\0]*)/.exec('\0' + data.toString('utf8', 5));
    return { fail: `PostgreSQL answered with an error: ${m ? m[1]!.slice(0, 120) : excerpt(data)}` };
  }
  return { fail: `not PostgreSQL: answered ${excerpt(data)} to SSLRequest` };
}
