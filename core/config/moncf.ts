/**
 * @fileoverview Placeholder for the mon.cf reader (another engineer replaces it with
 * the real one). It keeps `vigil run -c mon.cf` failing with a clear message meanwhile.
 */
import type { Config } from '../model.ts';
import { ConfigError } from '../errors.ts';

export async function readMonCf(file: string): Promise<Config> {
  throw new ConfigError([{ loc: { file, line: 1 }, message: 'mon.cf support is not built yet; convert the file to vigil.yaml by hand for now (see docs/config.md)' }]);
}
