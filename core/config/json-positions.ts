/**
 * @fileoverview A `.json` config read without the YAML document: JSON.parse for the
 * values and one pass of jsonc-parser's scanner for where the keys sit. A generated
 * config with 20,000 hosts held as a positioned YAML document cost about 60 MB at
 * start, for positions nobody asks about; here host names (strings in lists) get no
 * entry until a problem points at one, and then all of them get one in a second pass.
 * Anything unusual (a syntax error, a duplicate key) returns undefined: the YAML
 * reader then reports it with its line and column, as for any other file.
 */
import { visit } from 'jsonc-parser';
import type { Loc } from '../model.ts';
import type { Locator, Path } from './positions.ts';

type Kind = 'map' | 'list' | 'scalar';

interface Spot {
  kind: Kind;
  /** 1-based line and column of the value, and of the key for map entries. */
  line: number;
  column: number;
  keyLine?: number;
  keyColumn?: number;
}

/** Path segments joined with a character JSON keys can hold but configs never do. */
const SEP = '\u0000';

export interface JsonRead {
  raw: unknown;
  locate: Locator;
}

export function readJsonConfig(file: string, text: string): JsonRead | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  // Empty, a list or a single value: the YAML reader has the words for those.
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const spots = indexPositions(text);
  if (!spots) return undefined;
  return { raw, locate: jsonLocator(file, text, spots) };
}

/** Positions of every map entry and of every list item that is a map or a list. */
function indexPositions(text: string): Map<string, Spot> | undefined {
  const spots = new Map<string, Spot>();
  // The path as segments, each container's kind, and the keys seen in each map.
  const path: string[] = [];
  const kinds: Kind[] = [];
  const keys: Array<Set<string> | undefined> = [];
  let pendingKey: { line: number; column: number } | undefined;
  let odd = false;

  /** Called where a value starts: settles its path segment and records it where wanted. */
  const value = (kind: Kind, line: number, character: number) => {
    const parent = kinds[kinds.length - 1];
    if (parent === 'list') {
      const last = path.length - 1;
      // A list's segment is its next index: pushed before the first item, bumped after.
      path[last] = String(Number(path[last]) + 1);
      if (kind === 'scalar') return; // host names: found on demand
    }
    const spot: Spot = { kind, line: line + 1, column: character + 1 };
    if (parent === 'map' && pendingKey) {
      spot.keyLine = pendingKey.line;
      spot.keyColumn = pendingKey.column;
    }
    pendingKey = undefined;
    spots.set(path.join(SEP), spot);
  };
  const open = (kind: 'map' | 'list', line: number, character: number) => {
    value(kind, line, character);
    kinds.push(kind);
    keys.push(kind === 'map' ? new Set() : undefined);
    if (kind === 'list') path.push('-1');
    else path.push('');
  };
  const close = () => {
    kinds.pop();
    keys.pop();
    path.pop();
  };

  visit(
    text,
    {
      onObjectBegin: (_o, _l, line, ch) => open('map', line, ch),
      onArrayBegin: (_o, _l, line, ch) => open('list', line, ch),
      onObjectEnd: close,
      onArrayEnd: close,
      onObjectProperty: (name, _o, _l, line, ch) => {
        const seen = keys[keys.length - 1]!;
        if (seen.has(name)) odd = true; // JSON.parse keeps the last; the YAML reader says so
        seen.add(name);
        path[path.length - 1] = name;
        pendingKey = { line: line + 1, column: ch + 1 };
      },
      onLiteralValue: (_v, _o, _l, line, ch) => value('scalar', line, ch),
      onError: () => {
        odd = true;
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return odd ? undefined : spots;
}

/**
 * Adds the positions of list items that are plain values (host names), in one more
 * pass: done the first time a problem points at one, so a config with many bad host
 * names is scanned twice in all, not once per name.
 */
function indexScalarItems(text: string, spots: Map<string, Spot>): void {
  visit(text, {
    onLiteralValue: (_v, _o, _l, line, ch, pathOf) => {
      const path = pathOf();
      if (typeof path[path.length - 1] === 'number') spots.set(path.map(String).join(SEP), { kind: 'scalar', line: line + 1, column: ch + 1 });
    },
  });
}

/**
 * Same answers as the YAML locator: `key: true` points at the key of the last
 * segment, else at its value; a path that does not exist points at its deepest
 * existing part; a service without `periods` has its alert keys as one implicit
 * period, so `periods/0/...` maps onto the service itself.
 */
function jsonLocator(file: string, text: string, spots: Map<string, Spot>): Locator {
  const loc = (line: number, column: number): Loc => ({ file, line, column });
  let scalarsIndexed = false;
  return (path: Path, opts = {}) => {
    const root = spots.get('');
    let at: Loc = root ? loc(root.line, root.column) : { file, line: 1 };
    let kind: Kind | undefined = root?.kind;
    const prefix: string[] = [];
    const walked: (string | number)[] = [];
    let complete = true;
    for (let i = 0; i < path.length; i++) {
      const seg = String(path[i]);
      const here = [...prefix, seg].join(SEP);
      let spot = spots.get(here);
      if (!spot && kind === 'map' && seg === 'periods' && typeof path[i + 1] === 'number') {
        i++; // the implicit period
        continue;
      }
      if (!spot && kind === 'list' && /^\d+$/.test(seg) && !scalarsIndexed) {
        indexScalarItems(text, spots);
        scalarsIndexed = true;
        spot = spots.get(here);
      }
      if (!spot) {
        complete = false;
        break;
      }
      walked.push(path[i]!);
      prefix.push(seg);
      kind = spot.kind;
      const onKey = i === path.length - 1 && opts.key && spot.keyLine !== undefined;
      at = onKey ? loc(spot.keyLine!, spot.keyColumn!) : loc(spot.line, spot.column);
    }
    return { loc: at, path: complete ? walked : path };
  };
}
