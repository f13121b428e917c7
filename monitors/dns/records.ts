/**
 * @fileoverview Answer records as one line of text each (dig's presentation form, no
 * trailing dots), and the `answers` expectations matched against them.
 */
import { isIP } from 'node:net';
import type { Answer } from 'dns-packet';
import { canonicalIPv6 } from './server-address.ts';

/** One expected answer: an exact value or a `/regex/flags` string. */
export type AnswerMatcher = { text: string; test(value: string): boolean };

/** "mail.example.test" | "10 mail.example.test" | "v=spf1 -all" ... */
export function formatRecord(a: Answer): string {
  switch (a.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'DNAME':
      return trimDot(a.data);
    case 'MX':
      return `${a.data.preference ?? 0} ${trimDot(a.data.exchange)}`;
    case 'SRV':
      return `${a.data.priority ?? 0} ${a.data.weight ?? 0} ${a.data.port} ${trimDot(a.data.target)}`;
    case 'SOA': {
      const d = a.data;
      return `${trimDot(d.mname)} ${trimDot(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    }
    case 'TXT': {
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      return parts.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('');
    }
    default:
      return a.type;
  }
}

/** Compile one `answers` entry. Throws with an operator-readable message on a bad regex. */
export function compileMatcher(text: string): AnswerMatcher {
  const re = /^\/(.*)\/([dgimsuy]*)$/s.exec(text);
  if (re) {
    let rx: RegExp;
    try {
      rx = new RegExp(re[1]!, re[2]!.replace(/[gy]/g, ''));
    } catch (err) {
      throw new Error(`answers: ${text} is not a valid regular expression: ${(err as Error).message}`);
    }
    return { text, test: (v) => rx.test(v) };
  }
  const want = normalize(text);
  return { text, test: (v) => normalize(v) === want };
}

/** Names compare without case or trailing dot, IPv6 in canonical form, whitespace collapsed. */
function normalize(v: string): string {
  const t = trimDot(v.trim());
  if (isIP(t) === 6) return canonicalIPv6(t);
  return t.replace(/\s+/g, ' ').toLowerCase();
}

function trimDot(s: string): string {
  return s.endsWith('.') && s.length > 1 ? s.slice(0, -1) : s;
}
