/**
 * Status frames on /api/events are spaced by their own cost: a big snapshot (20,000
 * hosts: 4.4 MB) goes out at most at 1 MB/s and 2% of the time to build, never more
 * than 10 s apart, and a page that has not read the last one is skipped. Pure
 * spacing rule, then the hub on a real HTTP server with a fast and a stalled reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { EventEmitter } from 'node:events';
import { createSseHub, statusSpacingMs, type SseSource } from '../../core/control/sse.ts';
import type { StatusSnapshot } from '../../core/runtime.ts';

test('statusSpacingMs: the throttle for small frames; more for big or slow ones; at most 10 s', () => {
  assert.equal(statusSpacingMs(20_000, 1, 250), 250);
  assert.equal(Math.round(statusSpacingMs(4.4 * 1024 * 1024, 30, 250)), 4400, '4.4 MB at 1 MB/s');
  assert.equal(statusSpacingMs(1000, 100, 250), 5000, '100 ms to build: 2% of the time');
  assert.equal(statusSpacingMs(100 * 1024 * 1024, 1, 250), 10_000);
  assert.equal(statusSpacingMs(1000, 1, 15_000), 15_000, 'a throttle above the cap wins');
});

/** A source whose snapshot carries `bytes` of padding and that can say its state changed. */
function source(bytes: number) {
  const ee = new EventEmitter();
  const pad = 'x'.repeat(bytes);
  let n = 0;
  const src: SseSource = {
    status: () => ({ n: ++n, pad }) as unknown as StatusSnapshot,
    on: ((name: string, fn: (...a: any[]) => void) => (ee.on(name, fn), () => ee.off(name, fn))) as SseSource['on'],
  };
  return { src, changed: () => ee.emit('state') };
}

async function serve(hub: ReturnType<typeof createSseHub>) {
  const server = createServer((req, res) => hub.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

/** Emits a state change every 20 ms for `ms` (bounded). */
async function churn(changed: () => void, ms: number) {
  const end = Date.now() + ms;
  for (let i = 0; i < 1000 && Date.now() < end; i++) {
    changed();
    await new Promise((r) => setTimeout(r, 20));
  }
}

const statusFrames = (text: string) => text.split('\n').filter((l) => l === 'event: status').length;

/** A page reading the stream as fast as it comes: what it has read so far, and a way to leave. */
async function reader(port: number) {
  const ac = new AbortController();
  let text = '';
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: ac.signal });
  const reading = (async () => {
    for await (const chunk of res.body!) text += Buffer.from(chunk).toString();
  })().catch(() => {});
  return {
    text: () => text,
    async stop() {
      ac.abort();
      await reading;
    },
  };
}

test('a 1.5 MB snapshot is sent about every 1.5 s, not every 250 ms', { timeout: 20_000 }, async () => {
  const { src, changed } = source(1.5 * 1024 * 1024);
  const hub = createSseHub(src, { throttleMs: 250 });
  const { server, port } = await serve(hub);
  const page = await reader(port);
  try {
    await churn(changed, 4000);
    await new Promise((r) => setTimeout(r, 300));
    const frames = statusFrames(page.text());
    // On connect, then one per 1.5 s of changes: 3-5. Every 250 ms would be 17.
    assert.ok(frames >= 3 && frames <= 5, `status frames: ${frames}`);
  } finally {
    await page.stop();
    hub.close();
    server.close();
  }
});

test('a page that stopped reading is skipped, so frames do not pile up for it', { timeout: 30_000 }, async () => {
  // Frames bigger than what loopback's socket buffers hold, so a stalled reader shows.
  const FRAME = 4 * 1024 * 1024;
  const { src, changed } = source(FRAME);
  const hub = createSseHub(src, { throttleMs: 100 });
  let held: import('node:http').ServerResponse | undefined;
  const server = createServer((req, res) => ((held = res), hub.handle(req, res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  await new Promise((r) => sock.once('connect', r));
  sock.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  sock.pause(); // a stalled reader: nothing is read while state changes for 7 s
  try {
    await churn(changed, 7000);
    // Spaced 4 s apart, 2 more frames of 4 MB were due; vigil holds at most the one it was writing.
    assert.ok(held, 'the page connected');
    assert.ok(held.writableLength <= FRAME + 64 * 1024, `bytes queued for the stalled page: ${held.writableLength}`);
    // Closed first: what the page reads is only what was queued while it stalled (a
    // frame due after it resumes would be its due, not a pile-up).
    hub.close();
    let text = '';
    sock.on('data', (d) => (text += d.toString()));
    sock.resume();
    await new Promise((r) => setTimeout(r, 1500));
    const frames = statusFrames(text);
    assert.ok(frames >= 1 && frames <= 2, `status frames for the stalled page: ${frames}`);
  } finally {
    sock.destroy();
    hub.close();
    server.close();
  }
});

test('with no page open, state changes set no timer; a page that connects then gets frames as they change', { timeout: 10_000 }, async () => {
  const { src, changed } = source(10);
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const hub = createSseHub(src, { throttleMs: 50, heartbeatMs: 60_000 });
  const withHeartbeat = timers();
  for (let i = 0; i < 10; i++) changed();
  assert.equal(timers(), withHeartbeat, 'no status timer for nobody');
  assert.ok(withHeartbeat - before <= 1, 'only the heartbeat');

  const { server, port } = await serve(hub);
  const page = await reader(port);
  for (let i = 0; i < 100 && statusFrames(page.text()) < 1; i++) await new Promise((r) => setTimeout(r, 10));
  await churn(changed, 300);
  for (let i = 0; i < 100 && statusFrames(page.text()) < 2; i++) await new Promise((r) => setTimeout(r, 10));
  await page.stop();
  hub.close();
  server.close();
  const frames = statusFrames(page.text());
  assert.ok(frames >= 2, `the connect frame and at least one more (${frames})`);
});
