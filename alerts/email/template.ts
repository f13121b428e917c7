/**
 * @fileoverview A tiny safe template: `{field}` is replaced by an event field,
 * `{{` and `}}` are literal braces. No expressions, no eval; an unknown field is
 * an error when the config loads, not a blank in a 3 a.m. mail.
 */

export type TemplateValues = Record<string, string>;
export type Template = (values: TemplateValues) => string;

const TOKEN = /\{\{|\}\}|\{([A-Za-z][A-Za-z0-9_]*)\}|\{|\}/g;

/** Compile `text`; throws naming the unknown field and the known ones. */
export function compileTemplate(text: string, known: readonly string[], what: string): Template {
  const parts: Array<string | { field: string }> = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    parts.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0] === '{{') parts.push('{');
    else if (m[0] === '}}') parts.push('}');
    else if (m[1] !== undefined) {
      if (!known.includes(m[1])) {
        throw new Error(`${what}: unknown field {${m[1]}}; known fields: ${known.map((k) => `{${k}}`).join(' ')}`);
      }
      parts.push({ field: m[1] });
    } else {
      throw new Error(`${what}: lone "${m[0]}" at offset ${m.index}; write {{ or }} for a literal brace`);
    }
  }
  parts.push(text.slice(last));
  return (values) => parts.map((p) => (typeof p === 'string' ? p : (values[p.field] ?? ''))).join('');
}
