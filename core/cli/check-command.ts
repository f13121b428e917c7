/**
 * @fileoverview `vigil check -c FILE`: every problem of a config, with file:line:column.
 */
import { Registry } from '../registry.ts';
import { formatProblem } from '../errors.ts';
import { checkEngineConfig } from '../engine/load.ts';
import { CONFIG_OPTION, parse, requireConfig, withUsage } from './args.ts';

const USAGE = `Usage: vigil check -c FILE

Validates FILE (vigil.yaml, JSON, or a mon.cf) and every plugin's options.
Prints each problem as FILE:LINE:COLUMN: KEY: what is wrong, then notes on
where vigil deliberately behaves differently from mon. Exit status 0 when the
config can run, 1 when it has problems.`;

export function checkCommand(argv: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parse(argv, CONFIG_OPTION, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const file = requireConfig(values, USAGE);
    const { problems, notes } = await checkEngineConfig(file, new Registry());
    for (const n of notes) console.log(`note: ${formatProblem({ loc: n.loc, message: n.message })}`);
    if (problems.length) {
      for (const p of problems) console.log(formatProblem(p));
      console.log(`\n${problems.length} problem${problems.length === 1 ? '' : 's'} in ${file}; nothing was started.`);
      return 1;
    }
    console.log(`${file}: OK`);
    return 0;
  });
}
