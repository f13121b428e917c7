/**
 * @fileoverview What the http monitor checks in a response body: regex that must
 * match (`body`) or must not (`bodyNot`), JSON path assertions, and keepalived's
 * MD5 digest of the whole body. Reading is bounded by `maxBodyBytes` except for
 * the digest, which (as keepalived's) covers every byte.
 */
import { createHash } from 'node:crypto';
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

export async function readBody(stream: AsyncIterable<Buffer>, max: number, wantMd5: boolean): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  const hash = wantMd5 ? createHash('md5') : undefined;
  let kept = 0;
  let truncated = false;
  for await (const chunk of stream) {
    hash?.update(chunk);
    if (kept < max) {
      const part = kept + chunk.length > max ? chunk.subarray(0, max - kept) : chunk;
      chunks.push(part);
      kept += part.length;
      if (part !== chunk) truncated = true;
    } else {
      truncated = true;
      if (!hash) break; // leaving the loop destroys the stream: nothing more is read
    }
  }
  return { text: Buffer.concat(chunks, kept).toString('utf8'), truncated, md5: hash?.digest('hex') };
}

/**
 * Reads and drops a body nobody checks, so the answer is complete (a server dying
 * mid-body fails the check); past `max` bytes the rest is cut off, not downloaded.
 * (undici's dump() resolves even when the body errors, so it cannot tell.)
 */
export function discardBody(body: NodeJS.ReadableStream & { destroy(): void }, max: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let n = 0;
    body.on('error', reject);
    body.on('end', resolve);
    body.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > max) {
        body.removeListener('error', reject);
        body.on('error', () => {});
        body.destroy();
        resolve();
      }
    });
  });
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
