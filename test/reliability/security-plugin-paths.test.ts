/**
 * Security: where a config may load plugin code from. Relative `plugins:`
 * entries resolve against the config's directory and may not climb out of it
 * ("../", "./a/../../b"); absolute paths and file:// URLs are taken as written
 * (the operator named the place in full); service `plugin:` names are names,
 * never paths. The refusal is a config problem `vigil check` shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkEngineConfig } from '../../core/engine/load.ts';
import { Registry, resolvePluginSpec } from '../../core/registry.ts';
import { report } from './report.ts';

const PLUGIN = (name: string, marker: string) => `
import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'loaded');
export default { kind: 'monitor', apiVersion: 1, name: ${JSON.stringify(name)}, create: () => ({ async check() { return { ok: true, summary: 'ok' }; } }) };
`;

test('plugin modules: relative paths stay inside the config directory; absolute paths are explicit; names are not paths', { timeout: 30_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-plugpath-'));
  const confDir = join(root, 'etc');
  mkdirSync(join(confDir, 'plugins'), { recursive: true });
  const outside = join(root, 'outside.mjs');
  writeFileSync(outside, PLUGIN('evil/outside', join(root, 'outside-loaded')));
  writeFileSync(join(confDir, 'plugins', 'inside.mjs'), PLUGIN('good/inside', join(root, 'inside-loaded')));
  const cfg = (plugins: string[], monitor = 'good/inside') => {
    const f = join(confDir, `vigil-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, `state_dir: ./state\nplugins: ${JSON.stringify(plugins)}\nhostgroups:\n  g: [127.0.0.1]\nwatches:\n  g:\n    services:\n      s: { interval: 1m, monitor: { plugin: ${JSON.stringify(monitor)} } }\n`);
    return f;
  };
  let tried = 0;
  try {
    for (const spec of ['../outside.mjs', './plugins/../../outside.mjs', './../outside.mjs', '.', './', '..']) {
      tried++;
      const r = await checkEngineConfig(cfg([spec]), new Registry());
      const text = r.problems.map((p) => `${p.loc?.file}:${p.loc?.line}: ${p.message}`).join('\n');
      assert.match(text, /outside the config's directory/, `${spec}: ${text}`);
      assert.match(text, /vigil-\w+\.yaml:\d+/, 'the problem names the config file and line');
      assert.equal(existsSync(join(root, 'outside-loaded')), false, `${spec} ran code from outside`);
    }
    for (const spec of ['./plugins/inside.mjs', './plugins/../plugins/inside.mjs']) {
      tried++;
      const r = await checkEngineConfig(cfg([spec]), new Registry());
      assert.deepEqual(r.problems, [], `${spec} inside the config dir loads`);
    }
    for (const spec of [outside, pathToFileURL(outside).href]) {
      tried++;
      const r = await checkEngineConfig(cfg([spec], 'evil/outside'), new Registry());
      assert.deepEqual(r.problems, [], `an absolute path (${spec}) is the operator's explicit choice`);
    }
    for (const name of ['../outside.mjs', outside, './plugins/inside.mjs', 'constructor', '__proto__']) {
      tried++;
      const r = await checkEngineConfig(cfg([], name), new Registry());
      assert.match(r.problems.map((p) => p.message).join('\n'), /unknown|not a valid|no such|not known|reserved/i, `monitor name ${name} is not loaded as a path`);
    }
    assert.throws(() => resolvePluginSpec('../x.ts', join(confDir, 'vigil.yaml')), /absolute path/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  report('security', 'plugin module paths', `${tried} specs and names`, 'relative paths never leave the config dir, absolute ones are explicit, plugin names never load files');
});
