/**
 * @fileoverview What a tcp probe says and waits for: a list of steps, each an
 * optional line to send and an optional judge of what comes back. Pure data and
 * pure functions; the socket work is in probe.ts.
 */

/** A judge's answer: `undefined` = read more; `true` or a note = matched; `{ fail }` = wrong answer. */
export type Verdict = undefined | true | { note: string } | { fail: string };

export interface Step {
  /** Bytes to write when the step starts. */
  send?: Buffer;
  /** Judges everything read since the step started; `eof` when the peer closed. */
  expect?: (data: Buffer, eof: boolean) => Verdict;
  /** What the step waits for, in words: "banner 220", "/\+PONG/". */
  what: string;
}

export interface Dialog {
  steps: Step[];
  /** Polite goodbye (SMTP QUIT...) written before closing; without it the connection is reset. */
  quit?: Buffer;
}

/** `\r \n \t \0 \\ \xHH` in a send string, as an operator writes them in YAML or mon.cf. */
export function unescapeSend(text: string): Buffer {
  const out = text.replace(/\\(x[0-9a-fA-F]{2}|[rnt0\\])/g, (_m, c: string) => {
    if (c[0] === 'x') return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ r: '\r', n: '\n', t: '\t', '0': '\0', '\\': '\\' } as Record<string, string>)[c]!;
  });
  return Buffer.from(out, 'latin1');
}

/** A regex option: plain `pattern`, or `/pattern/flags` to give flags (i, m, s). */
export function parseRegex(text: string, option: string): RegExp {
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(text);
  try {
    return m ? new RegExp(m[1]!, m[2]!.replace(/[gy]/g, '')) : new RegExp(text);
  } catch (err) {
    throw new Error(`option ${option}: ${JSON.stringify(text)} is not a valid regular expression (${(err as Error).message})`);
  }
}

/** Printable excerpt of what the server said, for summaries. */
export function excerpt(data: Buffer, max = 60): string {
  const s = data.toString('latin1', 0, Math.min(data.length, max * 2)).replace(/[\r\n]+$/, '');
  const shown = JSON.stringify(s.length > max ? s.slice(0, max) + '…' : s);
  return data.length === 0 ? 'nothing' : shown;
}

/** Judge for a regex: matched, read more, or (at EOF / byte limit) a failure saying what came instead. */
export function regexJudge(re: RegExp, maxBytes: number): (data: Buffer, eof: boolean) => Verdict {
  return (data, eof) => {
    const m = re.exec(data.toString('latin1'));
    if (m) return { note: firstLine(m[0]) };
    if (eof) return { fail: `connection closed before ${re} matched; got ${excerpt(data)}` };
    if (data.length >= maxBytes) return { fail: `no match for ${re} in the first ${maxBytes} bytes; got ${excerpt(data)}` };
    return undefined;
  };
}

function firstLine(s: string): string {
  const line = s.split(/\r?\n/, 1)[0]!;
  return line.length > 80 ? line.slice(0, 80) + '…' : line;
}
