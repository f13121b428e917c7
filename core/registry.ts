/**
 * @fileoverview Plugin registry: name -> plugin. Built-ins are found by file name
 * (`monitors/tcp.ts` is the monitor `tcp`) and imported only when a config uses
 * them, so `tcp` never loads nodemailer. Third-party plugins are registered from
 * modules named in the config; they go through the same shape checks.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { AlertPlugin, JsonSchema, MonitorPlugin, OptionProblem, Plugin } from './types.ts';
import { VigilError, errorMessage } from './errors.ts';

export type PluginKind = 'monitor' | 'alert';
type ByKind<K extends PluginKind> = K extends 'monitor' ? MonitorPlugin : AlertPlugin;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILTIN_DIRS: Record<PluginKind, string> = { monitor: join(ROOT, 'monitors'), alert: join(ROOT, 'alerts') };

/** Where a registered plugin came from, for error messages. */
interface Entry {
  plugin: Plugin;
  source: string;
}

export class Registry {
  private readonly builtinFiles: Record<PluginKind, Map<string, string>>;
  private readonly loaded: Record<PluginKind, Map<string, Entry>> = { monitor: new Map(), alert: new Map() };

  constructor(dirs: Record<PluginKind, string> = BUILTIN_DIRS) {
    this.builtinFiles = { monitor: listPluginFiles(dirs.monitor), alert: listPluginFiles(dirs.alert) };
  }

  /** The plugin called `name`, importing a built-in on first use; undefined when unknown. */
  async get<K extends PluginKind>(kind: K, name: string): Promise<ByKind<K> | undefined> {
    const hit = this.loaded[kind].get(name);
    if (hit) return hit.plugin as ByKind<K>;
    const file = this.builtinFiles[kind].get(name);
    if (!file) return undefined;
    const mod = await importModule(file);
    const plugins = collectPlugins(mod, file);
    const plugin = plugins.find((p) => p.kind === kind && p.name === name);
    if (!plugin) {
      throw new VigilError('VIGIL_ERR_PLUGIN_SHAPE', `${file} should export the ${kind} plugin "${name}" (its name must equal the file name)`);
    }
    this.add(plugin, file);
    return plugin as ByKind<K>;
  }

  /** Names of every plugin of a kind: built-ins and registered ones. */
  names(kind: PluginKind): string[] {
    return [...new Set([...this.builtinFiles[kind].keys(), ...this.loaded[kind].keys()])].sort();
  }

  /** Registers a plugin object after checking its shape. */
  add(plugin: unknown, source: string): void {
    const p = checkShape(plugin, source);
    const existing = this.loaded[p.kind].get(p.name);
    if (existing && existing.plugin !== p) {
      throw new VigilError(
        'VIGIL_ERR_PLUGIN_DUPLICATE',
        `${p.kind} plugin "${p.name}" from ${source} has the same name as the one from ${existing.source}; rename one of them`,
      );
    }
    if (!existing && this.builtinFiles[p.kind].has(p.name) && source !== this.builtinFiles[p.kind].get(p.name)) {
      throw new VigilError(
        'VIGIL_ERR_PLUGIN_DUPLICATE',
        `${p.kind} plugin "${p.name}" from ${source} has the name of a built-in plugin; give it another name (e.g. "mypkg/${p.name}")`,
      );
    }
    this.loaded[p.kind].set(p.name, { plugin: p, source });
  }

  /**
   * Loads third-party plugin modules named in a config's `plugins:` list. Relative
   * paths resolve against the config's directory, bare names as packages from there.
   */
  async loadModules(specs: string[], configFile: string): Promise<void> {
    for (const spec of specs) {
      const file = resolvePluginSpec(spec, configFile);
      let mod: unknown;
      try {
        mod = await importModule(file);
      } catch (err) {
        throw new VigilError('VIGIL_ERR_PLUGIN_LOAD', `cannot load plugin module "${spec}" (${file}): ${errorMessage(err)}`, { cause: err });
      }
      const plugins = collectPlugins(mod, spec);
      if (plugins.length === 0) {
        throw new VigilError(
          'VIGIL_ERR_PLUGIN_SHAPE',
          `plugin module "${spec}" exports no plugin: default-export a plugin, an array of plugins, or { monitors: [], alerts: [] }`,
        );
      }
      for (const p of plugins) this.add(p, spec);
    }
  }

  /** The options schema of a plugin: undefined when the plugin is unknown, null when it takes no options. */
  async schema(kind: PluginKind, name: string): Promise<JsonSchema | null | undefined> {
    const p = await this.get(kind, name);
    if (!p) return undefined;
    return p.optionsSchema ?? null;
  }

  /** The plugin's `checkOptions` verdict on options that passed its schema; a hook that throws is reported, not thrown. */
  async optionProblems(kind: PluginKind, name: string, options: Record<string, unknown>, hosts: readonly string[] = []): Promise<OptionProblem[]> {
    const p = await this.get(kind, name);
    if (!p?.checkOptions) return [];
    try {
      const found = await p.checkOptions(options as never, { hosts });
      return Array.isArray(found) ? found : [];
    } catch (err) {
      return [{ message: `the plugin's own option check failed (${errorMessage(err)}); this is a bug in the plugin, tell its author` }];
    }
  }
}

function listPluginFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const f of names) {
    if (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && f !== 'index.ts') out.set(f.slice(0, -3), join(dir, f));
  }
  return out;
}

/**
 * Where a `plugins:` entry loads code from. Absolute paths and file:// URLs are
 * taken as written (the operator named the place in full); a relative path must
 * stay inside the config's directory, so a config copied or generated elsewhere
 * cannot reach out of its own tree with "../"; bare names are packages from there.
 */
export function resolvePluginSpec(spec: string, configFile: string): string {
  if (spec.startsWith('file://')) return fileURLToPath(spec);
  if (isAbsolute(spec)) return spec;
  if (spec.startsWith('.')) {
    const dir = dirname(configFile);
    const file = resolve(dir, spec);
    const rel = relative(dir, file);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`)) {
      throw new VigilError(
        'VIGIL_ERR_PLUGIN_LOAD',
        `plugin module "${spec}" is outside the config's directory ${dir}: a relative path may not climb out of it; write the module's absolute path (${file}) if you mean to load it from there`,
      );
    }
    return file;
  }
  // A package name: resolve from the config's location (pino's caller-relative trick).
  return createRequire(configFile).resolve(spec);
}

async function importModule(file: string): Promise<unknown> {
  return import(pathToFileURL(file).href);
}

/** Unwraps `.default` up to twice (CJS/ESM interop) and accepts a plugin, an array, or `{ monitors, alerts }`. */
function collectPlugins(mod: unknown, source: string): any[] {
  let m: any = mod;
  for (let i = 0; i < 2 && m && typeof m === 'object' && 'default' in m; i++) m = m.default;
  if (Array.isArray(m)) return m;
  if (m && typeof m === 'object' && ('monitors' in m || 'alerts' in m)) return [...(m.monitors ?? []), ...(m.alerts ?? [])];
  if (m && typeof m === 'object' && 'kind' in m) return [m];
  if (m === undefined) throw new VigilError('VIGIL_ERR_PLUGIN_SHAPE', `plugin module ${source} has no default export`);
  return [];
}

function checkShape(p: any, source: string): Plugin {
  const bad = (what: string) => new VigilError('VIGIL_ERR_PLUGIN_SHAPE', `plugin from ${source}: ${what}`);
  if (!p || typeof p !== 'object') throw bad('is not an object');
  if (typeof p.name !== 'string' || !/^[a-z0-9][a-z0-9_.-]*(\/[a-z0-9][a-z0-9_.-]*)?$/.test(p.name)) {
    throw bad(`name ${JSON.stringify(p.name)} must be lowercase letters, digits, "-", "_" or ".", optionally "package/name"`);
  }
  if (p.kind !== 'monitor' && p.kind !== 'alert') throw bad(`"${p.name}" must have kind "monitor" or "alert"`);
  if (p.apiVersion !== 1) throw bad(`"${p.name}" has apiVersion ${JSON.stringify(p.apiVersion)}; this vigil supports apiVersion 1`);
  if (typeof p.create !== 'function') throw bad(`"${p.name}" has no create(options, context) function`);
  if (p.optionsSchema !== undefined && (typeof p.optionsSchema !== 'object' || p.optionsSchema === null)) {
    throw new VigilError('VIGIL_ERR_PLUGIN_SCHEMA', `plugin "${p.name}" from ${source}: optionsSchema must be a JSON Schema object`);
  }
  return p as Plugin;
}
