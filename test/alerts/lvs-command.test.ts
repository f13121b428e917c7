/**
 * `vigil lvs plan` and `vigil lvs show` on a real config file, with a fake ipvsadm
 * that prints a table (the commands only read it) and, for show, a stand-in of the
 * control API's /api/status. The real table is exercised in test/vm/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lvsCommand } from '../../core/cli/lvs-command.ts';

let dir: string;
let api: http.Server;
let port = 0;
/** The lvs alert's view the stand-in API reports: 127.0.0.3 drained by an operator, when set. */
let drained = false;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-lvscmd-'));
  writeFileSync(join(dir, 'table'), '-A -t 127.0.0.100:80 -s rr\n-a -t 127.0.0.100:80 -r 127.0.0.2:8080 -m -w 1\n-a -t 127.0.0.100:80 -r 127.0.0.3:8080 -m -w 0\n-a -t 127.0.0.100:80 -r 127.0.0.77:8080 -g -w 2\n');
  writeFileSync(join(dir, 'ipvsadm'), `#!/bin/sh\necho "$*" >> "${dir}/calls"\n[ "$1" = "-S" ] && exec cat "${dir}/table"\nexit 9\n`);
  chmodSync(join(dir, 'ipvsadm'), 0o755);
  api = http.createServer((req, res) => {
    if (req.url !== '/api/status') return res.writeHead(404).end();
    const host = (h: string, state: string) => ({ host: h, state, disabled: false, excluded: false, consecutiveFailures: 0, consecutiveSuccesses: 1 });
    res.setHeader('content-type', 'application/json');
    const alertStates = drained
      ? [{ plugin: 'lvs', target: 'web/http/always/alerts/0', state: [{ service: 'tcp 127.0.0.100:80', present: true, servers: [{ host: '127.0.0.3', server: '127.0.0.3:8080', pool: 'quiescent', health: 'up', sorry: false, drain: 'drained' }], unmanaged: [] }] }]
      : undefined;
    res.end(JSON.stringify({ startedAt: 0, now: 0, schedulerRunning: true, configFile: 'x', disabledHosts: [], watches: [{ watch: 'web', disabled: false, hosts: [], services: [{ watch: 'web', service: 'http', hosts: [host('127.0.0.2', 'up'), host('127.0.0.3', 'down')], alertStates }] }] }));
  });
  await new Promise<void>((ok) => api.listen(0, '127.0.0.1', ok));
  port = (api.address() as AddressInfo).port;
});
after(async () => {
  await new Promise((ok) => api.close(ok));
  rmSync(dir, { recursive: true, force: true });
});

function config(extra = ''): string {
  const file = join(dir, 'vigil.yaml');
  writeFileSync(
    file,
    `state_dir: ./var
control: { listen: "127.0.0.1:${port}" }
hostgroups:
  web: [127.0.0.2, 127.0.0.3]
watches:
  web:
    services:
      http:
        interval: 5s
        monitor: { plugin: tcp, port: 8080 }
        periods:
          - when: always
            alerts:
              - { plugin: lvs, service: "tcp 127.0.0.100:80", method: nat, port: 8080, mode: quiescent, command: ["${join(dir, 'ipvsadm')}"]${extra} }
`,
  );
  return file;
}

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const log = console.log;
  console.log = (...a: unknown[]) => void (out += a.join(' ') + '\n');
  try {
    return { code: await fn(), out };
  } finally {
    console.log = log;
  }
}

test('lvs plan: the commands that would run, and only reads the table', async () => {
  writeFileSync(join(dir, 'calls'), '');
  const file = config();
  const up = await capture(() => lvsCommand(['plan', '-c', file]));
  assert.equal(up.code, 0);
  const cmd = join(dir, 'ipvsadm');
  assert.match(up.out, new RegExp(`^${cmd} -e -t 127\\.0\\.0\\.100:80 -r 127\\.0\\.0\\.3:8080 -m -w 1   # 127\\.0\\.0\\.3 is up`, 'm'));
  assert.doesNotMatch(up.out, /127\.0\.0\.77/, 'an unmanaged server is not touched');
  const down = await capture(() => lvsCommand(['plan', '-c', file, '--assume', 'down']));
  assert.match(down.out, /-e -t 127\.0\.0\.100:80 -r 127\.0\.0\.2:8080 -m -w 0 {3}# 127\.0\.0\.2 is down \(quiescent/);
  assert.deepEqual(readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n'), ['-S -n', '-S -n']);
});

test('lvs show: in / quiescent / unmanaged, with health from the control API', async () => {
  const file = config();
  const r = await capture(() => lvsCommand(['show', '-c', file]));
  assert.equal(r.code, 0);
  assert.match(r.out, /127\.0\.0\.2:8080 +in +health up weight 1 nat/);
  assert.match(r.out, /127\.0\.0\.3:8080 +quiescent +health down weight 0 nat/);
  assert.match(r.out, /127\.0\.0\.77:8080 +not managed by vigil/);
});

test('lvs show: a table that cannot be read is exit 1 with the reason; usage errors are exit 2', async () => {
  const file = config(', servers: ["127.0.0.2"]');
  writeFileSync(join(dir, 'vigil.yaml'), readFileSync(file, 'utf8').replace(join(dir, 'ipvsadm'), join(dir, 'missing-ipvsadm')));
  const r = await capture(() => lvsCommand(['show', '-c', file]));
  assert.equal(r.code, 1);
  assert.match(r.out, /could not read the IPVS table: .*was not found/);
  const err = console.error;
  console.error = () => {};
  try {
    assert.equal(await lvsCommand(['frobnicate', '-c', file]), 2);
    assert.equal(await lvsCommand(['plan']), 2);
  } finally {
    console.error = err;
  }
});

test('lvs show and plan: a server the running vigil has drained is shown drained and planned out, not back in', async () => {
  const file = config();
  drained = true;
  try {
    const shown = await capture(() => lvsCommand(['show', '-c', file]));
    assert.match(shown.out, /127\.0\.0\.3:8080 +quiescent +health down weight 0 nat \(drained\)/);
    const planned = await capture(() => lvsCommand(['plan', '-c', file]));
    assert.match(planned.out, /^# 127\.0\.0\.3 is drained by an operator \(vigil undrain 127\.0\.0\.3 to end it\)$/m);
    assert.doesNotMatch(planned.out, /-r 127\.0\.0\.3:8080 -m -w 1/, 'a drained server is not put back');
    assert.match(planned.out, /-d -t 127\.0\.0\.100:80 -r 127\.0\.0\.3:8080/, 'drained: removed');
  } finally {
    drained = false;
  }
});

test('lvs plan without a running vigil says drains are unknown', async () => {
  const file = config();
  writeFileSync(file, readFileSync(file, 'utf8').replace(`127.0.0.1:${port}`, '127.0.0.1:1'));
  const r = await capture(() => lvsCommand(['plan', '-c', file]));
  assert.equal(r.code, 0);
  assert.match(r.out, /^# drains unknown, a drained server may be planned back in: vigil is not answering at http:\/\/127\.0\.0\.1:1\/api\/status/m);
});
