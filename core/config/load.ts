/**
 * @fileoverview Reads a config file into the model: vigil.yaml / .json natively,
 * mon.cf (`.cf`, `.m4`) through the mon.cf reader, then the same model checks for
 * both. Every problem found is reported at once, each with file:line:column.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { LineCounter, isScalar, parseDocument, visit, type YAMLError } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import type { Config, ConfigNote, Loc } from '../model.ts';
import type { JsonSchema, OptionProblem } from '../types.ts';
import { validatorFor } from './ajv.ts';
import { describeAjvErrors } from './ajv-errors.ts';
import { buildConfig } from './build.ts';
import { readJsonConfig } from './json-positions.ts';
import { pathText, yamlLocator, type Locator } from './positions.ts';
import { configSchema } from './schema.ts';
import { validateModel } from './validate.ts';

export { validateModel } from './validate.ts';
export type { Locator, Path } from './positions.ts';

/** What the loader needs to know about plugins; the engine passes the registry. */
export interface PluginCatalog {
  /** The plugin's options schema: `undefined` = no such plugin, `null` = it takes no options. */
  schema(kind: 'monitor' | 'alert', name: string): Promise<JsonSchema | null | undefined>;
  /** Every known plugin name of a kind, for "known monitors: ..." hints. */
  names(kind: 'monitor' | 'alert'): Promise<string[]> | string[];
  /** The plugin's own checks of options that passed its schema (`checkOptions`); none when it has none. */
  optionProblems?(kind: 'monitor' | 'alert', name: string, options: Record<string, unknown>, hosts: readonly string[]): Promise<OptionProblem[]>;
}

export interface CheckResult {
  /** Present only when there are no problems. */
  config?: Config;
  problems: ConfigProblem[];
  notes: ConfigNote[];
}

/** Loads and validates a config; throws ConfigError carrying every problem found. */
export async function loadConfig(file: string, plugins: PluginCatalog): Promise<Config> {
  const r = await checkConfig(file, plugins);
  if (!r.config) throw new ConfigError(r.problems);
  return r.config;
}

/** Everything `vigil check` reports: the problems (all of them) and notes. */
export async function checkConfig(file: string, plugins: PluginCatalog): Promise<CheckResult> {
  const r = isMonCf(file) ? await checkMonCf(file, plugins) : await checkNative(file, plugins);
  r.problems.sort(byPosition);
  if (r.problems.length > 0) delete r.config;
  return r;
}

export function isMonCf(file: string): boolean {
  return ['.cf', '.m4'].includes(extname(file).toLowerCase());
}

async function checkMonCf(file: string, plugins: PluginCatalog): Promise<CheckResult> {
  let config: Config;
  try {
    const { readMonCf } = await import('./moncf.ts');
    config = await readMonCf(file);
  } catch (err) {
    if (err instanceof ConfigError) return { problems: [...err.problems], notes: [] };
    return { problems: [readProblem(file, err)], notes: [] };
  }
  const { problems } = await validateModel(config, plugins);
  return { config, problems, notes: config.notes };
}

async function checkNative(file: string, plugins: PluginCatalog): Promise<CheckResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { problems: [readProblem(file, err)], notes: [] };
  }
  const read = (extname(file).toLowerCase() === '.json' ? readJsonConfig(file, text) : undefined) ?? readYaml(file, text);
  if ('problems' in read) return { problems: read.problems, notes: [] };
  const { raw, locate } = read;
  const problems: ConfigProblem[] = [];
  const validate = validatorFor(configSchema as unknown as JsonSchema);
  if (!validate(raw)) {
    for (const d of describeAjvErrors(validate.errors ?? [])) {
      const at = locate(d.path, { key: d.key });
      problems.push({ loc: at?.loc, path: pathText(at?.path ?? d.path) || undefined, message: topMessage(d.path, d.message, raw) });
    }
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) return { problems, notes: [] };

  const format = extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
  const built = buildConfig({ file: resolve(file), format, raw, locate });
  problems.push(...built.problems);
  const config = built.config;
  config.notes.push(...built.notes);
  const model = await validateModel(config, plugins, locate);
  problems.push(...model.problems);
  return { config, problems, notes: config.notes };
}

/** A YAML file (or a .json one the fast reader left to it): the positioned document. */
function readYaml(file: string, text: string): { raw: unknown; locate: Locator } | { problems: ConfigProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) return { problems: doc.errors.map((e) => syntaxProblem(file, e, lines)) };
  const odd = collectionKeys(file, doc, lines);
  if (odd.length > 0) return { problems: odd };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    return { problems: [{ loc: { file, line: 1 }, message: `cannot read the YAML: ${(err as Error).message}` }] };
  }
  if (raw === null || raw === undefined) {
    return { problems: [{ loc: { file, line: 1 }, message: 'the file is empty; start from examples/quickstart.yaml (docs/config.md explains every key)' }] };
  }
  return { raw, locate: yamlLocator(file, doc, lines) };
}

/** The root being no map gets a sentence of its own. */
function topMessage(path: string[], message: string, raw: unknown): string {
  if (path.length === 0 && (typeof raw !== 'object' || Array.isArray(raw))) {
    return `the config must be a map of settings (state_dir:, hostgroups:, watches: ...), found ${Array.isArray(raw) ? 'a list' : 'a single value'}`;
  }
  return message;
}

/** `{ a: 1 }: x` or `[a]: x` as a key: toJS would stringify it (with a process warning) into a key nobody wrote. */
function collectionKeys(file: string, doc: ReturnType<typeof parseDocument>, lines: LineCounter): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as { range?: [number, number] } | null;
      if (key === null || isScalar(key)) return;
      const pos = key.range ? lines.linePos(key.range[0]) : undefined;
      out.push({ loc: { file, line: pos?.line ?? 1, ...(pos ? { column: pos.col } : {}) }, message: 'a key must be a plain name, not a map or a list; check the indentation and the ":" on this line' });
    },
  });
  return out;
}

function syntaxProblem(file: string, e: YAMLError, lines: LineCounter): ConfigProblem {
  const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
  const loc: Loc = pos ? { file, line: pos.line, column: pos.col } : { file, line: 1 };
  const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { loc, message: `YAML syntax error: ${what}` };
}

function readProblem(file: string, err: unknown): ConfigProblem {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'no such file; pass the right path with -c' :
    code === 'EACCES' ? 'permission denied; run as a user who can read it' :
    code === 'EISDIR' ? 'it is a directory; pass the config file itself' :
    (err as Error).message;
  return { loc: { file, line: 1 }, message: `cannot read the config file: ${why}` };
}

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  const fa = a.loc?.file ?? '';
  const fb = b.loc?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.column ?? 0) - (b.loc?.column ?? 0);
}
