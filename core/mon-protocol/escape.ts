/**
 * @fileoverview mon's `esc_str`/`un_esc_str`: every byte <= 0x20, >= 0x7f, `"`
 * and `'` becomes `\` + two lowercase hex digits; inside key=value (quoted)
 * contexts a backslash is doubled. Works on the UTF-8 bytes, as Perl does.
 */

export function escStr(text: string | undefined, inQuotes = false): string {
  if (text === undefined) return '';
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    if (b <= 0x20 || b > 0x7e || b === 0x22 || b === 0x27) out += '\\' + b.toString(16).padStart(2, '0');
    else if (inQuotes && b === 0x5c) out += '\\\\';
    else out += String.fromCharCode(b);
  }
  return out;
}

export function unEscStr(text: string): string {
  const bytes: number[] = [];
  const src = Buffer.from(text, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const hex = i + 2 < src.length ? String.fromCharCode(src[i + 1]!, src[i + 2]!) : '';
    if (src[i] === 0x5c && /^[0-9a-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(src[i]!);
  }
  return Buffer.from(bytes).toString('utf8');
}
