/**
 * The lvs alert's state and drain through the control plane, against a real
 * engine and control server: /api/status (alertStates), /metrics
 * (vigil_lvs_real_server), `vigil status`, the status page (Chromium), and
 * drain/undrain over the API and the CLI. ipvsadm is a fake that keeps a table
 * (test/helpers/fake-ipvsadm.mjs): this tests our display and drain logic; the
 * kernel proof is test/vm/lvs-vm.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { startControlServer, type ControlServer } from '../../core/control/http-server.ts';
import { apiCommand } from '../../core/cli/api-command.ts';
import { listen, kill, until, type Listener } from './fixture.ts';

const TOKEN = 'lvs-test-token-81c2';
const FAKE = join(import.meta.dirname, '..', 'helpers', 'fake-ipvsadm.mjs');
const VS = 'tcp 127.0.0.100:80';
let dir: string, state: string, cfg: string, up: Listener, engine: Engine, control: ControlServer, base: string;

type Table = Record<string, { scheduler: string; servers: Record<string, { method: string; weight: number; active?: number }> }>;
const read = (): Table => JSON.parse(readFileSync(state, 'utf8')).services;
const weights = () => Object.fromEntries(Object.entries(read()['127.0.0.100:80']?.servers ?? {}).map(([k, v]) => [k, v.weight]));
function setActive(server: string, n: number) {
  const t = read();
  t['127.0.0.100:80']!.servers[server]!.active = n;
  // Aside and renamed, as the fake ipvsadm writes it: neither side reads half a file.
  writeFileSync(`${state}.test`, JSON.stringify({ services: t }));
  renameSync(`${state}.test`, state);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-lvs-status-'));
  state = join(dir, 'ipvs.json');
  writeFileSync(state, JSON.stringify({ services: {} }));
  up = await listen('127.0.0.1', 0); // 127.0.0.1 answers, 127.0.0.2 refuses: one real server in, one out
  const port = (up.server.address() as { port: number }).port;
  cfg = join(dir, 'vigil.yaml');
  writeFileSync(
    cfg,
    `state_dir: ./state
control: { listen: "127.0.0.1:0", token: "${TOKEN}" }
hostgroups:
  web: [127.0.0.1, 127.0.0.2]
watches:
  web:
    services:
      tcp:
        interval: 1s
        timeout: 1s
        monitor: { plugin: tcp, port: ${port} }
        periods:
          - when: always
            alerts:
              - { plugin: lvs, service: "${VS}", scheduler: rr, method: nat, port: 8080, manageService: true, command: ${JSON.stringify([process.execPath, FAKE, state])} }
`,
  );
  await startVigil();
  await until('the pool follows health', () => JSON.stringify(weights()) === JSON.stringify({ '127.0.0.1:8080': 1 }), 15_000);
  // the view comes from the alert's own re-read of the table, a moment after the change
  await until('the view shows it', async () => (await lvsState())?.[0]?.state?.[0]?.servers?.[0]?.pool === 'in', 5000);
});
after(async () => {
  await control?.close();
  await engine?.close(1000);
  if (up) await kill(up);
  rmSync(dir, { recursive: true, force: true });
});

async function startVigil() {
  engine = await Engine.start({ configFile: cfg, log: silentLogger });
  control = await startControlServer({ engine, log: silentLogger, control: engine.config().control!, env: {} });
  base = control.url.replace(/\/$/, '');
}

async function api(method: string, path: string, o: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const res = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
}
async function vigil(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const saved = { log: console.log, error: console.error };
  let out = '', err = '';
  console.log = (...a: unknown[]) => void (out += a.join(' ') + '\n');
  console.error = (...a: unknown[]) => void (err += a.join(' ') + '\n');
  try {
    return { code: await apiCommand([...args, '--url', base, '--token', TOKEN]), out, err };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
  }
}
const lvsState = async () => {
  const snap = JSON.parse((await api('GET', '/api/status')).text);
  return snap.watches[0].services[0].alertStates;
};

test('/api/status, /metrics and vigil status show each real server in / out with its weight', async () => {
  const states = await lvsState();
  assert.equal(states.length, 1);
  assert.equal(states[0].plugin, 'lvs');
  assert.equal(states[0].target, 'web/tcp/always/alerts/0');
  const v = states[0].state[0];
  assert.equal(v.service, VS);
  assert.equal(v.scheduler, 'rr');
  assert.deepEqual(v.servers.map((s: any) => [s.server, s.pool, s.weight, s.health]), [
    ['127.0.0.1:8080', 'in', 1, 'up'],
    ['127.0.0.2:8080', 'out', undefined, 'down'],
  ]);

  const metrics = (await api('GET', '/metrics')).text;
  assert.match(metrics, /^vigil_lvs_real_server\{vservice="tcp 127\.0\.0\.100:80",server="127\.0\.0\.1:8080",state="in"\} 1$/m);
  assert.match(metrics, /^vigil_lvs_real_server\{vservice="tcp 127\.0\.0\.100:80",server="127\.0\.0\.2:8080",state="out"\} 1$/m);
  assert.match(metrics, /^vigil_lvs_real_server_weight\{vservice="tcp 127\.0\.0\.100:80",server="127\.0\.0\.1:8080"\} 1$/m);
  assert.doesNotMatch(metrics, /vigil_lvs_real_server_weight\{[^}]*127\.0\.0\.2:8080/, 'no weight series for a server that is out');

  const r = await vigil(['status']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  const row = lines.findIndex((l) => l.startsWith('web/tcp'));
  assert.equal(lines[row + 1], '    tcp 127.0.0.100:80 rr — in: 127.0.0.1:8080 (w1); out: 127.0.0.2:8080');
});

test('drain over the API and the CLI: weight 0 while a connection is active, removed at 0, back at undrain', async () => {
  setActive('127.0.0.1:8080', 1);
  assert.equal((await api('POST', '/api/hosts/127.0.0.1/drain', { body: { timeout: '5m' } })).status, 401, 'a change needs the token');
  assert.equal((await api('POST', '/api/hosts/127.0.0.9/drain', { token: TOKEN, body: {} })).status, 404, 'no alert manages that host');
  const bad = await api('POST', '/api/hosts/127.0.0.1/drain', { token: TOKEN, body: { timeout: 'soon' } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /not a drain timeout/);
  assert.deepEqual(weights(), { '127.0.0.1:8080': 1 }, 'refused requests change nothing');

  const d = await vigil(['drain', '127.0.0.1', '--timeout', '5m']);
  assert.equal(d.code, 0, d.err);
  assert.match(d.out, /draining 127\.0\.0\.1/);
  assert.deepEqual(weights(), { '127.0.0.1:8080': 0 }, 'weight 0 at once');
  await new Promise((r) => setTimeout(r, 2500)); // two drain polls and two checks
  assert.deepEqual(weights(), { '127.0.0.1:8080': 0 }, 'an active connection: stays at weight 0');
  const s = await vigil(['status']);
  assert.match(s.out, /^ {4}tcp 127\.0\.0\.100:80 rr — quiescent: 127\.0\.0\.1:8080 \(draining\); out: 127\.0\.0\.2:8080$/m);

  setActive('127.0.0.1:8080', 0);
  await until('removed once its connections are gone', () => Object.keys(weights()).length === 0, 5000);
  const v = await until('the view shows it out', async () => {
    const x = (await lvsState())[0].state[0].servers[0];
    return x.pool === 'out' && x;
  });
  assert.deepEqual([v.pool, v.drain, v.health], ['out', 'drained', 'up'], 'drained although healthy');
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(weights(), {}, 'healthy checks do not put a drained server back');
  // a reload builds a new alert instance: the drain carries over, the server never flashes back in
  writeFileSync(state + '.log', '');
  assert.equal((await api('POST', '/api/reload', { token: TOKEN })).status, 200);
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(weights(), {}, 'still out after a reload');
  assert.doesNotMatch(readFileSync(state + '.log', 'utf8'), /^-a .*127\.0\.0\.1:8080/m, 'never re-added on the way');
  assert.equal((await lvsState())[0].state[0].servers[0].drain, 'drained');
  // a restart: the drain is in the state store, and the new alert has it before it first reads the table
  await control.close();
  await engine.close(1000);
  writeFileSync(state + '.log', '');
  await startVigil();
  await until('checked again after the restart', async () => (await lvsState())?.[0]?.state?.[0]?.servers?.[0]?.health === 'up', 5000);
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(weights(), {}, 'still out after a restart');
  assert.doesNotMatch(readFileSync(state + '.log', 'utf8'), /^-a .*127\.0\.0\.1:8080/m, 'never re-added on the way');
  assert.equal((await lvsState())[0].state[0].servers[0].drain, 'drained');

  const u = await api('POST', '/api/hosts/127.0.0.1/undrain', { token: TOKEN, body: {} });
  assert.equal(u.status, 200, u.text);
  assert.deepEqual(weights(), { '127.0.0.1:8080': 1 }, 'undrain: health decides again (up: in)');
  assert.equal((await lvsState())[0].state[0].servers[0].pool, 'in', 'the answer comes after the table re-read');
  assert.equal((await vigil(['undrain', '127.0.0.9'])).code, 1, 'the CLI reports an unknown host');
});

test('status page: one text line per virtual service under the service', { timeout: 30_000 }, async () => {
  const CHROMIUM = '/usr/bin/chromium';
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (listed in .ci/apt.d/control.txt)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'], timeout: 15_000 });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(base + '/');
    const line = page.locator('tr[data-service="web/tcp"] ul.pools li.pool');
    await line.first().waitFor();
    assert.equal(await line.count(), 1);
    assert.equal(await line.first().textContent(), 'tcp 127.0.0.100:80 rr — in: 127.0.0.1:8080 (w1); out: 127.0.0.2:8080');
  } finally {
    await browser.close();
  }
});

test('status page: Drain and Undrain per real server once actions are unlocked', { timeout: 40_000 }, async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'], timeout: 15_000 });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(8000);
    const asked: string[] = [];
    page.on('dialog', (d) => void (asked.push(d.message()), d.accept()));
    await page.goto(base + '/');
    const row = page.locator('tr[data-service="web/tcp"]');
    await row.locator('ul.pools li.pool').first().waitFor();
    assert.equal(await row.locator('button[data-action="drain"]').count(), 0, 'locked: no drain buttons');
    await page.evaluate((t) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('vigil.token', t), TOKEN);
    await page.reload();
    await row.locator('button[data-action="drain"][data-host="127.0.0.1"]').click();
    assert.match(asked[0] ?? '', /^Drain 127\.0\.0\.1\? Weight 0 now/, 'asks first');
    await until('drained from the page', async () => (await lvsState())[0].state[0].servers[0].drain !== undefined, 5000);
    const undrain = row.locator('button[data-action="undrain"][data-host="127.0.0.1"]');
    await undrain.waitFor();
    await undrain.click();
    await until('back in after undrain', () => JSON.stringify(weights()) === JSON.stringify({ '127.0.0.1:8080': 1 }), 5000);
    await row.locator('button[data-action="drain"][data-host="127.0.0.1"]').waitFor();
  } finally {
    await browser.close();
  }
});
