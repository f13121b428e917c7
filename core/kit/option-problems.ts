/**
 * @fileoverview For a plugin's `checkOptions`: runs the same pure code `create` runs
 * on its options (a URL parsed, a regex compiled) and turns its throw into a config
 * problem, so `vigil check` and a reload report it with file and line.
 */
import type { OptionProblem } from '../types.ts';

/** No problem when `build` returns; its message, at `option` when given, when it throws. */
export function problemsOf(build: () => unknown, option?: string): OptionProblem[] {
  try {
    build();
    return [];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return [option === undefined ? { message } : { option, message }];
  }
}
