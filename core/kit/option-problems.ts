/**
 * @fileoverview For a plugin's `checkOptions`: runs the same pure code `create` runs
 * on its options (a URL parsed, a regex compiled) and turns its throw into a config
 * problem, so `vigil check` and a reload report it with file and line.
 */
import type { OptionProblem } from '../types.ts';

function problemFrom(err: unknown, option: string | undefined): OptionProblem[] {
  const message = err instanceof Error ? err.message : String(err);
  return [option === undefined ? { message } : { option, message }];
}

/** No problem when `build` returns; its message, at `option` when given, when it throws. */
export function problemsOf(build: () => unknown, option?: string): OptionProblem[] {
  try {
    build();
    return [];
  } catch (err) {
    return problemFrom(err, option);
  }
}

/** The same for code that answers with a promise (a normaliser that would resolve names). */
export function problemsOfAsync(build: () => Promise<unknown>, option?: string): Promise<OptionProblem[]> {
  return build().then(
    () => [],
    (err) => problemFrom(err, option),
  );
}
