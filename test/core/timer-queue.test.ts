import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerQueue } from '../../core/timer-queue.ts';
import { Limiter } from '../../core/limiter.ts';

test('timer queue fires in due order with one armed timer, and honours cancel', async () => {
  const fired: string[] = [];
  const q = new TimerQueue<string>((v) => fired.push(v));
  const t0 = Date.now();
  q.schedule(t0 + 60, 'c');
  q.schedule(t0 + 20, 'a');
  const h = q.schedule(t0 + 40, 'x');
  q.schedule(t0 + 40, 'b');
  h.cancel();
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(fired, ['a', 'b', 'c']);
  q.stop();
});

test('timer queue handles 10,000 entries in order', async () => {
  const fired: number[] = [];
  const q = new TimerQueue<number>((v) => fired.push(v));
  const t0 = Date.now();
  for (let i = 0; i < 10_000; i++) q.schedule(t0 + ((i * 7919) % 50), (i * 7919) % 50);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(fired.length, 10_000);
  for (let i = 1; i < fired.length; i++) assert.ok(fired[i - 1]! <= fired[i]!);
  q.stop();
});

test('limiter keeps at most max in flight and serves waiters in order', async () => {
  const lim = new Limiter(2);
  let active = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const release = await lim.acquire();
      active++;
      peak = Math.max(peak, active);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      release();
    }),
  );
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(lim.inFlight, 0);
});

test('limiter with max 0 is unlimited', async () => {
  const lim = new Limiter(0);
  const rs = await Promise.all(Array.from({ length: 50 }, () => lim.acquire()));
  assert.equal(lim.inFlight, 50);
  rs.forEach((r) => r());
  assert.equal(lim.inFlight, 0);
});
