/**
 * @fileoverview fping's per-target lines in -C mode (`-q` prints only these, on stderr):
 *   "127.0.0.1 : 0.03 0.02 0.02"   one value per probe, "-" for no reply
 * Pure parsing; which hosts count as failed is decided elsewhere.
 */

export interface PingStats {
  sent: number;
  received: number;
  /** Round-trip times of the replies, ms. */
  rtts: number[];
  lossPercent: number;
}

export interface FpingParse {
  /** Keyed by the host exactly as given to fping. */
  stats: Map<string, PingStats>;
  /** Lines that are not result lines (errors, warnings), for messages. */
  other: string[];
}

const RESULT = /^(\S+)\s+:((?:\s+(?:-|\d+(?:\.\d+)?))+)\s*$/;

export function parseFpingOutput(text: string): FpingParse {
  const stats = new Map<string, PingStats>();
  const other: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!line) continue;
    const m = RESULT.exec(line);
    if (!m) {
      other.push(line);
      continue;
    }
    const values = m[2]!.trim().split(/\s+/);
    const rtts = values.filter((v) => v !== '-').map(Number);
    const prev = stats.get(m[1]!);
    // A host listed twice gets two lines: count both.
    const sent = values.length + (prev?.sent ?? 0);
    const all = prev ? [...prev.rtts, ...rtts] : rtts;
    stats.set(m[1]!, { sent, received: all.length, rtts: all, lossPercent: sent ? Math.round(((sent - all.length) / sent) * 1000) / 10 : 100 });
  }
  return { stats, other };
}
