/**
 * Plugins' own option checks (`checkOptions`) with the real registry and the
 * built-in plugins: what the JSON Schema cannot say (a template field, a regex, two
 * options that exclude each other) is a config problem with file and line at
 * `vigil check`, start-up and reload, not a failed `create` later.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEngineConfig } from '../../core/engine/load.ts';
import { Registry } from '../../core/registry.ts';
import { formatProblem } from '../../core/errors.ts';

const REPO = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'vigil-plugin-checks-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `hostgroups:
  web: [127.0.0.1]
watches:
  web:
    services:
      http:
        monitor:
          plugin: http
          url: "http://{host}/"
          port: 8080
          body: "(unclosed"
        alerts:
          - plugin: email
            smtp: "smtp://"
            to: [ops@example.test]
            subject: "{alert} {wacth}"
      redis:
        monitor: { plugin: tcp, port: 6379, password: secret }
        alerts:
          - { plugin: email, smtp: "smtp://127.0.0.1:25", to: [ops@example.test], body: "{summary} }" }
      fine:
        monitor: { plugin: tcp, preset: redis, passwordEnv: VIGIL_TEST_UNSET_PASSWORD }
        alerts:
          - { plugin: email, smtp: "smtp://127.0.0.1:25", to: [ops@example.test], subject: "{watch}/{service} {{literal}}" }
`;

test('checkOptions problems of the built-in plugins come with file, line and the option', async () => {
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, CONFIG);
  const { problems } = await checkEngineConfig(file, new Registry());
  const got = problems.map((p) => `${p.loc?.line} ${p.path}: ${p.message}`);
  const expect = [
    /^8 watches\/web\/services\/http\/monitor\/plugin: monitor \(http\): http: give either url \(with \{host\}\) or scheme\/port\/path, not both$/,
    /^13 watches\/web\/services\/http\/alerts\/0\/plugin: alerts \(email\): email option "smtp": no host name in the URL$/,
    /^16 watches\/web\/services\/http\/alerts\/0\/subject: alerts \(email\): template: unknown field \{wacth\}; known fields: .*\{watch\}/,
    /^18 watches\/web\/services\/redis\/monitor\/plugin: monitor \(tcp\): tcp: password is only used with preset: redis$/,
    /^20 watches\/web\/services\/redis\/alerts\/0\/body: alerts \(email\): template: lone "\}"/,
  ];
  assert.equal(got.length, expect.length, got.join('\n'));
  for (const [i, re] of expect.entries()) assert.match(got[i]!, re);
  // The variable the daemon would read is not set in this shell: not a problem at check time.
  assert.ok(!got.some((g) => g.includes('fine')), got.join('\n'));
});

test('a regex that does not compile is a problem at its line', async () => {
  const file = join(dir, 'regex.yaml');
  writeFileSync(file, CONFIG.replace('          url: "http://{host}/"\n', ''));
  const { problems } = await checkEngineConfig(file, new Registry());
  const http = problems.filter((p) => p.path?.startsWith('watches/web/services/http/monitor'));
  assert.equal(http.length, 1, problems.map(formatProblem).join('\n'));
  assert.match(http[0]!.message, /^monitor \(http\): .*body.*\(unclosed/);
});

test('a third-party checkOptions that throws is reported as its bug, not thrown', async () => {
  const plugin = join(dir, 'flaky.ts');
  writeFileSync(
    plugin,
    `export default { kind: 'alert', name: 'flaky', apiVersion: 1, optionsSchema: { type: 'object' },
      checkOptions() { throw new Error('boom'); }, create: () => ({ send: async () => {} }) };\n`,
  );
  const file = join(dir, 'flaky.yaml');
  writeFileSync(file, `plugins: [./flaky.ts]\nwatches:\n  db:\n    services:\n      tcp:\n        monitor: { plugin: tcp, port: 5432 }\n        alerts: [ { plugin: flaky } ]\n`);
  const { problems } = await checkEngineConfig(file, new Registry());
  assert.equal(problems.length, 1, problems.map(formatProblem).join('\n'));
  assert.equal(problems[0]!.loc?.line, 7);
  assert.match(problems[0]!.message, /alerts \(flaky\): the plugin's own option check failed \(boom\); this is a bug in the plugin, tell its author/);
});

test('vigil check exits 1 on a template problem and vigil run refuses to start with the same line', () => {
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, CONFIG);
  const check = spawnSync(process.execPath, ['bin/vigil.js', 'check', '-c', file], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
  assert.equal(check.status, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /vigil\.yaml:16:\d+: watches\/web\/services\/http\/alerts\/0\/subject: alerts \(email\): template: unknown field \{wacth\}/);
  assert.match(check.stdout, /5 problems in /);
  const run = spawnSync(process.execPath, ['bin/vigil.js', 'run', '-c', file], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /cannot start, the config has problems:\n(.*\n)*.*vigil\.yaml:16:\d+: .*unknown field \{wacth\}/);
});

test('lvs: a virtual service listed twice, or one with no real servers, is a problem at check time; names are not resolved', async () => {
  const file = join(dir, 'lvs.yaml');
  writeFileSync(
    file,
    `hostgroups:
  web: [web1.invalid, 127.0.0.2]
watches:
  web:
    services:
      tcp:
        monitor: { plugin: tcp, port: 80 }
        alerts:
          - { plugin: lvs, services: ["tcp 127.0.0.100:80", "tcp 127.0.0.100:80"] }
          - { plugin: lvs, service: "tcp 127.0.0.101:80", servers: [] }
          - { plugin: lvs, service: "tcp 127.0.0.102:80" }
`,
  );
  const { problems } = await checkEngineConfig(file, new Registry());
  const got = problems.map((p) => `${p.loc?.line} ${p.message}`);
  assert.deepEqual(got, [
    '9 alerts (lvs): lvs alert: virtual service tcp 127.0.0.100:80 is listed twice',
    '10 alerts (lvs): lvs alert: virtual service tcp 127.0.0.101:80 has no real servers: list "servers" or attach the alert to a watch with hosts',
  ]);
});

test('dns: name or resolver, and a soa-sync master, are checked with their line', async () => {
  const file = join(dir, 'dns.yaml');
  writeFileSync(
    file,
    `hostgroups:
  ns: [127.0.0.53]
watches:
  ns:
    services:
      noname:
        monitor: { plugin: dns }
      both:
        monitor: { plugin: dns, name: www.example.test, resolver: 127.0.0.1 }
      master:
        monitor: { plugin: dns, mode: soa-sync, zone: example.test, master: "ns1:x:53" }
      fine:
        monitor: { plugin: dns, mode: soa-sync, zone: example.test }
`,
  );
  const { problems } = await checkEngineConfig(file, new Registry());
  assert.deepEqual(
    problems.map((p) => `${p.loc?.line} ${p.message}`),
    [
      '7 monitor (dns): dns: set `name` (what to ask each host), or `resolver` to ask one resolver about each host',
      '9 monitor (dns): dns: set `name` or `resolver`, not both (with `resolver`, each host of the group is the name asked for)',
      '11 monitor (dns): dns: master "ns1:x:53" is not IP, IP:port or [IPv6]:port',
    ],
  );
});
