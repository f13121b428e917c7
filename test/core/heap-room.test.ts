/**
 * `vigil run --heap-room KIB`: the option, the decision, the hosts it counts, and the
 * room itself in a child node whose old generation fills with garbage (V8's heap is
 * per process, so this test process keeps V8's defaults).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_ROOM_BYTES, V8_MIN_STEP_BYTES, hardTriggerPercent, nodeSetsTrigger, parseHeapRoom, roomFor } from '../../core/cli/heap-room.ts';
import { hostsChecked, type Config, type Service } from '../../core/model.ts';

const REPO = new URL('../..', import.meta.url).pathname;
const MiB = 1024 * 1024;

test('--heap-room takes KiB a host from 0 to 64 and says so otherwise', () => {
  assert.equal(parseHeapRoom('1'), 1);
  assert.equal(parseHeapRoom('0'), 0);
  assert.equal(parseHeapRoom('0.5'), 0.5);
  for (const bad of ['65', '.5', '1e3', 'some', '', '-1']) assert.throws(() => parseHeapRoom(bad), /give KiB a host from 0 to 64, such as 1 or 0.5/);
});

test('the room is KiB a host, never under 2 MiB', () => {
  assert.equal(roomFor(5000, 1), 5000 * 1024);
  assert.equal(roomFor(20000, 1), 20000 * 1024);
  assert.equal(roomFor(1, 1), MIN_ROOM_BYTES);
  assert.equal(roomFor(1000, 1), MIN_ROOM_BYTES);
});

test("V8 starts marking at the room's share of its own room, and at its own pace when that is no larger", () => {
  // 16 MB live at 50% growth: V8's room is 8 MB (its floor) + 1 MiB of young generation.
  const v8Room = V8_MIN_STEP_BYTES + MiB;
  assert.equal(hardTriggerPercent(16 * MiB, 5 * MiB, 50, MiB), Math.floor((100 * 5 * MiB) / v8Room));
  // 40 MB live: 20 MB at 50%, above the floor.
  assert.equal(hardTriggerPercent(40 * MiB, 5 * MiB, 50, 4 * MiB), Math.floor((100 * 5 * MiB) / (24 * MiB)));
  assert.equal(hardTriggerPercent(28 * MiB, 20 * MiB, 50, 4 * MiB), 0, '20,000 hosts: their room is larger than V8 own');
  assert.equal(hardTriggerPercent(16 * MiB, 9 * MiB, 50, MiB), 0, 'exactly V8 room');
  assert.equal(hardTriggerPercent(16 * MiB, 5 * MiB, 0, MiB), hardTriggerPercent(16 * MiB, 5 * MiB, 10, MiB), "V8's own policy grows at least 10%");
  assert.equal(hardTriggerPercent(400 * MiB, 1, 50, 0), 1, 'never 0 when V8 room is larger');
});

test("node's own marking trigger wins, from the command line or NODE_OPTIONS", () => {
  assert.equal(nodeSetsTrigger(['--import', 'tsx'], undefined), false);
  assert.equal(nodeSetsTrigger(['--incremental-marking-hard-trigger=30'], undefined), true);
  assert.equal(nodeSetsTrigger([], '--max-old-space-size=512 --incremental_marking_soft_trigger=20'), true);
});

const service = (watch: string, name: string, monitor: boolean, excludeHosts: string[] = []): Service =>
  ({ watch, name, timeoutMs: 1000, depBehavior: 'a', excludeHosts, allowEmptyGroup: false, env: {}, periods: [], monitor: monitor ? { name: 'tcp', options: {} } : undefined }) as Service;

test('hosts checked: each group host once per service that runs a monitor, less excluded ones; a watch without a hostgroup is its own host', () => {
  const cfg = {
    hostgroups: { web: ['a', 'b', 'c'], db: ['d'] },
    watches: [
      { name: 'web', services: [service('web', 'http', true), service('web', 'ping', true, ['c', 'not-in-group']), service('web', 'trap-only', false)] },
      { name: 'db', services: [service('db', 'tcp', true)] },
      { name: 'gw.example', services: [service('gw.example', 'ping', true)] },
    ],
  } as unknown as Config;
  assert.equal(hostsChecked(cfg), 3 + 2 + 1 + 1);
});

// Promotes about 300 MB through the old generation (objects that live past two young
// collections, then die) on a steady 4 MB that stays live; prints how far the old
// generation's use grew past what the last full collection left (most and on average),
// and the trigger set.
const CHILD = (kib: number) => `
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';
setFlagsFromString('--heap-growing-percent=50'); // as vigil run does
const { keepHeapRoom } = await import('./core/cli/heap-room.ts');
const room = keepHeapRoom(${kib}, 1000, 50, [], undefined);
let trigger = 0;
const old = () => getHeapSpaceStatistics().filter((s) => !['new_space', 'new_large_object_space', 'read_only_space'].includes(s.space_name)).reduce((n, s) => n + s.space_used_size, 0);
let base = 0, over = 0, majors = 0, sum = 0, samples = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) { base = old(); majors++; } }).observe({ entryTypes: ['gc'] });
const live = Array.from({ length: 20000 }, (_, i) => ({ i, s: 'x'.repeat(100) + i }));
const ring = new Array(20000);
for (let round = 0; round < 1500; round++) {
  for (let i = 0; i < 1000; i++) ring[(round * 1000 + i) % ring.length] = { round, s: 'y'.repeat(150) + i };
  if (base) { const o = old() - base; over = Math.max(over, o); sum += o; samples++; }
  trigger = Math.max(trigger, room ? room.trigger() : 0);
  await new Promise((r) => setImmediate(r));
}
room?.stop();
console.log(JSON.stringify({ over, mean: sum / samples, majors, trigger, live: live.length }));
`;

function fill(kib: number): { over: number; mean: number; majors: number; trigger: number } {
  // A young generation of 1 MiB, as vigil's at a few thousand hosts, so V8's own room is its 8 MB floor.
  const out = execFileSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', '--input-type=module', '-e', CHILD(kib)], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as { over: number; mean: number; majors: number; trigger: number };
}

test('with 1 KiB a host at 1,000 hosts (2 MiB) V8 collects sooner and the heap holds less garbage than V8 alone lets it', () => {
  const kept = fill(1);
  assert.ok(kept.trigger > 0 && kept.trigger < 100, `trigger ${kept.trigger}`);
  const free = fill(0);
  assert.equal(free.trigger, 0);
  // A program this busy keeps allocating while V8 marks, so the room is overshot, the
  // more so on a busy machine; what the test asks is that V8 starts earlier and the
  // heap holds less garbage on average (measured here, quiet and with two cores kept
  // busy: 60-97 collections against 27-39, 2.2-3.8 MB over live against 5.5-8.3).
  assert.ok(kept.majors >= 1.5 * free.majors, `${kept.majors} full collections with the room, ${free.majors} without`);
  assert.ok(kept.mean < 0.7 * free.mean, `${(kept.mean / MiB).toFixed(1)} MiB past live on average with the room, ${(free.mean / MiB).toFixed(1)} without`);
});

test('vigil run refuses a bad --heap-room with exit 2 before starting', () => {
  const r = spawnSync(process.execPath, ['bin/vigil.js', 'run', '-c', 'examples/quickstart.yaml', '--heap-room', 'some'], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /vigil: --heap-room some: give KiB a host from 0 to 64/);
});

test('vigil run says how it sized the heap for the hosts checked, and sizes it again on a reload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-heap-room-'));
  const config = join(dir, 'vigil.yaml');
  const write = (hosts: string[]) =>
    writeFileSync(config, [
      `state_dir: ${join(dir, 'state')}`,
      'control: { listen: "127.0.0.1:0" }',
      `hostgroups: { web: [${hosts.join(', ')}] }`,
      'watches: { web: { services: { tcp: { interval: 1h, monitor: { plugin: tcp, port: 9 } } } } }',
      '',
    ].join('\n'));
  write(['127.0.0.2', '127.0.0.3']);
  // --stopped: nothing is checked, so 10,000 hosts cost nothing but the config.
  const child = spawn(process.execPath, ['bin/vigil.js', 'run', '-c', config, '--stopped', '--json-log'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  const sized: Array<Record<string, unknown>> = [];
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const line of chunk.split('\n')) if (line.includes('JS heap sized')) sized.push(JSON.parse(line) as Record<string, unknown>);
  });
  const until = async (n: number) => {
    for (const end = Date.now() + 30_000; sized.length < n; await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`no "JS heap sized" line ${n}; stderr:\n${err}`);
    }
  };
  try {
    await until(1);
    assert.deepEqual([sized[0]!.hostsChecked, sized[0]!.youngGenerationMiB, sized[0]!.heapRoomMiB], [2, 2, 2]);
    write(Array.from({ length: 10_000 }, (_, i) => `127.1.${i >> 8}.${i & 255}`));
    child.kill('SIGHUP');
    await until(2);
    assert.deepEqual([sized[1]!.hostsChecked, sized[1]!.youngGenerationMiB, sized[1]!.heapRoomMiB], [10_000, 4, 7.3]);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
