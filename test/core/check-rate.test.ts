import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checksPerSecond } from '../../core/engine/check-rate.ts';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `10.0.0.${i}`);

test('checks a second: hosts over the interval for host plugins, once per group for group plugins', () => {
  assert.equal(
    checksPerSecond([
      { model: { intervalMs: 10_000 }, groupHosts: hosts(100), plugin: {} },
      { model: { intervalMs: 10_000 }, groupHosts: hosts(100), plugin: { scope: 'host' } },
      { model: { intervalMs: 500 }, groupHosts: hosts(40), plugin: { scope: 'group' } },
    ]),
    10 + 10 + 2,
  );
});

test('cron, trap-only and empty configs ask for no checks on an interval', () => {
  assert.equal(checksPerSecond([]), 0);
  assert.equal(
    checksPerSecond([
      { model: { cron: '*/5 * * * *', intervalMs: 1000 }, groupHosts: hosts(10) },
      { model: {}, groupHosts: hosts(10) },
    ]),
    0,
  );
});
