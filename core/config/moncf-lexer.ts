/**
 * @fileoverview mon.cf logical lines, with mon's exact `read_cf` rules:
 * a physical line matching `^\s*#` is dropped (it neither ends a block nor a
 * continuation); a line ending in `\` plus optional whitespace continues on
 * the next one, whose leading whitespace is removed; the text before the
 * backslash is kept verbatim; a continuation pending at EOF is lost (as in
 * mon); each logical line is trimmed. No trailing comments exist in mon.
 */

export interface LogicalLine {
  /** Trimmed text; "" is a blank line, which ends a hostgroup/watch block. */
  text: string;
  /** Physical line (1-based) where the logical line starts. */
  line: number;
  /** Physical line where it ends (mon reports this one). */
  endLine: number;
}

const COMMENT = /^\s*#/;
const CONTINUED = /^(.*)\\\s*$/;

export function logicalLines(source: string): LogicalLine[] {
  const physical = source.split('\n');
  // A trailing newline does not start one more (empty) physical line.
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const out: LogicalLine[] = [];
  let acc = '';
  let start = 0;
  let pending = false;
  physical.forEach((raw, i) => {
    let part = raw.replace(/\r$/, '');
    if (COMMENT.test(part)) return;
    if (pending) part = part.replace(/^\s*/, '');
    else start = i + 1;
    const m = CONTINUED.exec(part);
    if (m) {
      acc += m[1];
      pending = true;
      return;
    }
    out.push({ text: (acc + part).trim(), line: start, endLine: i + 1 });
    acc = '';
    pending = false;
  });
  return out;
}
