/**
 * @fileoverview `vigil run --young-generation MIB`: a cap on V8's young generation
 * (where new objects are made, two equal halves). V8 doubles it, up to 32 MiB, in
 * any process that keeps allocating, and never gives it back while the rate stays
 * up; an idle vigil keeps 1-2 MiB. At 5,000 hosts the difference alone is 6 KiB a
 * host. The cap costs a few more young collections a second, each as cheap as the
 * objects alive in it (a check in flight).
 *
 * How: V8 takes the young generation's maximum only from node's command line
 * (`--max-semi-space-size`), but it reads its growth factor at every growth. So
 * after each collection this watches the size and sets the factor to 1 once
 * doubling would pass the cap, and back to 2 (V8's default) if V8 shrank it.
 * Collections are reported after the task that ran them, and loading the code and
 * then 20,000 hosts would double it several times unseen: so it stays at V8's
 * initial 1 MiB (bin/vigil.js holds it from its first line, and again once tsx's
 * loader thread is up: a worker thread starting resets the factor) until
 * `release()`, called once started. `--max-semi-space-size` given to node (command line or
 * NODE_OPTIONS) wins, as does 0.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { UsageError } from './args.ts';
import { nodeHasFlag } from './node-flags.ts';

/** MiB for both halves (V8's own maximum is 32), or sized by the hosts checked. */
export type YoungGeneration = number | 'auto';
export const DEFAULT_YOUNG_GENERATION: YoungGeneration = 'auto';

/** Parses the option's value; throws a message for the operator when it is not auto, 0 or 2-64. */
export function parseYoungGeneration(value: string): YoungGeneration {
  if (value === 'auto') return 'auto';
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n === 0 || (n >= 2 && n <= 64))) {
    throw new UsageError(`--young-generation ${value}: give whole MiB from 2 to 64, auto (2 to 8 MiB by the hosts checked), or 0 for V8's own sizing (up to 32 MiB)`);
  }
  return n;
}

/** The most `auto` gives, by the hosts or by what survives (young-survival.ts). */
export const AUTO_MAX_MIB = 8;

/** About 400 bytes a host: 2 MiB below 10,000 hosts, 4 below 20,000, 8 from there. */
const AUTO_BYTES_PER_HOST = 420;

/**
 * `auto`: a young generation of 8 MiB serves 2,000 checks a second at one young
 * collection a second; at a few thousand hosts it would be most of vigil's memory
 * above the empty process, so it shrinks with the hosts (a power of two, as V8 sizes it).
 */
export function youngGenerationForHosts(hosts: number): number {
  let mib = 2;
  while (mib < AUTO_MAX_MIB && mib * 2 * 1024 * 1024 <= hosts * AUTO_BYTES_PER_HOST) mib *= 2;
  return mib;
}

/** V8's growth factor for a young generation of `size` bytes under a cap of `cap` bytes. */
export function growthFactorFor(size: number, cap: number): 1 | 2 {
  return size * 2 > cap ? 1 : 2;
}

/** True when node was started with its own young-generation size. */
export function nodeSetsYoungGeneration(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return nodeHasFlag(/^--((max|min)[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor)/, execArgv, nodeOptions);
}

/** Keeps the young generation at its present size until a cap is released (bin/vigil.js, before the code loads). */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

export interface YoungGenerationCap {
  /** Start-up is over: let it grow, up to the cap. */
  release(): void;
  /** A new cap in MiB (auto after a reload). V8 does not shrink it at once if it is over. */
  setCap(mib: number): void;
  stop(): void;
}

/**
 * Caps the young generation at `mib` MiB from now on. Undefined when it is not
 * done: 0 asked for, or node's command line sizes it already.
 */
export function capYoungGeneration(
  mib: number,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): YoungGenerationCap | undefined {
  if (mib === 0 || nodeSetsYoungGeneration(execArgv, nodeOptions)) {
    setFlagsFromString('--semi-space-growth-factor=2'); // undo bin/vigil.js's hold
    return undefined;
  }
  let cap = mib * 1024 * 1024;
  const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  let factor = 2;
  let holding = true;
  const adjust = () => {
    const want = holding ? 1 : growthFactorFor(size(), cap);
    if (want === factor) return;
    factor = want;
    setFlagsFromString(`--semi-space-growth-factor=${want}`);
  };
  adjust();
  const observer = new PerformanceObserver(adjust);
  observer.observe({ entryTypes: ['gc'] });
  return {
    release() {
      holding = false;
      adjust();
    },
    setCap(next) {
      cap = next * 1024 * 1024;
      adjust();
    },
    stop() {
      observer.disconnect();
      if (factor !== 2) setFlagsFromString('--semi-space-growth-factor=2');
      factor = 2;
    },
  };
}
