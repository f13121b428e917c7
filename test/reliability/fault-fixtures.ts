/**
 * @fileoverview Faulty plugins and scripts for the plugin-fault tests, written
 * into a temp dir by the test: monitors that throw, return garbage, never
 * settle, ignore their AbortSignal, leak sockets or return megabytes; alerts
 * that throw, hang or are slow; mon scripts that hang, fork children that
 * outlive them, print megabytes or die by a signal.
 */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A `sleep` argument no other process on the machine uses, to find leftovers in /proc. */
export const STRAY_MARK = '297.123';

export const FAULTY_PLUGINS = `
import { connect } from 'node:net';
const base = { apiVersion: 1, optionsSchema: { type: 'object', properties: { port: { type: 'integer' } }, additionalProperties: false } };
const mon = (name, check) => ({ ...base, kind: 'monitor', name, create: (o) => ({ check: (h, signal) => check(o, h, signal) }) });
let flip = 0;
let garbage = 0;
const GARBAGE = [undefined, null, 42, 'ok', [], { ok: 'yes' }, { ok: true, summary: { toString() { throw new Error('bad toString'); } } }, { ok: false, summary: null }, Promise.resolve(7), { ok: true, summary: 'x', metrics: { a: 'NaN' } }];
export default [
  mon('faulty/throws', async () => { throw new Error('I always throw'); }),
  mon('faulty/throws-nonerror', async () => { throw { weird: true }; }),
  mon('faulty/sync-throw', () => { throw new Error('sync'); }),
  mon('faulty/garbage', async () => GARBAGE[garbage++ % GARBAGE.length]),
  mon('faulty/never', () => new Promise(() => {})),
  mon('faulty/deaf', () => new Promise((r) => setTimeout(() => r({ ok: true, summary: 'late' }), 700).unref())),
  mon('faulty/leaky', (o) => new Promise((r) => { const s = connect(o.port, '127.0.0.1'); s.on('error', () => {}); s.on('connect', () => r({ ok: true, summary: 'connected, socket left open' })); })),
  mon('faulty/huge', async () => ({ ok: false, summary: 'x'.repeat(2 * 1024 * 1024), detail: 'y'.repeat(2 * 1024 * 1024) })),
  { ...base, kind: 'monitor', scope: 'group', name: 'faulty/group-garbage', create: () => ({ check: async () => GARBAGE[garbage++ % GARBAGE.length] ?? { ok: false, summary: 5, failedHosts: 'all', hosts: 7 } }) },
  mon('faulty/flap', async () => ({ ok: flip++ % 2 === 0, summary: 'flapping' })),
  { ...base, kind: 'alert', name: 'faulty/alert-throws', events: ['down', 'still-down', 'up', 'host-down', 'host-up'], create: () => ({ async send() { throw new Error('alert throws'); } }) },
  { ...base, kind: 'alert', name: 'faulty/alert-hangs', events: ['down', 'still-down', 'up', 'host-down', 'host-up'], create: () => ({ sendTimeoutMs: 300, send: () => new Promise(() => {}) }) },
  { ...base, kind: 'alert', name: 'faulty/alert-slow', events: ['down', 'still-down', 'up', 'host-down', 'host-up'], create: () => ({ send: () => new Promise((r) => setTimeout(r, 400)) }) },
];
`;

export const SCRIPTS: Record<string, string> = {
  'hang.monitor': '#!/bin/sh\nexec sleep 600\n',
  'fork.monitor': `#!/bin/sh\nsleep ${STRAY_MARK} &\necho "all fine, left a child behind"\nexit 0\n`,
  'fork-fail.monitor': `#!/bin/sh\n( sleep ${STRAY_MARK} ) &\necho "$@ failing, left a child behind"\nexit 1\n`,
  'mega.monitor': '#!/bin/sh\nhead -c 8000000 /dev/zero | tr "\\\\0" "A"\necho\nexit 1\n',
  'signal.monitor': '#!/bin/sh\necho about to die\nkill -9 $$\n',
  'binary.monitor': '#!/bin/sh\nhead -c 3000 /dev/urandom\nexit 2\n',
  'slow.alert': '#!/bin/sh\nsleep 0.3\nexit 0\n',
  'hang.alert': '#!/bin/sh\nexec sleep 600\n',
};

export function writeFaultFiles(dir: string): void {
  writeFileSync(join(dir, 'faulty.mjs'), FAULTY_PLUGINS);
  for (const [name, body] of Object.entries(SCRIPTS)) {
    writeFileSync(join(dir, name), body);
    chmodSync(join(dir, name), 0o755);
  }
}

/** Pids of processes whose command line holds `mark` (leftover children of our scripts). */
export function straysWith(mark: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(mark)) out.push(Number(p));
    } catch {}
  }
  return out;
}
