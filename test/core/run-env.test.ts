import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RUN_ENV, withRunEnv } from '../../core/cli/run-env.ts';

test("vigil's run environment fills glibc's malloc settings and leaves an operator's own value", () => {
  assert.equal(withRunEnv({ PATH: '/bin' }).MALLOC_ARENA_MAX, '2');
  assert.equal(withRunEnv({ PATH: '/bin' }).MALLOC_MMAP_THRESHOLD_, '32768');
  assert.equal(withRunEnv({ MALLOC_MMAP_THRESHOLD_: '131072' }).MALLOC_MMAP_THRESHOLD_, '131072');
  assert.equal(withRunEnv({ PATH: '/bin' }).PATH, '/bin');
  assert.equal(withRunEnv({ MALLOC_ARENA_MAX: '4' }).MALLOC_ARENA_MAX, '4');
});

test('the systemd unit in docs/api.md sets the same environment', () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  for (const [k, v] of Object.entries(RUN_ENV)) assert.match(doc, new RegExp(`^Environment=${k}=${v}$`, 'm'));
});
