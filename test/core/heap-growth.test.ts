import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { limitHeapGrowth, parseHeapGrowth } from '../../core/cli/heap-growth.ts';

const REPO = new URL('../..', import.meta.url).pathname;

test('--heap-growth takes a whole percent from 0 to 400 and says so otherwise', () => {
  assert.equal(parseHeapGrowth('50'), 50);
  assert.equal(parseHeapGrowth('0'), 0);
  for (const bad of ['401', '1.5', 'lots', '', '-5']) assert.throws(() => parseHeapGrowth(bad), /give a whole number of percent from 0 to 400/);
});

test('--heap-growth 0 leaves V8 its own policy: nothing is set', () => {
  assert.equal(limitHeapGrowth(0, []), false);
});

test("node's own --heap-growing-percent wins over --heap-growth", () => {
  assert.equal(limitHeapGrowth(50, ['--heap-growing-percent=20']), false);
  assert.equal(limitHeapGrowth(50, ['--import', 'tsx', '--heap_growing_percent=80']), false);
  // In a child, so this test process keeps V8's defaults; V8 accepts the flag at run time.
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', `
    import('./core/cli/heap-growth.ts').then((m) => console.log(JSON.stringify({ set: m.limitHeapGrowth(50, []) })));`], { cwd: REPO, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim()), { set: true });
});

test('vigil run refuses a bad --heap-growth with exit 2 before starting', () => {
  const r = spawnSync(process.execPath, ['bin/vigil.js', 'run', '-c', 'examples/quickstart.yaml', '--heap-growth', 'lots'], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /vigil: --heap-growth lots: give a whole number of percent from 0 to 400/);
});
