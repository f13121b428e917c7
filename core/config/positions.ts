/**
 * @fileoverview Where a key path sits in a YAML (or JSON) file: line and column for
 * every problem, found by walking the `yaml` package's document nodes.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Loc } from '../model.ts';

export type Path = readonly (string | number)[];

/** What a locator answers: the position, and the path as the file spells it. */
export interface Located {
  loc?: Loc;
  path?: Path;
}

/** Maps a model path (e.g. watches/web/services/http/monitor/port) to where it is written. */
export type Locator = (path: Path, opts?: { key?: boolean }) => Located | undefined;

export function pathText(path: Path): string {
  return path.map(String).join('/');
}

/** JSON pointer (ajv's instancePath) to path segments. */
export function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * A locator over a parsed document. `key: true` points at the key of the last
 * segment (for "unexpected key"), else at its value. A path that does not exist
 * points at its deepest existing part. A service without `periods` has its alert
 * keys as one implicit period, so `periods/0/...` there maps onto the service itself.
 */
export function yamlLocator(file: string, doc: Document, lines: LineCounter): Locator {
  const toLoc = (offset: number): Loc => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col };
  };
  return (path, opts = {}) => {
    let node: unknown = doc.contents;
    let at: number | undefined = rangeStart(node);
    const walked: (string | number)[] = [];
    let complete = true;
    for (let i = 0; i < path.length; i++) {
      node = resolve(doc, node);
      const seg = path[i]!;
      if (isMap(node)) {
        if (seg === 'periods' && typeof path[i + 1] === 'number' && !node.items.some((p) => keyOf(p.key) === 'periods')) {
          i++; // the implicit period
          continue;
        }
        const pair = findPair(doc, node, String(seg));
        if (!pair) {
          complete = false;
          break;
        }
        walked.push(seg);
        const last = i === path.length - 1;
        at = rangeStart(last && opts.key ? pair.key : (pair.value ?? pair.key)) ?? at;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined) {
          complete = false;
          break;
        }
        walked.push(seg);
        at = rangeStart(item) ?? at;
        node = item;
      } else {
        complete = false;
        break;
      }
    }
    return { loc: at === undefined ? { file, line: 1 } : toLoc(at), path: complete ? walked : path };
  };
}

/** The pair of a key, also through YAML merge keys (`<<: *defaults`), nearest first. */
function findPair(doc: Document, map: YAMLMap, key: string, depth = 0): Pair | undefined {
  const own = map.items.find((p) => keyOf(p.key) === key);
  if (own || depth > 10) return own;
  for (const p of map.items) {
    const k = isScalar(p.key) ? p.key.value : p.key;
    if (k !== '<<' && !(typeof k === 'symbol' && k.description === '<<')) continue;
    const v = resolve(doc, p.value);
    const sources = isSeq(v) ? v.items.map((i) => resolve(doc, i)) : [v];
    for (const src of sources) {
      const hit = isMap(src) ? findPair(doc, src, key, depth + 1) : undefined;
      if (hit) return hit;
    }
  }
  return undefined;
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string') return key;
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? r[0] : undefined;
}
