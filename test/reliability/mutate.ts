/**
 * @fileoverview Text mutations for fuzzing config readers: a fast-check
 * arbitrary that takes one of the seed texts (real example configs) and applies
 * a few line-level and character-level edits, with tokens that mean something to
 * the format (YAML anchors and tags, mon.cf keywords, odd numbers and durations).
 */
import fc from 'fast-check';

export type Mutation =
  | { op: 'delete-line'; at: number }
  | { op: 'dup-line'; at: number }
  | { op: 'swap-lines'; at: number; with: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'replace-word'; at: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'indent'; at: number; by: number };

/** Tokens shared by every format: numbers and durations at the edges, quoting, control bytes. */
export const COMMON_TOKENS = [
  '0', '-1', '1e309', 'NaN', '99999999999999999999', '0x10', '1.5', '', ' ', '\t', '\r', '\n', '\u0000', '\u00e9', '\ud83d\ude00', '\ufeff',
  '"', "'", '\\', '#', '=', ':', ',', '{', '}', '[', ']', '-', '*', '&', '!', '|', '>', '%', '@', '`',
  '0s', '-5s', '5', '10x', '1h30m', '999999d', '1e3s', 'always', 'none', 'wd {Mon-Fri}', 'hr {25am}', '{', '$(touch /tmp/x)', '../../etc/passwd',
  'a'.repeat(5000), '\\x', '%s%s%s', '__proto__', 'constructor', 'prototype', 'toString',
];

export const YAML_TOKENS = [
  '&a', '*a', '*missing', '<<: *a', '!!binary', '!!str', '!!int', '!!js/function', '!custom', '? ', '---', '...', '- ', ': ', '{}', '[]', '~', 'null', 'true', 'yes', 'off',
  'plugin: nope', 'plugin: script', 'interval: 0s', 'timeout: -1s', 'alertafter: "3 abc"', 'alertevery: 1h bogus', 'when: "hr {"', 'x-a: &a { k: *a }',
  'monitor: { plugin: tcp, port: 99999 }', 'watches: []', 'hostgroups: { g: [] }', 'periods: 7', 'depend: [ "a:b && (" ]', 'state_dir: /proc/1/root',
];

export const MONCF_TOKENS = [
  'watch', 'service', 'period', 'hostgroup', 'monitor', 'alert', 'upalert', 'alertevery', 'alertafter', 'interval', 'depend', 'exclude_hosts', 'alertdir', 'mondir',
  'randstart', 'maxprocs', 'authfile', 'traptimeout', 'dep_behavior', 'numalerts', 'exit=', 'exit=1-2', 'wd {Sun-Sat}', 'hr {0-23}', 'yr {1999}', 'bogus',
  'interval 1', 'interval 5q', 'alertafter 2 5m 7', 'monitor tcp.monitor -p 80', 'alert mail.alert root', 'period wd {Mon-Fri}', 'period label: hr {9am-5pm}', 'watch ',
  'hostgroup ', 'service ', 'depend a:b', 'depend (a:b', 'VAR=value', '\\', 'include foo', 'allow_empty_group', 'redistribute', 'startupalert', 'alertevery 1h summary',
];

const mutationArb = (tokens: readonly string[]): fc.Arbitrary<Mutation> => {
  const pos = fc.nat({ max: 10_000 });
  const token = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...tokens, ...COMMON_TOKENS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  );
  return fc.oneof(
    fc.record({ op: fc.constant('delete-line' as const), at: pos }),
    fc.record({ op: fc.constant('dup-line' as const), at: pos }),
    fc.record({ op: fc.constant('swap-lines' as const), at: pos, with: pos }),
    fc.record({ op: fc.constant('insert' as const), at: pos, text: token }),
    fc.record({ op: fc.constant('replace-word' as const), at: pos, text: token }),
    fc.record({ op: fc.constant('truncate' as const), at: pos }),
    fc.record({ op: fc.constant('indent' as const), at: pos, by: fc.integer({ min: -4, max: 4 }) }),
  );
};

export function applyMutation(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const li = lines.length ? m.at % lines.length : 0;
  switch (m.op) {
    case 'delete-line':
      lines.splice(li, 1);
      return lines.join('\n');
    case 'dup-line':
      lines.splice(li, 0, lines[li] ?? '');
      return lines.join('\n');
    case 'swap-lines': {
      const j = m.with % Math.max(1, lines.length);
      [lines[li], lines[j]] = [lines[j] ?? '', lines[li] ?? ''];
      return lines.join('\n');
    }
    case 'insert': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'replace-word': {
      const words = [...text.matchAll(/[^\s:{}[\],]+/g)];
      if (words.length === 0) return text + m.text;
      const w = words[m.at % words.length]!;
      return text.slice(0, w.index) + m.text + text.slice(w.index! + w[0].length);
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'indent': {
      const l = lines[li] ?? '';
      lines[li] = m.by >= 0 ? ' '.repeat(m.by) + l : l.replace(new RegExp(`^ {0,${-m.by}}`), '');
      return lines.join('\n');
    }
  }
}

/** A seed text with 1..maxEdits mutations applied; shrinks toward fewer edits. */
export function mutatedText(seeds: readonly string[], tokens: readonly string[], maxEdits = 6): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutationArb(tokens), { minLength: 1, maxLength: maxEdits }))
    .map(([seed, ms]) => ms.reduce(applyMutation, seed));
}
