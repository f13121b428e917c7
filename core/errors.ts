/**
 * @fileoverview Every error vigil raises on purpose, each with a stable code.
 */
import type { Loc } from './model.ts';

export type ErrorCode =
  | 'VIGIL_ERR_CONFIG'
  | 'VIGIL_ERR_PLUGIN_LOAD'
  | 'VIGIL_ERR_PLUGIN_SHAPE'
  | 'VIGIL_ERR_PLUGIN_DUPLICATE'
  | 'VIGIL_ERR_PLUGIN_SCHEMA'
  | 'VIGIL_ERR_PLUGIN_UNKNOWN'
  | 'VIGIL_ERR_PLUGIN'
  | 'VIGIL_ERR_CHECK_TIMEOUT'
  | 'VIGIL_ERR_STORE';

export class VigilError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VigilError';
  }
}

/** One problem in a config file, with where it is. */
export interface ConfigProblem {
  loc?: Loc;
  /** JSON-pointer-like path of the offending key, e.g. `watches/web/services/http/interval`. */
  path?: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.loc ? `${p.loc.file}:${p.loc.line}${p.loc.column ? `:${p.loc.column}` : ''}: ` : '';
  const key = p.path ? `${p.path}: ` : '';
  return `${where}${key}${p.message}`;
}

/** A config that cannot be used; carries every problem found, not just the first. */
export class ConfigError extends VigilError {
  constructor(readonly problems: ConfigProblem[]) {
    super('VIGIL_ERR_CONFIG', problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

/** A plugin failed in one of its hooks; keeps the plugin's own error as `cause`. */
export class PluginError extends VigilError {
  constructor(
    readonly plugin: string,
    readonly hook: string,
    cause: unknown,
  ) {
    super('VIGIL_ERR_PLUGIN', `plugin "${plugin}" failed in ${hook}: ${errorMessage(cause)}`, { cause });
    this.name = 'PluginError';
  }
}

export class CheckTimeoutError extends VigilError {
  constructor(readonly timeoutMs: number) {
    super('VIGIL_ERR_CHECK_TIMEOUT', `check timed out after ${timeoutMs} ms`);
    this.name = 'CheckTimeoutError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
