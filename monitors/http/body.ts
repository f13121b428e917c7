/**
 * @fileoverview What the http monitor checks in a response body: regex that must
 * match (`body`) or must not (`bodyNot`), JSON path assertions, and keepalived's
 * MD5 digest of the whole body. Reading is bounded by `maxBodyBytes` except for
 * the digest, which (as keepalived's) covers every byte.
 */
import { createHash, type Hash } from 'node:crypto';
import { checkAssertion, type CompiledAssertion } from './json-path.ts';

export interface BodyRules {
  body?: RegExp;
  bodyNot?: RegExp;
  json?: CompiledAssertion[];
  /** Lowercase hex MD5 the whole body must have. */
  md5?: string;
  maxBodyBytes: number;
}

export interface ReadBody {
  /** The first maxBodyBytes as UTF-8. */
  text: string;
  truncated: boolean;
  /** Hex digest of the whole body, when asked for. */
  md5?: string;
}

export function needsBody(r: BodyRules): boolean {
  return !!(r.body || r.bodyNot || r.json || r.md5);
}

/**
 * Keeps what the body rules look at as chunks arrive: the first `max` bytes, and
 * every byte in the digest when one is asked for.
 */
export class BodyKeeper {
  private readonly chunks: Buffer[] = [];
  private readonly hash?: Hash;
  private seen = 0;
  private truncated = false;

  constructor(private readonly max: number, md5: boolean) {
    if (md5) this.hash = createHash('md5');
  }

  /** Takes a chunk; true when the rest of the body would change nothing. */
  add(chunk: Buffer): boolean {
    const before = this.seen;
    this.seen += chunk.length;
    this.hash?.update(chunk);
    if (before < this.max) this.chunks.push(this.seen > this.max ? chunk.subarray(0, this.max - before) : chunk);
    if (this.seen > this.max) this.truncated = true;
    return this.truncated && !this.hash;
  }

  result(): ReadBody {
    const kept = Math.min(this.seen, this.max);
    return { text: Buffer.concat(this.chunks, kept).toString('utf8'), truncated: this.truncated, md5: this.hash?.digest('hex') };
  }
}

/** Undefined when the body passes, else what is wrong in words. */
export function judgeBody(r: BodyRules, b: ReadBody): string | undefined {
  const within = b.truncated ? ` (in the first ${r.maxBodyBytes} bytes)` : '';
  if (r.md5 !== undefined && b.md5 !== r.md5) return `body MD5 is ${b.md5} (expected ${r.md5})`;
  if (r.body && !r.body.test(b.text)) return `body does not match ${r.body}${within}; starts ${excerpt(b.text)}`;
  if (r.bodyNot) {
    const m = r.bodyNot.exec(b.text);
    if (m) return `body matches ${r.bodyNot} (bodyNot): ${excerpt(m[0])}`;
  }
  if (r.json) {
    let doc: unknown;
    try {
      doc = JSON.parse(b.text);
    } catch {
      return `body is not JSON${b.truncated ? ` (only the first ${r.maxBodyBytes} bytes were read; raise maxBodyBytes)` : ''}; starts ${excerpt(b.text)}`;
    }
    for (const a of r.json) {
      const why = checkAssertion(doc, a);
      if (why) return why;
    }
  }
  return undefined;
}

function excerpt(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return JSON.stringify(one.length > 60 ? one.slice(0, 60) + '…' : one);
}
