/**
 * @fileoverview Finding a program the way mon finds its scripts: an absolute path
 * as it is, else the first directory of a colon-separated search path that holds
 * an executable file of that name. Part of the plugin API (see core/kit/run-process.ts).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** `"a:/b:c"` -> absolute directories; relative entries are taken from `baseDir`. Empty entries are dropped. */
export function splitSearchPath(spec: string, baseDir: string): string[] {
  return spec
    .split(':')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map((d) => resolve(baseDir, d));
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of `name`: absolute names are returned as they are; names with a
 * slash are taken from `baseDir`; bare names are looked up in `dirs` in order.
 * Undefined when no executable file is found.
 */
export function findProgram(name: string, dirs: readonly string[], baseDir: string): string | undefined {
  if (isAbsolute(name)) return isExecutableFile(name) ? name : undefined;
  if (name.includes('/')) {
    const p = resolve(baseDir, name);
    return isExecutableFile(p) ? p : undefined;
  }
  for (const dir of dirs) {
    const p = join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}

/** The directories of $PATH (for plugins that fall back to it). */
export function envPathDirs(): string[] {
  return (process.env.PATH ?? '').split(':').filter((d) => d !== '' && isAbsolute(d));
}
