/**
 * @fileoverview The benchmark's scenarios: the full set (`npm run bench`), a subset
 * (`--only`), or the smoke run CI does, each with its windows and references.
 */
import type { ScenarioSpec } from './scenario.ts';

export const FULL: Array<Pick<ScenarioSpec, 'kind' | 'n'>> = [
  { kind: 'tcp', n: 1000 },
  { kind: 'tcp', n: 5000 },
  { kind: 'tcp', n: 20000 },
  { kind: 'http', n: 1000 },
  { kind: 'http', n: 5000 },
  { kind: 'http', n: 20000 },
  // dns at two sizes, so its memory per added host can be read apart from the fixed cost.
  { kind: 'dns', n: 1000 },
  { kind: 'dns', n: 5000 },
  // The framework alone: no sockets, no references, no kills.
  { kind: 'null', n: 20000 },
];

/**
 * The bare loop is measured warm, as vigil is (it has run an interval and more):
 * at least 5 s and 2,500 probes before its window, so that at 100 probes a second
 * its code is optimised too (500 probes left it cold).
 */
export function bareWarmS(n: number, intervalS: number): number {
  return Math.max(5, Math.ceil(2500 / (n / intervalS)));
}

export function specsFor(o: { smoke: boolean; windowS?: number; only?: string[] }): ScenarioSpec[] {
  if (o.smoke) {
    return [{ kind: 'tcp', n: 200, groupSize: 50, intervalS: 1, timeoutS: 1, steadyS: 2, windowS: o.windowS ?? 4, kills: 4, bareS: 1, bareWarmS: 1, forkChecks: 10 }];
  }
  const windowS = o.windowS ?? 40;
  return FULL.filter((s) => !o.only || o.only.includes(`${s.kind}-${s.n}`)).map((s) => ({
    ...s,
    groupSize: 100,
    intervalS: 10,
    // DNS targets that die stay silent: the timeout decides; TCP/HTTP refuse at once.
    timeoutS: s.kind === 'dns' ? 2 : 3,
    // Two intervals with every target alive: the CPU compared with the bare loop.
    steadyS: 20,
    windowS,
    kills: s.kind === 'null' ? 0 : 40,
    bareS: s.kind === 'null' ? 0 : 10,
    bareWarmS: s.kind === 'null' ? 0 : bareWarmS(s.n, 10),
    forkChecks: s.kind === 'null' ? 0 : 150,
  }));
}
