/**
 * @fileoverview Reads a mon.cf (or a `.m4` one through m4) into vigil's model,
 * with file:line on every item and notes where vigil deliberately differs from
 * mon. The result then goes through the same validation as a native config.
 */
import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type { Config } from '../model.ts';
import { ConfigError } from '../errors.ts';
import { logicalLines } from './moncf-lexer.ts';
import { parseMonCf } from './moncf-parse.ts';
import { resolveMonCf } from './moncf-resolve.ts';

/** Parses mon.cf text (already through m4 if needed) without touching the validation of plugin options. */
export function monCfToModel(text: string, file: string): Config {
  const parse = parseMonCf(logicalLines(text), file);
  if (parse.problems.length > 0) throw new ConfigError(parse.problems);
  return resolveMonCf(parse, file);
}

export async function readMonCf(file: string): Promise<Config> {
  const abs = resolve(file);
  const text = abs.endsWith('.m4') ? await runM4(abs) : await readFile(abs, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ConfigError([{ loc: { file: abs, line: 0 }, message: `cannot read the mon config: ${err.code ?? err.message}` }]);
  });
  return monCfToModel(text, abs);
}

/** mon pipes `.m4` configs through `m4 FILE`; so do we, with an argument array (no shell). */
function runM4(file: string): Promise<string> {
  return new Promise((ok, fail) => {
    execFile('m4', [file], { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) return ok(stdout);
      const e = err as NodeJS.ErrnoException;
      const message =
        e.code === 'ENOENT'
          ? 'this is an .m4 config and m4 is not installed: install it (apt-get install m4) or run "m4 FILE > mon.cf" elsewhere'
          : `m4 failed on the config: ${String(stderr).trim() || e.message}`;
      fail(new ConfigError([{ loc: { file, line: 0 }, message }]));
    });
  });
}
