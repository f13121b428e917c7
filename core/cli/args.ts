/**
 * @fileoverview Shared argument parsing for subcommands (node:util parseArgs),
 * with errors an operator can act on.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
  }
}

/** Runs a subcommand body, turning UsageError into exit code 2 with the usage text. */
export async function withUsage(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`vigil: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;

export function requireConfig(values: { config?: string | boolean }, usage: string): string {
  if (typeof values.config !== 'string' || !values.config) throw new UsageError(`which config? Give it with -c FILE\n\n${usage}`);
  return values.config;
}
