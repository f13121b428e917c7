/**
 * @fileoverview Whether node itself was started with a V8 flag (its command line or
 * NODE_OPTIONS). vigil run's memory options step aside for the operator's own flags.
 */

/** True when a flag matching `pattern` (anchored at `--`) is on node's command line or in NODE_OPTIONS. */
export function nodeHasFlag(pattern: RegExp, execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => pattern.test(a));
}
