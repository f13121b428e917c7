/**
 * @fileoverview Cost of a burst of alert deliveries through the outbox on the
 * real disk: N deliveries to a no-op alert, dispatched in events of 100 targets
 * (one enqueue commit each), then delivered. Prints wall time, commits implied
 * and the longest event-loop stall. Run: node --import tsx test/bench/outbox-burst.ts [N] [dir]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createDispatcher } from '../../core/dispatcher.ts';
import { openStore } from '../../core/store.ts';
import { silentLogger } from '../../core/log.ts';
import type { Alert, AlertEvent } from '../../core/types.ts';

const N = Number(process.argv[2] ?? 5000);
// Default under the repo's .cache, on the real disk (a tmpfs would hide the fsync cost).
const base = process.argv[3] ?? join(process.cwd(), '.cache');
mkdirSync(base, { recursive: true });
const PER_EVENT = 100;

const dir = mkdtempSync(join(base, 'outbox-burst-'));
const store = openStore(dir);
let sent = 0;
const alert: Alert = { async send() { sent++; } };
const d = createDispatcher({ store, resolve: () => ({ plugin: 'noop', alert }), log: silentLogger });

function ev(i: number): AlertEvent {
  return { id: `e${i}`, type: 'up', watch: 'w', service: 's', hosts: ['h'], failedHosts: [], summary: 'up', detail: '', output: '', at: 1, count: 1, incident: `i${i}` };
}

const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
const t0 = performance.now();
for (let e = 0; e * PER_EVENT < N; e++) {
  const n = Math.min(PER_EVENT, N - e * PER_EVENT);
  d.dispatch(Array.from({ length: n }, (_, k) => ({ event: ev(e), target: `t${k}` })));
  await new Promise((r) => setImmediate(r));
}
const deadline = Date.now() + 600_000;
while ((sent < N || store.pending().length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
const wall = performance.now() - t0;
h.disable();
const left = store.pending().length;
d.close();
store.close();
rmSync(dir, { recursive: true });
console.log(JSON.stringify({ n: N, sent, pendingLeft: left, wallMs: Math.round(wall), maxStallMs: Math.round(h.max / 1e6), p99StallMs: Math.round(h.percentile(99) / 1e6) }));
