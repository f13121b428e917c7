import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { limitHeapGrowth } from '../../core/cli/heap-growth.ts';

test("the daemon limits V8's heap growth unless node was given its own --heap-growing-percent", () => {
  assert.equal(limitHeapGrowth(['--heap-growing-percent=20']), false);
  assert.equal(limitHeapGrowth(['--import', 'tsx', '--heap_growing_percent=80']), false);
  // In a child, so this test process keeps V8's defaults; V8 accepts the flag at run time.
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', `
    import('./core/cli/heap-growth.ts').then((m) => console.log(JSON.stringify({ set: m.limitHeapGrowth([]) })));`],
    { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim()), { set: true });
});
