import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Registry } from '../../core/registry.ts';
import { silentLogger } from '../../core/log.ts';

const EXAMPLE_CONFIG = resolve('examples/quickstart.yaml');

test('built-ins are found by file name and imported on first use', async () => {
  const r = new Registry();
  assert.ok(r.names('monitor').includes('tcp'));
  assert.ok(r.names('alert').includes('script'));
  const tcp = await r.get('monitor', 'tcp');
  assert.equal(tcp?.name, 'tcp');
  assert.equal(tcp?.kind, 'monitor');
  assert.equal(await r.get('monitor', 'no-such-thing'), undefined);
  assert.equal(await r.schema('monitor', 'no-such-thing'), undefined);
});

test('the third-party example plugin loads from a path relative to the config and works', async () => {
  const r = new Registry();
  await r.loadModules(['./plugins/hello.ts'], EXAMPLE_CONFIG);
  const mon = await r.get('monitor', 'hello/file-age');
  const alert = await r.get('alert', 'hello/append');
  assert.ok(mon && alert);
  assert.ok(r.names('monitor').includes('hello/file-age'));
  // It really checks: a fresh file is ok, a missing one is not.
  const dir = mkdtempSync(join(tmpdir(), 'vigil-hello-'));
  writeFileSync(join(dir, 'beat-127.0.0.2'), 'x');
  const checker = await mon.create({ path: join(dir, 'beat-{host}'), maxAge: 60 } as never, {
    log: silentLogger,
    now: Date.now,
    configDir: dir,
    stateDir: dir,
  });
  if (!('check' in checker)) throw new Error('no check');
  const ok = await (checker.check as (h: string, s: AbortSignal) => Promise<{ ok: boolean; summary: string }>)('127.0.0.2', AbortSignal.timeout(1000));
  const bad = await (checker.check as (h: string, s: AbortSignal) => Promise<{ ok: boolean; summary: string }>)('127.0.0.3', AbortSignal.timeout(1000));
  assert.equal(ok.ok, true);
  assert.equal(bad.ok, false);
  assert.match(bad.summary, /does not exist/);
});

function moduleFile(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-reg-'));
  const f = join(dir, 'p.ts');
  writeFileSync(f, body);
  return f;
}

test('a plugin with the name of a built-in is refused with a clear message', async () => {
  const r = new Registry();
  const f = moduleFile(`export default { kind: 'monitor', name: 'tcp', apiVersion: 1, create() { return { async check() { return { ok: true, summary: '' } } } } };`);
  await assert.rejects(r.loadModules([f], EXAMPLE_CONFIG), /name of a built-in plugin/);
});

test('duplicate names across modules are refused', async () => {
  const r = new Registry();
  const body = `export default { kind: 'alert', name: 'acme/pager', apiVersion: 1, create() { return { async send() {} } } };`;
  await r.loadModules([moduleFile(body)], EXAMPLE_CONFIG);
  await assert.rejects(r.loadModules([moduleFile(body)], EXAMPLE_CONFIG), /same name/);
});

test('shape errors name what is wrong', async () => {
  const r = new Registry();
  await assert.rejects(r.loadModules([moduleFile(`export default { kind: 'monitor', name: 'x/y', apiVersion: 2, create() {} };`)], EXAMPLE_CONFIG), /apiVersion 2/);
  await assert.rejects(r.loadModules([moduleFile(`export default { kind: 'monitor', name: 'x/z', apiVersion: 1 };`)], EXAMPLE_CONFIG), /no create/);
  await assert.rejects(r.loadModules([moduleFile(`export default { kind: 'monitor', name: 'Bad Name', apiVersion: 1, create() {} };`)], EXAMPLE_CONFIG), /must be lowercase/);
  await assert.rejects(r.loadModules(['./plugins/does-not-exist.ts'], EXAMPLE_CONFIG), /cannot load plugin module/);
});

test('plugin modules named in a config are loaded for JSON and YAML configs alike', async () => {
  const { loadPluginModules } = await import('../../core/engine/load.ts');
  const dir = resolve('examples');
  const forms: Array<[string, string]> = [
    ['json.json', JSON.stringify({ plugins: ['./plugins/hello.ts'], hostgroups: {} })],
    ['yaml.yaml', 'plugins: [./plugins/hello.ts]\nhostgroups: {}\n'],
    ['json-as-yaml.json', "{ plugins: ['./plugins/hello.ts'] } # not strict JSON\n"],
  ];
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-plugins-'));
  for (const [name, text] of forms) {
    // Beside examples/plugins, so the relative path resolves; removed at once.
    const file = join(dir, `.tmp-${process.pid}-${name}`);
    writeFileSync(file, text);
    try {
      const r = new Registry();
      await loadPluginModules(file, r);
      assert.ok(r.names('monitor').includes('hello/file-age'), name);
    } finally {
      (await import('node:fs')).rmSync(file, { force: true });
    }
  }
  const none = join(tmp, 'none.json');
  writeFileSync(none, JSON.stringify({ hostgroups: { g: ['127.0.0.2'] } }));
  const r = new Registry();
  await loadPluginModules(none, r);
  assert.ok(!r.names('monitor').includes('hello/file-age'));
});
