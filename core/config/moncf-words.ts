/**
 * @fileoverview Shell-like word splitting as mon does it for monitor and alert
 * lines (Perl's `Text::ParseWords::quotewords('\s+', 0, ...)`): quotes are
 * removed, a backslash escapes the next character outside quotes and inside
 * double quotes, and adjacent quoted/unquoted parts join into one word.
 */

/** The words of `text`, or undefined when a quote is not closed (Perl returns nothing then). */
export function quoteWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      while (i < s.length && /\s/.test(s[i]!)) i++;
      continue;
    }
    word ??= '';
    if (c === '\\' && i + 1 < s.length) {
      word += s[i + 1];
      i += 2;
    } else if (c === '"' || c === "'") {
      const end = closingQuote(s, i);
      if (end < 0) return undefined;
      const inner = s.slice(i + 1, end);
      word += c === '"' ? inner.replace(/\\(.)/gs, '$1') : inner;
      i = end + 1;
    } else {
      word += c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function closingQuote(s: string, open: number): number {
  const q = s[open];
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === q) return i;
  }
  return -1;
}

/** Quotes a word so that `quoteWords` gives it back unchanged (used when writing mon.cf-like text). */
export function shellQuote(word: string): string {
  return word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}
