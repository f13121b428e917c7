/**
 * @fileoverview A config and helpers for killing `vigil run` at random points:
 * a monitor that flaps on the clock (so every run produces host and service
 * events), one that always fails (to acknowledge), and a mon alert script that
 * appends each event id to a file (the alert target; its exit 0 is the ack).
 */
import { chmodSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const CRASH_PLUGINS = `
const base = { kind: 'monitor', apiVersion: 1, optionsSchema: { type: 'object', additionalProperties: false } };
const phase = (host) => Math.floor(Date.now() / 450 + host.length + Number(host.split('.').pop())) % 2;
export default [
  { ...base, name: 'crash/flap', create: () => ({ async check(host) { const ok = phase(host) === 0; return { ok, summary: ok ? 'up' : 'down on the clock' }; } }) },
  { ...base, name: 'crash/down', create: () => ({ async check() { return { ok: false, summary: 'always down' }; } }) },
];
`;

export const RECORD_ALERT = '#!/bin/sh\n# The alert target: one line per delivered event id.\nprintf "%s\\n" "$VIGIL_EVENT_ID" >> "$RECORD_FILE"\n';
export const SLOW_RECORD_ALERT = '#!/bin/sh\nsleep 1\nprintf "%s\\n" "$VIGIL_EVENT_ID" >> "$RECORD_FILE"\n';

export function writeCrashConfig(dir: string, opts: { token: string; slow?: boolean }): string {
  writeFileSync(join(dir, 'crash.mjs'), CRASH_PLUGINS);
  writeFileSync(join(dir, 'record.alert'), opts.slow ? SLOW_RECORD_ALERT : RECORD_ALERT);
  chmodSync(join(dir, 'record.alert'), 0o755);
  const alert = `{ plugin: script, path: ./record.alert, hostEvents: true, failOnExit: true, timeout: 5s, env: { RECORD_FILE: "${join(dir, 'record.txt')}" } }`;
  const file = join(dir, 'vigil.yaml');
  writeFileSync(
    file,
    `state_dir: ./state
control: { listen: "127.0.0.1:0", token: "${opts.token}" }
plugins: [./crash.mjs]
hostgroups:
  g: [127.0.0.11, 127.0.0.12, 127.0.0.13, 127.0.0.14]
watches:
  g:
    services:
      flap:
        interval: 200ms
        timeout: 1s
        monitor: { plugin: crash/flap }
        periods:
          - when: always
            alertafter: 1
            alerts: [ ${alert} ]
            upalerts: [ ${alert} ]
      other:
        interval: 1h
        monitor: { plugin: crash/down }
      down:
        interval: 300ms
        monitor: { plugin: crash/down }
        periods: [ { when: always, alertafter: 1, alertevery: 1h, alerts: [ ${alert} ] } ]
`,
  );
  return file;
}

/** Every line of the record file (one per delivery the target acknowledged). */
export function recorded(dir: string): string[] {
  const f = join(dir, 'record.txt');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
}

/** A small seeded PRNG (mulberry32), so the kill points repeat from run to run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
