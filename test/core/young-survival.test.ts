/**
 * `--young-generation auto` learning from what survives: the sums over V8's GC
 * profiler entries, the rule, the whole of it on a real V8 in a child node (one
 * whose allocations outlive a small young generation, one whose do not), and
 * `vigil run` growing it under a monitor whose checks in flight do not fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GCProfilerResult } from 'node:v8';
import { GROW_ABOVE, GrowthRule, MIN_SCAVENGES, survivedShare, youngSurvival } from '../../core/cli/young-survival.ts';

const REPO = new URL('../..', import.meta.url).pathname;
type Entry = GCProfilerResult['statistics'][number];

function side(newUsed: number, oldUsed: number): Entry['beforeGC'] {
  const space = (spaceName: string, spaceUsedSize: number) => ({ spaceName, spaceUsedSize, spaceSize: 0, spaceAvailableSize: 0, physicalSpaceSize: 0 });
  return { heapStatistics: {} as Entry['beforeGC']['heapStatistics'], heapSpaceStatistics: [space('new_space', newUsed), space('old_space', oldUsed), space('code_space', 123)] };
}

function gc(gcType: string, before: [number, number], after: [number, number]): Entry {
  return { gcType, cost: 500, beforeGC: side(...before), afterGC: side(...after) };
}

test('survival sums what young collections found and what stayed in new space or was promoted; full collections are left out', () => {
  const s = youngSurvival([
    gc('Scavenge', [1000, 50_000], [300, 50_200]), // 300 kept + 200 promoted of 1000
    gc('MarkSweepCompact', [400, 60_000], [0, 20_000]),
    gc('Scavenge', [2000, 20_000], [100, 19_000]), // the old space shrank (swept): nothing promoted
  ]);
  assert.deepEqual(s, { scavenges: 2, seenBytes: 3000, survivedBytes: 600 });
  assert.equal(survivedShare(s), undefined, `${s.scavenges} young collections are too few to tell`);
  const busy = youngSurvival(Array.from({ length: MIN_SCAVENGES }, () => gc('Scavenge', [1000, 0], [500, 100])));
  assert.equal(survivedShare(busy), 0.6);
});

test('the cap is doubled after two busy windows in a row over the line; a window under it starts the count again, a quiet one does not', () => {
  const r = new GrowthRule();
  const over = GROW_ABOVE + 0.2;
  const under = GROW_ABOVE - 0.2;
  assert.equal(r.observe(over), false);
  assert.equal(r.observe(under), false);
  assert.equal(r.observe(over), false);
  assert.equal(r.observe(undefined), false, 'a quiet window');
  assert.equal(r.observe(over), true, 'second busy window over the line');
  assert.equal(r.observe(over), false, 'counting starts again after a doubling');
  assert.equal(r.observe(over), true);
  assert.equal(r.observe(GROW_ABOVE), false, 'at the line is not over it');
});

// Runs auto on a cap that records what it is told (the cap's own hold on V8 is
// young-generation.test.ts's), sized for 15,000 hosts (4 MiB), learning in windows of
// 200 ms from this child's real collections while it allocates for about 4 s: each
// object lives while `live` more are made (3,000 of about 1 KB outlive a 2 MiB half;
// 10 do not). The child's young generation is held at its size (4 MiB once tsx has
// loaded). Prints the caps set and the growths reported.
const CHILD = (live: number) => `
import { setFlagsFromString } from 'node:v8';
setFlagsFromString('--semi-space-growth-factor=1');
const { autoYoungGeneration } = await import('./core/cli/young-survival.ts');
const caps = [];
const grown = [];
const cap = { setCap: (mib) => caps.push(mib), release() {}, stop() {} };
const auto = autoYoungGeneration(cap, (mib, s) => grown.push({ mib, share: s.survivedBytes / s.seenBytes }), 200);
auto.size(15000);
const ring = new Array(${live});
const until = Date.now() + 4000;
for (let i = 0; Date.now() < until; i++) {
  ring[i % ring.length] = new Array(120).fill(i);
  if (i % 500 === 0) await new Promise((r) => setImmediate(r));
}
auto.stop();
console.log(JSON.stringify({ caps, grown }));
`;

function learn(live: number): { caps: number[]; grown: Array<{ mib: number; share: number }> } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD(live)], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as ReturnType<typeof learn>;
}

test('auto doubles the cap when young collections keep most of what they see, up to 8 MiB', () => {
  const r = learn(3000);
  assert.deepEqual(r.caps, [4, 8], 'sized for 15,000 hosts, then doubled once to the most auto gives');
  assert.equal(r.grown.length, 1);
  assert.equal(r.grown[0]!.mib, 8);
  assert.ok(r.grown[0]!.share > GROW_ABOVE, `reported share ${r.grown[0]!.share}`);
});

test('auto leaves alone a young generation whose objects die young', () => {
  const r = learn(10);
  assert.deepEqual(r.caps, [4]);
  assert.deepEqual(r.grown, []);
});

// A third-party monitor that holds about 55 KB while each check runs (50 ms): a
// service run of 100 such checks does not fit in a 2 MiB young generation.
const HOLDER = `
export default {
  kind: 'monitor',
  name: 'holder',
  apiVersion: 1,
  description: 'test: holds about 55 KB while a check runs',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create() {
    return {
      async check() {
        const held = [];
        for (let i = 0; i < 100; i++) held.push(new Array(128).fill(i));
        await new Promise((r) => setTimeout(r, 50));
        return { ok: held.length === 100, summary: 'ok' };
      },
    };
  },
};
`;

test('vigil run grows its young generation and says so when a service run of checks in flight does not fit in it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-survival-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'holder.mjs'), HOLDER);
  const hosts = Array.from({ length: 100 }, (_, i) => `127.0.1.${i + 1}`).join(', ');
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ${join(dir, 'state')}\ncontrol: { listen: "127.0.0.1:0" }\nplugins: [${join(dir, 'holder.mjs')}]\nhostgroups:\n  g: [${hosts}]\nwatches:\n  g:\n    services:\n      held:\n        interval: 1s\n        monitor: { plugin: holder }\n        periods: [{ when: always, alerts: [{ plugin: log }] }]\n`,
  );
  const child = spawn(process.execPath, ['bin/vigil.js', 'run', '-c', join(dir, 'vigil.yaml'), '--json-log'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let log = '';
  const grown = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "young generation grown" within 60 s:\n${log.slice(-3000)}`)), 60_000);
    // The JSON log is on stderr; only whole lines are read (a chunk may end mid-line).
    child.stderr.on('data', (b: Buffer) => {
      log += b;
      const line = log.split('\n').slice(0, -1).find((l) => l.includes('young generation grown'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.stdout.resume();
  });
  assert.equal(grown.youngGenerationMiB, 4, 'from the 2 MiB sized for 100 hosts');
  assert.ok((grown.survivedPercent as number) > GROW_ABOVE * 100, `survived ${grown.survivedPercent}%`);
  assert.match(log, /"youngGenerationMiB":2\b/, 'sized by the hosts first');
});
