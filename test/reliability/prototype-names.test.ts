/**
 * Regression (found by the config fuzzers): names that are also properties of
 * Object.prototype. A watch called "constructor" crashed the engine at start
 * ("hosts is not iterable"), "__proto__" silently replaced a map's prototype,
 * and a mon.cf line "__proto__ x" under a period crashed the mon.cf reader with
 * a TypeError instead of a ConfigError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from '../../core/config/load.ts';
import { catalogOf } from '../../core/engine/load.ts';
import { Registry } from '../../core/registry.ts';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { monCfToModel } from '../../core/config/moncf.ts';
import { ConfigError } from '../../core/errors.ts';

const yaml = (name: string, when = 'always') => `state_dir: ./state
periods: { office: "wd {Mon-Fri}" }
watches:
  ${name}:
    services:
      ${name}:
        interval: 1h
        monitor: { plugin: tcp, port: 1 }
        periods: [ { when: ${when}, alerts: [ { plugin: log } ] } ]
`;

test('watches and services named like Object.prototype members run; "__proto__" is refused with a clear problem', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-proto-'));
  const catalog = catalogOf(new Registry());
  try {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, yaml(name));
      const r = await checkConfig(file, catalog);
      assert.deepEqual(r.problems, [], name);
      assert.deepEqual(r.config!.hostgroups[name], [name], `${name}: the watch watches the single host of its name`);
      const engine = await Engine.start({ configFile: file, log: silentLogger, persist: false, stopped: true });
      try {
        assert.deepEqual(engine.status().watches[0]!.hosts, [name]);
      } finally {
        await engine.close(100);
      }
    }
    const proto = join(dir, 'proto.yaml');
    writeFileSync(proto, yaml('__proto__'));
    const r = await checkConfig(proto, catalog);
    assert.ok(r.problems.length > 0 && r.problems.every((p) => /"__proto__" is reserved/.test(p.message) && p.loc!.line > 1), JSON.stringify(r.problems));

    const unknown = join(dir, 'when.yaml');
    writeFileSync(unknown, yaml('web', 'constructor'));
    const w = await checkConfig(unknown, catalog);
    assert.match(w.problems.map((p) => p.message).join('\n'), /unknown period "constructor"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mon.cf: a hostgroup or watch called "__proto__" is refused with a location', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-proto-cf-'));
  try {
    const file = join(dir, 'mon.cf');
    writeFileSync(file, 'hostgroup __proto__ 127.0.0.2\n\nwatch __proto__\n    service s\n        interval 1m\n        monitor tcp.monitor\n');
    const r = await checkConfig(file, catalogOf(new Registry()));
    const proto = r.problems.filter((p) => /"__proto__" is reserved/.test(p.message));
    assert.equal(proto.length, 2, JSON.stringify(r.problems));
    assert.ok(proto.every((p) => p.loc && p.loc.file === file && p.loc.line >= 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mon.cf: keywords named like Object.prototype members are unknown syntax, not a crash', () => {
  for (const kw of ['__proto__', 'constructor', 'toString']) {
    const text = `watch web\n    service http\n        interval 10s\n        ${kw} 5m\n        period wd {Mon-Fri}\n            ${kw} mail.alert root\n`;
    assert.throws(
      () => monCfToModel(text, '/etc/mon/mon.cf'),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 2 && err.problems.every((p) => /unknown syntax/.test(p.message) && p.loc!.line >= 4),
      kw,
    );
  }
});
