/**
 * @fileoverview Loads a config for the engine: third-party plugin modules named
 * in it first, then the config itself validated against every plugin's schema.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Config } from '../model.ts';
import type { Registry } from '../registry.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import { checkConfig, loadConfig, type PluginCatalog } from '../config/load.ts';

export function catalogOf(registry: Registry): PluginCatalog {
  return {
    schema: (kind, name) => registry.schema(kind, name),
    names: async (kind) => registry.names(kind),
    optionProblems: (kind, name, options, hosts) => registry.optionProblems(kind, name, options, hosts),
  };
}

/** Loads the `plugins:` modules of a YAML/JSON config into the registry (mon.cf has none). */
export async function loadPluginModules(file: string, registry: Registry): Promise<void> {
  const abs = resolve(file);
  if (/\.(cf|m4)$/.test(abs)) return;
  const text = await readFile(abs, 'utf8');
  // Read twice at start (here, then with positions): skipped when no key can be `plugins`,
  // and JSON.parse for JSON; a 20,000-host config as a YAML document costs about 30 MB.
  if (!text.includes('plugins')) return;
  let specs: unknown;
  try {
    specs = (plainValue(abs, text) as { plugins?: unknown } | null)?.plugins;
  } catch {
    return; // the loader reports syntax errors with their position
  }
  if (!Array.isArray(specs)) return;
  try {
    await registry.loadModules(specs.filter((s): s is string => typeof s === 'string'), abs);
  } catch (err) {
    throw new ConfigError([{ loc: { file: abs, line: 1 }, path: 'plugins', message: errorMessage(err) }]);
  }
}

function plainValue(file: string, text: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch {
      // not strict JSON: YAML reads the rest
    }
  }
  return parseYaml(text, { merge: true });
}

export async function loadEngineConfig(file: string, registry: Registry): Promise<Config> {
  await loadPluginModules(file, registry);
  return loadConfig(resolve(file), catalogOf(registry));
}

export async function checkEngineConfig(file: string, registry: Registry) {
  try {
    await loadPluginModules(file, registry);
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems, notes: [] };
    throw err;
  }
  return checkConfig(resolve(file), catalogOf(registry));
}
