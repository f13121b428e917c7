/**
 * Fuzz: the YAML/JSON config loader (core/config/load.ts `checkConfig`) over
 * inputs mutated from examples/*.yaml and test/fixtures/config/*.yaml. It never
 * throws, never hangs, and every problem it reports names file:line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { checkConfig } from '../../core/config/load.ts';
import { catalogOf } from '../../core/engine/load.ts';
import { Registry } from '../../core/registry.ts';
import { mutatedText, YAML_TOKENS } from './mutate.ts';
import { report } from './report.ts';
import { SOAK } from './report.ts';

const yamlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(dir, f), 'utf8'));
const SEEDS = [...yamlFiles('examples'), ...yamlFiles('test/fixtures/config')];
const PER_INPUT_MS = 2000;
// A config, however broken, is reported as problems: never as a process warning on vigil's stderr.
const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

async function fuzzLoader(ext: 'yaml' | 'json', seeds: string[], runs: number, seed: number) {
  assert.ok(seeds.length >= 3, 'seed configs found');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-config-'));
  const file = join(dir, `vigil.${ext}`);
  const catalog = catalogOf(new Registry());
  let tried = 0;
  let rejected = 0;
  let slowest = 0;
  try {
    await fc.assert(
      fc.asyncProperty(mutatedText(seeds, YAML_TOKENS), async (text) => {
        tried++;
        writeFileSync(file, text);
        const t0 = performance.now();
        const r = await checkConfig(file, catalog); // a throw fails the property
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        assert.ok(ms < PER_INPUT_MS, `took ${Math.round(ms)} ms`);
        if (r.problems.length > 0) rejected++;
        assert.equal(r.config === undefined, r.problems.length > 0, 'a config is returned exactly when there are no problems');
        for (const p of r.problems) {
          assert.ok(p.loc, `problem without a location: ${p.message}`);
          assert.equal(p.loc.file, file, `problem names another file: ${p.loc.file}`);
          assert.ok(Number.isInteger(p.loc.line) && p.loc.line >= 1, `problem with line ${p.loc.line}: ${p.message}`);
          assert.ok(p.message.trim().length > 0, 'problem has a message');
        }
      }),
      { numRuns: runs, seed, endOnFailure: true },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(warnings, [], 'no process warnings while loading configs');
  report('fuzz', `config loader (${ext})`, `${tried} mutated inputs`, `0 crashes, 0 hangs (slowest ${Math.round(slowest)} ms), ${rejected} rejected all with file:line`);
}

test('config loader: mutated YAML never crashes or hangs and every problem has file:line', { timeout: 120_000 * SOAK }, async () => {
  await fuzzLoader('yaml', SEEDS, 800 * SOAK, 0x5eed1);
});

test('config loader: mutated JSON never crashes or hangs and every problem has file:line', { timeout: 120_000 * SOAK }, async () => {
  const json = SEEDS.flatMap((s) => {
    try {
      const v = parse(s, { merge: true });
      return v && typeof v === 'object' ? [JSON.stringify(v, null, 2)] : [];
    } catch {
      return [];
    }
  });
  await fuzzLoader('json', json, 300 * SOAK, 0x5eed2);
});

test('regression (found by the fuzzer): a map or list used as a key is a problem with its line, not a stringified key and a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-config-'));
  try {
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, 'state_dir: ./s\nwatches:\n  { web: 1 }: x\n');
    const r = await checkConfig(file, catalogOf(new Registry()));
    assert.deepEqual(r.problems.map((p) => [p.loc?.line, /plain name/.test(p.message)]), [[3, true]]);
    assert.deepEqual(warnings, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
