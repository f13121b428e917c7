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

/**
 * vigil is measured warm too: at 1,000 hosts (100 checks a second) its CPU per check
 * fell from 0.33-0.38 ms in its first 80 s to 0.19 after about 95 s, 9,500 checks
 * (fourteenth pass); from 5,000 hosts on, an interval is more than this.
 */
export const VIGIL_WARM_CHECKS = 10_000;

export function specsFor(o: { smoke: boolean; windowS?: number; only?: string[] }): ScenarioSpec[] {
  if (o.smoke) {
    return [{ kind: 'tcp', n: 200, groupSize: 50, intervalS: 1, timeoutS: 1, steadyS: 2, windowS: o.windowS ?? 4, kills: 4, bareS: 1, bareWarmS: 1, vigilWarmChecks: 0, forkChecks: 10 }];
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
    vigilWarmChecks: VIGIL_WARM_CHECKS,
    forkChecks: s.kind === 'null' ? 0 : 150,
  }));
}
