/**
 * @fileoverview ajv's error objects in words an operator understands: what is
 * wrong with which key and what to write instead.
 */
import type { ErrorObject } from 'ajv';
import {
  ALERTAFTER_PATTERN,
  ALERTEVERY_PATTERN,
  ENV_NAME_PATTERN,
  EXIT_RANGE_PATTERN,
  LABEL_PATTERN,
  LISTEN_PATTERN,
  NAME_PATTERN,
} from './schema.ts';
import { pointerToPath } from './positions.ts';

export interface Described {
  /** Path of the offending key, relative to the validated object. */
  path: string[];
  /** Point at the key itself rather than its value. */
  key: boolean;
  message: string;
}

const DURATION_HINT = 'write 10s, 5m, 1h or 1d';
const SECRET_KEY = /pass|secret|token|api_?key|auth|credential|private/i;
const HIDDEN = Symbol('hidden');

/** Translates ajv errors (compiled with `verbose: true`), dropping the duplicates ajv emits for propertyNames. */
export function describeAjvErrors(errors: readonly ErrorObject[], noun: 'key' | 'option' = 'key'): Described[] {
  const out: Described[] = [];
  const seen = new Set<string>();
  const branches = alternatives(errors);
  for (const e of errors) {
    if (e.keyword === 'propertyNames' || e.keyword === 'if' || e.keyword === '$ref') continue;
    if (branches.inner.has(e)) continue;
    const d = branches.outer.has(e) ? describeAlternatives(e, branches.outer.get(e)!, noun) : describe(e, noun);
    const id = `${d.path.join('/')}\n${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(d);
  }
  return out;
}

/** anyOf/oneOf errors and the errors of their branches, which are folded into one message. */
function alternatives(errors: readonly ErrorObject[]) {
  const outer = new Map<ErrorObject, ErrorObject[]>();
  const inner = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') continue;
    const sub = errors.filter((x) => x !== e && x.schemaPath.startsWith(`${e.schemaPath}/`) && x.instancePath.startsWith(e.instancePath));
    outer.set(e, sub);
    for (const x of sub) inner.add(x);
  }
  return { outer, inner };
}

function describeAlternatives(e: ErrorObject, sub: ErrorObject[], noun: 'key' | 'option'): Described {
  const path = pointerToPath(e.instancePath);
  if (sub.length === 0) return { path, key: false, message: `${show(e.data)} matches more than one of the allowed forms; remove what makes it ambiguous` };
  if (sub.every((x) => x.keyword === 'required' && x.instancePath === e.instancePath)) {
    const names = [...new Set(sub.map((x) => `"${String(x.params.missingProperty)}"`))];
    return { path, key: false, message: `missing ${noun} ${names.join(' or ')} (one of them is needed)` };
  }
  const parts = [...new Set(sub.map((x) => describe(x, noun).message))];
  return { path, key: false, message: `${parts.join('; or ')}` };
}

function describe(e: ErrorObject, noun: 'key' | 'option'): Described {
  const path = pointerToPath(e.instancePath);
  const propertyName = (e as { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    return { path: [...path, propertyName], key: true, message: badName(propertyName, String(e.params.pattern ?? '')) };
  }
  // Never echo what may be a secret (a mistyped token is still a token).
  const value = SECRET_KEY.test(String(path[path.length - 1] ?? '')) ? HIDDEN : e.data;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return { path: [...path, extra], key: true, message: unexpected(noun, extra, allowed) };
    }
    case 'required': {
      const missing = String(e.params.missingProperty);
      const hint = missing === 'plugin' ? '; write { plugin: NAME, ...options }' : '';
      return { path, key: false, message: `missing ${noun} "${missing}"${hint}` };
    }
    case 'type':
      if (isDuration(e)) return { path, key: false, message: durationMessage(value) };
      return { path, key: false, message: `expected ${typeWords(e.params.type)}, found ${show(value)}` };
    case 'pattern':
      if (isDuration(e)) return { path, key: false, message: durationMessage(value) };
      return { path, key: false, message: patternMessage(String(e.params.pattern), value) };
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path, key: false, message: `${show(value)} is not allowed here; use one of: ${allowed}` };
    }
    case 'minimum':
    case 'exclusiveMinimum':
      return { path, key: false, message: `${show(value)} is too small; the least allowed is ${e.params.limit}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { path, key: false, message: `${show(value)} is too large; the most allowed is ${e.params.limit}` };
    case 'minItems':
      return { path, key: false, message: `list needs at least ${e.params.limit} item(s)` };
    case 'minLength':
      return { path, key: false, message: e.params.limit === 1 ? 'must not be empty' : `must be at least ${e.params.limit} characters` };
    case 'const':
      return { path, key: false, message: `must be ${JSON.stringify(e.params.allowedValue)}, found ${show(value)}` };
    case 'format':
      return { path, key: false, message: `${show(value)} is not a valid ${e.params.format}` };
    default:
      return { path, key: false, message: `${show(value)} ${e.message ?? 'is not valid'}` };
  }
}

export function unexpected(noun: string, extra: string, allowed: string[]): string {
  if (allowed.length === 0) return `unexpected ${noun} "${extra}"; this takes no ${noun}s`;
  const near = closest(extra, allowed);
  return `unexpected ${noun} "${extra}"${near ? ` (did you mean "${near}"?)` : ''}; expected one of: ${allowed.join(', ')}`;
}

function isDuration(e: ErrorObject): boolean {
  return e.schemaPath.startsWith('#/definitions/duration/');
}

export function durationMessage(value: unknown): string {
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value))) {
    return `"${String(value).trim()}" has no unit; ${DURATION_HINT}`;
  }
  return `${show(value)} is not a time value; ${DURATION_HINT} (units: ms, s, m, h, d)`;
}

function patternMessage(pattern: string, value: unknown): string {
  const v = show(value);
  switch (pattern) {
    case ALERTAFTER_PATTERN:
      return `${v} is not an alertafter; write a count (2), a count within a time ("2 10m") or a time ("10m")`;
    case ALERTEVERY_PATTERN:
      return `${v} is not an alertevery; write a time ("1h"), optionally followed by summary, strict, observe_detail or ignore_summary`;
    case EXIT_RANGE_PATTERN:
      return `${v} is not an exit code range; write an exit code (2) or a range ("2-5")`;
    case LISTEN_PATTERN:
      return `${v} is not an address:port; write "127.0.0.1:2580" or "[::1]:2580"`;
    case '^\\S+$':
      return `${v} is not one host; list each host as its own item: [host1, host2]`;
    default:
      return badName(String(value), pattern);
  }
}

function badName(name: string, pattern: string): string {
  switch (pattern) {
    case NAME_PATTERN:
      if (name === '__proto__') return '"__proto__" is reserved and cannot be a name; choose another';
      return `"${name}" is not a valid name; use only letters, digits, "_", "." and "-" (as in mon)`;
    case ENV_NAME_PATTERN:
      return `"${name}" is not an environment variable name; use capitals, digits and "_", starting with a letter (as in mon's VAR=value)`;
    case LABEL_PATTERN:
      if (name === '__proto__') return '"__proto__" is reserved and cannot be a name; choose another';
      return `"${name}" is not a valid period name; use letters, digits and "_", starting with a letter`;
    default:
      return `"${name}" does not match ${pattern}`;
  }
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map of keys',
  null: 'nothing',
};

function typeWords(t: unknown): string {
  const list = (Array.isArray(t) ? t : String(t).split(',')).map((x) => TYPE_WORDS[String(x)] ?? String(x));
  return list.join(' or ');
}

/** A value as an operator would recognise it in the file. */
export function show(v: unknown): string {
  if (v === HIDDEN) return 'the value (not shown: it may be a secret)';
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** The allowed word a typo most likely meant: one edit away (two for longer words), a swap counting as one. */
export function closest(word: string, options: string[]): string | undefined {
  const limit = word.length >= 5 ? 2 : 1;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const o of options) {
    const d = distance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent swaps). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
