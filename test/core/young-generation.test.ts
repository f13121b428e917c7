/**
 * `vigil run --young-generation MIB`: the option, the growth decision, and the cap
 * itself in a child node that allocates hard (V8's young generation is sized per
 * process, so this test process keeps V8's defaults).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { growthFactorFor, nodeSetsYoungGeneration, parseYoungGeneration, youngGenerationForHosts } from '../../core/cli/young-generation.ts';

const REPO = new URL('../..', import.meta.url).pathname;
const MiB = 1024 * 1024;

test('--young-generation takes auto, 0 or whole MiB from 2 to 64 and says so otherwise', () => {
  assert.equal(parseYoungGeneration('8'), 8);
  assert.equal(parseYoungGeneration('0'), 0);
  assert.equal(parseYoungGeneration('auto'), 'auto');
  for (const bad of ['1', '65', '2.5', 'big', '', '-4', 'Auto']) assert.throws(() => parseYoungGeneration(bad), /give whole MiB from 2 to 64, auto \(2 to 8 MiB by the hosts checked\), or 0/);
});

test('auto: 2 MiB below 10,000 hosts checked, 4 below 20,000, 8 from there, never more', () => {
  assert.equal(youngGenerationForHosts(0), 2);
  assert.equal(youngGenerationForHosts(1), 2);
  assert.equal(youngGenerationForHosts(5000), 2);
  assert.equal(youngGenerationForHosts(9000), 2);
  assert.equal(youngGenerationForHosts(10000), 4);
  assert.equal(youngGenerationForHosts(19000), 4);
  assert.equal(youngGenerationForHosts(20000), 8);
  assert.equal(youngGenerationForHosts(1_000_000), 8);
});

test('growth stops once doubling would pass the cap, and starts again below it', () => {
  assert.equal(growthFactorFor(2 * MiB, 8 * MiB), 2);
  assert.equal(growthFactorFor(4 * MiB, 8 * MiB), 2, '4 doubles to exactly 8');
  assert.equal(growthFactorFor(8 * MiB, 8 * MiB), 1);
  assert.equal(growthFactorFor(16 * MiB, 8 * MiB), 1, 'already over: no more growth');
  assert.equal(growthFactorFor(4 * MiB, 6 * MiB), 1, 'a cap between two sizes stops at the lower one');
});

test("node's own young-generation flags win, from the command line or NODE_OPTIONS", () => {
  assert.equal(nodeSetsYoungGeneration(['--import', 'tsx'], undefined), false);
  assert.equal(nodeSetsYoungGeneration(['--max-semi-space-size=16'], undefined), true);
  assert.equal(nodeSetsYoungGeneration([], '--max-old-space-size=512 --max_semi_space_size=4'), true);
  assert.equal(nodeSetsYoungGeneration([], '--semi-space-growth-factor=4'), true);
  assert.equal(nodeSetsYoungGeneration([], '--max-old-space-size=512'), false);
});

// Allocates about 400 MB with some survivors, which grows an uncapped young
// generation to V8's 32 MiB within a second; prints the largest size seen.
const CHILD = (mib: number, release = true) => `
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
setFlagsFromString('--semi-space-growth-factor=1'); // as bin/vigil.js does for run
const { capYoungGeneration } = await import('./core/cli/young-generation.ts');
const cap = capYoungGeneration(${mib}, [], undefined);
if (${release}) cap?.release();
const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
let largest = 0;
const keep = [];
for (let round = 0; round < 400; round++) {
  for (let i = 0; i < 2000; i++) { const o = { a: new Array(16).fill(round) }; if (i % 40 === 0) keep.push(o); }
  if (keep.length > 20000) keep.splice(0, 10000);
  largest = Math.max(largest, size());
  await new Promise((r) => setImmediate(r));
}
cap?.stop();
console.log(JSON.stringify({ capped: cap !== undefined, largest }));
`;

function largestYoung(mib: number, release = true): { capped: boolean; largest: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD(mib, release)], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as { capped: boolean; largest: number };
}

test('the cap holds the young generation at its size while the process allocates; 0 leaves V8 its 32 MiB', () => {
  const capped = largestYoung(8);
  assert.equal(capped.capped, true);
  assert.ok(capped.largest <= 8 * MiB, `young generation reached ${capped.largest / MiB} MiB under an 8 MiB cap`);
  const free = largestYoung(0);
  assert.equal(free.capped, false);
  assert.ok(free.largest > 8 * MiB, `uncapped, it reached only ${free.largest / MiB} MiB: the load does not show the cap`);
});

test('until start-up is over (release) it stays at the size it had, whatever the load', () => {
  const held = largestYoung(8, false);
  assert.equal(held.capped, true);
  assert.ok(held.largest <= 4 * MiB, `young generation grew to ${held.largest / MiB} MiB while held`);
});

test('vigil run refuses a bad --young-generation with exit 2 before starting', () => {
  const r = spawnSync(process.execPath, ['bin/vigil.js', 'run', '-c', 'examples/quickstart.yaml', '--young-generation', '1'], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /vigil: --young-generation 1: give whole MiB from 2 to 64, auto \(2 to 8 MiB by the hosts checked\), or 0/);
});

// Watches the young generation of the process it is loaded into (the main thread only),
// every 2 ms, and writes the largest size seen when the process exits.
const WATCH = `
import { getHeapSpaceStatistics } from 'node:v8';
import { writeFileSync } from 'node:fs';
let largest = 0;
const look = () => { largest = Math.max(largest, getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size); };
setInterval(look, 2).unref();
process.on('exit', () => { look(); writeFileSync(process.env.YOUNG_OUT, String(largest)); });
`;

test('vigil run keeps the young generation at its start size while its code loads (tsx starting its loader thread sets V8 back)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-young-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'watch.mjs'), WATCH);
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ${join(dir, 'state')}\ncontrol: { listen: "127.0.0.1:0" }\nhostgroups:\n  g: [127.0.0.1]\nwatches:\n  g:\n    services:\n      tcp:\n        interval: 60s\n        monitor: { plugin: tcp, port: 9 }\n        periods: [{ when: always, alerts: [{ plugin: log }] }]\n`,
  );
  const out = join(dir, 'young');
  // The cap at 2 MiB is V8's start size: nothing may grow it, during start-up or after.
  const child = spawn(process.execPath, ['--import', join(dir, 'watch.mjs'), 'bin/vigil.js', 'run', '-c', join(dir, 'vigil.yaml'), '--young-generation', '2'], {
    cwd: REPO,
    env: { ...process.env, YOUNG_OUT: out },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil did not start within 30 s:\n${log}`)), 30_000);
    const seen = (b: Buffer) => {
      log += b;
      if (log.includes('vigil started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await started;
  child.kill('SIGTERM');
  await exited;
  const largest = Number(readFileSync(out, 'utf8'));
  assert.ok(largest > 0);
  assert.ok(largest <= 2 * MiB, `young generation reached ${largest / MiB} MiB in vigil run under a 2 MiB cap`);
});
