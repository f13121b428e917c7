/**
 * What the engine does with the result a per-host monitor returns: a plain result
 * with everything it needs is kept as it is (no copy a check), one without a latency
 * is copied and measured, and neither is ever changed under the plugin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import type { HostCheckResult } from '../../core/types.ts';

const PLUGINS = `
const base = { kind: 'monitor', apiVersion: 1, optionsSchema: { type: 'object', additionalProperties: false } };
const given = (globalThis.vigilGivenResults = { full: [], bare: [] });
const SHARED = Object.freeze({ ok: true, summary: 'the same frozen result for every host', latencyMs: 1 });
export default [
  { ...base, name: 't/full', create() { return { async check(host) {
    const r = { ok: true, summary: host + ': ' + 'fine'.repeat(2), latencyMs: 0.25, detail: 'line 1\\n' + host, metrics: { answers: 1 } };
    given.full.push(r);
    return r;
  } }; } },
  { ...base, name: 't/bare', create() { return { async check(host) {
    const r = Object.freeze({ ok: false, summary: host + ' refused' });
    given.bare.push(r);
    return r;
  } }; } },
  { ...base, name: 't/shared', create() { return { async check() { return SHARED; } }; } },
];
`;

test('plain results are kept as returned; others are copied with the latency measured; none is changed', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-host-result-'));
  writeFileSync(join(dir, 'plugins.ts'), PLUGINS);
  const svc = (name: string) => `      ${name}:\n        interval: 200ms\n        timeout: 1s\n        monitor: { plugin: t/${name} }\n`;
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
plugins: [./plugins.ts]
hostgroups:
  g: [127.0.0.1, 127.0.0.2]
watches:
  g:
    services:
${svc('full')}${svc('bare')}${svc('shared')}`,
  );
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger });
  const seen: Record<string, Record<string, HostCheckResult>[]> = { full: [], bare: [], shared: [] };
  engine.on('result', (r: { service: string; hosts: Record<string, HostCheckResult> }) => seen[r.service]?.push(r.hosts));
  // Until every service has run twice (at 200 ms that is well under a second; 10 s on a loaded machine).
  const until = Date.now() + 10_000;
  while (Date.now() < until && Object.values(seen).some((runs) => runs.length < 2)) await new Promise((r) => setTimeout(r, 50));
  const status = engine.status();
  await engine.close(500);
  const given = (globalThis as { vigilGivenResults?: { full: HostCheckResult[]; bare: HostCheckResult[] } }).vigilGivenResults!;

  assert.ok(seen.full!.length >= 2 && seen.bare!.length >= 2 && seen.shared!.length >= 2, 'every service ran at least twice');
  for (const hosts of seen.full!) {
    for (const [host, r] of Object.entries(hosts)) {
      assert.ok(given.full.includes(r), `${host}: the plugin's own result object is kept`);
      assert.deepEqual(Object.keys(r), ['ok', 'summary', 'latencyMs', 'detail', 'metrics']);
      assert.equal(r.latencyMs, 0.25, 'the plugin measured the latency; vigil keeps its figure');
    }
  }
  for (const hosts of seen.bare!) {
    for (const [host, r] of Object.entries(hosts)) {
      assert.ok(!given.bare.includes(r), `${host}: a result without a latency is a copy`);
      assert.equal(r.summary, `${host} refused`);
      assert.equal(typeof r.latencyMs, 'number', 'vigil measured the latency');
    }
  }
  for (const r of given.bare) assert.deepEqual(Object.keys(r), ['ok', 'summary'], "the plugin's frozen object is not touched");
  const shared = status.watches[0]!.services.find((s) => s.service === 'shared')!;
  assert.equal(shared.status, 'ok');
  assert.deepEqual(
    shared.hosts.map((h) => [h.host, h.summary, h.latencyMs]),
    [
      ['127.0.0.1', 'the same frozen result for every host', 1],
      ['127.0.0.2', 'the same frozen result for every host', 1],
    ],
  );
  const full = status.watches[0]!.services.find((s) => s.service === 'full')!;
  assert.deepEqual(full.hosts[0]!.metrics, { answers: 1 });
  assert.equal(full.hosts[0]!.detail, 'line 1\n127.0.0.1');
});
