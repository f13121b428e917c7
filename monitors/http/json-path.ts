/**
 * @fileoverview The small JSON path the http monitor's `jsonPath` assertions use:
 * `$.status`, `$.items[0].name`, `data.ok` (dotted names and [index]).
 */

export type PathPart = string | number;

export function parseJsonPath(path: string): PathPart[] {
  const rest = path.replace(/^\$/, '');
  const parts: PathPart[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\[["']([^"']*)["']\]|^([^.[\]]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < rest.length && (m = re.exec(rest))) {
    parts.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4])!);
    at = re.lastIndex;
  }
  if (at !== rest.length) throw new Error(`jsonPath ${JSON.stringify(path)} is not a path like $.a.b[0].c (stopped at ${JSON.stringify(rest.slice(at))})`);
  return parts;
}

const MISSING = Symbol('missing');

/** The value at `parts`, or `MISSING`. */
export function lookup(doc: unknown, parts: PathPart[]): unknown {
  let v: unknown = doc;
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return MISSING;
    if (typeof p === 'number' && !Array.isArray(v)) return MISSING;
    if (!Object.prototype.hasOwnProperty.call(v, p)) return MISSING;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

export function isMissing(v: unknown): boolean {
  return v === MISSING;
}

export interface JsonAssertion {
  path: string;
  equals?: unknown;
  matches?: string;
  exists?: boolean;
}

export interface CompiledAssertion {
  path: string;
  parts: PathPart[];
  equals?: string;
  matches?: RegExp;
  exists?: boolean;
}

export function compileAssertion(a: JsonAssertion, toRegex: (s: string, opt: string) => RegExp): CompiledAssertion {
  const c: CompiledAssertion = { path: a.path, parts: parseJsonPath(a.path) };
  if ('equals' in a) c.equals = JSON.stringify(a.equals);
  if (a.matches !== undefined) c.matches = toRegex(a.matches, `jsonPath ${a.path} matches`);
  if (a.exists !== undefined) c.exists = a.exists;
  if (c.equals === undefined && !c.matches && c.exists === undefined) c.exists = true;
  return c;
}

/** Undefined when the document passes, else what is wrong in words. */
export function checkAssertion(doc: unknown, a: CompiledAssertion): string | undefined {
  const v = lookup(doc, a.parts);
  const shown = (x: unknown) => { const s = JSON.stringify(x) ?? String(x); return s.length > 60 ? s.slice(0, 60) + '…' : s; };
  if (v === MISSING) return a.exists === false ? undefined : `${a.path} is missing from the JSON body`;
  if (a.exists === false) return `${a.path} is present (${shown(v)}) but should not be`;
  if (a.equals !== undefined && JSON.stringify(v) !== a.equals) return `${a.path} is ${shown(v)} (expected ${a.equals})`;
  if (a.matches && !a.matches.test(typeof v === 'string' ? v : JSON.stringify(v))) return `${a.path} is ${shown(v)}, which does not match ${a.matches}`;
  return undefined;
}
