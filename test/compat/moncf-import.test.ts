/**
 * Every mon.cf shipped in Debian's mon package reads and imports without error
 * (prepared by test/setup/mon-client.sh into .cache/mon-client/root).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readMonCf } from '../../core/config/moncf.ts';
import { importCommand } from '../../core/cli/import-command.ts';

const ROOT = resolve(import.meta.dirname, '../../.cache/mon-client/root');
const EXAMPLES = join(ROOT, 'usr/share/doc/mon/examples');
/** The files in Debian's mon package that are mon.cf configs (the other *.cf there configure single monitors or mon.cgi). */
const MON_CONFIGS = [join(EXAMPLES, 'example.cf'), join(EXAMPLES, 'example.m4'), join(EXAMPLES, 'very-simple.cf'), join(ROOT, 'etc/mon/mon.cf')];

function requireFiles(): void {
  for (const f of MON_CONFIGS) {
    assert.ok(existsSync(f), `${f} is missing: run "bash test/setup/mon-client.sh" (needs apt-get download) first`);
  }
}

async function importToFile(args: string[]): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'vigil-import-')), 'vigil.yaml');
  const code = await importCommand([...args, '-o', out]);
  assert.equal(code, 0, `vigil import ${args.join(' ')} failed`);
  return readFileSync(out, 'utf8');
}

test('Debian mon example configs read without error', async () => {
  requireFiles();
  for (const f of MON_CONFIGS) {
    const c = await readMonCf(f);
    assert.ok(c.watches.length > 0, f);
    for (const w of c.watches) for (const s of w.services) assert.ok(s.loc && s.loc.line > 0, `${f}: ${w.name}/${s.name} has a line`);
  }
});

test('example.cf and its m4 source give the same watches', async () => {
  requireFiles();
  const strip = (c: Awaited<ReturnType<typeof readMonCf>>) => JSON.parse(JSON.stringify(c.watches, (k, v) => (k === 'loc' ? undefined : v)));
  const cf = await readMonCf(join(EXAMPLES, 'example.cf'));
  const m4 = await readMonCf(join(EXAMPLES, 'example.m4'));
  assert.deepEqual(m4.watches.map((w) => w.name), cf.watches.map((w) => w.name));
  // The m4 source differs only in mail aliases and a few periods; the structure is the same.
  assert.deepEqual(strip(m4).map((w: { services: { name: string }[] }) => w.services.map((s) => s.name)), strip(cf).map((w: { services: { name: string }[] }) => w.services.map((s) => s.name)));
});

test('vigil import prints YAML that mirrors the mon config, notes included', async () => {
  requireFiles();
  for (const f of MON_CONFIGS) {
    const text = await importToFile([f]);
    const y = parseYaml(text) as { watches: Record<string, { services: Record<string, unknown> }>; hostgroups: Record<string, string[]> };
    const c = await readMonCf(f);
    assert.deepEqual(Object.keys(y.watches), c.watches.map((w) => w.name), f);
    for (const w of c.watches) assert.deepEqual(Object.keys(y.watches[w.name]!.services), w.services.map((s) => s.name));
    assert.deepEqual(y.hostgroups, c.hostgroups);
    for (const n of c.notes) assert.ok(text.includes(n.message), `note missing from the YAML header: ${n.message}`);
  }
  const text = await importToFile([join(EXAMPLES, 'example.cf')]);
  assert.match(text, /^#.*example\.cf:110: depend "routers:ping serversbd2:ping" lists terms without an operator/m);
  const y = parseYaml(text) as any;
  const telnet = y.watches.serversbd2.services.telnet;
  assert.equal(telnet.depend, 'routers:ping serversbd2:ping');
  assert.deepEqual(telnet.periods[0], {
    when: 'wd {Mon-Fri} hr {7am-10pm}',
    alertevery: '1h',
    alertafter: '2 30m',
    alerts: [
      { plugin: 'script', path: 'mail.alert', args: ['mis@domain.com'], alertdir: '/usr/lib/mon/alert.d' },
      { plugin: 'script', path: 'page.alert', args: ['mis-pagers@domain.com'], alertdir: '/usr/lib/mon/alert.d' },
    ],
  });
  assert.deepEqual(y.watches.netapps.services.freespace.monitor, {
    plugin: 'script', path: 'freespace.monitor', args: ['/f330:5000', '/f540:5000'], noHosts: true, mondir: '/usr/lib/mon/mon.d',
  });
  assert.deepEqual(y.watches.wwwservers.services.http.periods[0].upalerts[0].args, ['-S', 'web server is back up', 'mis']);
  assert.equal(y.watches.routers.services.ping.periods[1].label, 'LOGFILE');
});

test('vigil import --native maps http.monitor to the built-in http monitor and says so', async () => {
  requireFiles();
  const text = await importToFile(['--native', join(EXAMPLES, 'example.cf')]);
  const y = parseYaml(text) as any;
  assert.deepEqual(y.watches.wwwservers.services.http.monitor, { plugin: 'http', port: 80, path: '/', status: [200, 301, 302, 401] });
  assert.equal(y.watches.wwwservers.services.http.timeout, '30s');
  assert.match(text, /--native: "http.monitor" became the built-in http monitor/);
  // telnet.monitor has no built-in: stays a script, without a note.
  assert.equal(y.watches.serversbd1.services.telnet.monitor.plugin, 'script');
});

test('vigil import reports mon config errors with file:line and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-import-bad-'));
  const f = join(dir, 'mon.cf');
  (await import('node:fs')).writeFileSync(f, 'watch w\n  service s\n    interval 30\n');
  const errors: string[] = [];
  const orig = console.error;
  console.error = (m: string) => errors.push(m);
  try {
    assert.equal(await importCommand([f]), 1);
  } finally {
    console.error = orig;
  }
  assert.match(errors.join('\n'), /mon\.cf:3: invalid interval '30'/);
  assert.equal(await importCommand([]), 2);
});

test('the imported YAML loads through the native loader into the same model as the mon.cf (plain and --native)', async () => {
  requireFiles();
  const { checkConfig } = await import('../../core/config/load.ts');
  const { catalogOf } = await import('../../core/engine/load.ts');
  const { Registry } = await import('../../core/registry.ts');
  const { useNativeMonitors } = await import('../../core/cli/import-command.ts');
  const catalog = catalogOf(new Registry());
  const strip = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'loc' ? undefined : v)));
  for (const native of [false, true]) {
    for (const f of MON_CONFIGS) {
      const direct = await checkConfig(f, catalog);
      assert.deepEqual(direct.problems, [], `${f} has problems`);
      const fromMon = direct.config!;
      if (native) {
        await useNativeMonitors(fromMon, new Registry());
        const { validateModel } = await import('../../core/config/load.ts');
        assert.deepEqual((await validateModel(fromMon, catalog)).problems, []);
      }
      const dir = mkdtempSync(join(tmpdir(), 'vigil-import-eq-'));
      const yamlFile = join(dir, 'vigil.yaml');
      assert.equal(await importCommand([...(native ? ['--native'] : []), f, '-o', yamlFile]), 0);
      const viaYaml = await checkConfig(yamlFile, catalog);
      assert.deepEqual(viaYaml.problems, [], `${f} imported${native ? ' --native' : ''} has problems`);
      const y = viaYaml.config!;
      assert.deepEqual(strip(y.watches), strip(fromMon.watches), `${f}${native ? ' --native' : ''}: watches differ`);
      for (const k of ['stateDir', 'maxprocs', 'randstartMs', 'monProtocol', 'hostgroups'] as const) {
        assert.deepEqual(strip(y[k]), strip(fromMon[k]), `${f}: ${k} differs`);
      }
    }
  }
});
