/**
 * @fileoverview Issue 7's acceptance, as a new user would try it: examples/monitors.yaml
 * (dns on a dnsmasq, nagios check_http on a web server, the tcp redis preset on a
 * redis-server, icmp on loopback) runs green under `vigil run`; breaking each target
 * turns exactly that service red with a summary that says what was wrong; restoring
 * it turns it green again. Real peers on loopback, ports chosen at run time; the
 * config is the example itself with those ports and shorter intervals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts';
import { httpServer, refusedPort, waitForPort } from '../helpers/servers.ts';
import { controlUrl, startVigil, type VigilProcess } from '../helpers/vigil-process.ts';

const EXAMPLE = 'examples/monitors.yaml';
const REDIS = '/usr/bin/redis-server';
const CHECK_HTTP = '/usr/lib/nagios/plugins/check_http';
const FPING = '/usr/bin/fping';
const RECORD = ['--host-record=www.example.test,192.0.2.10'];
/** dnsmasq answers NXDOMAIN for names under a --local domain it has no record for. */
const NO_RECORD = ['--local=/example.test/'];
const SERVICES = ['dns/www-record', 'web/check-http', 'redis/pong', 'loopback/ping'] as const;
type ServiceKey = (typeof SERVICES)[number];

// ---- redis-server on a loopback port, killed at process exit even on failure ----
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

async function startRedis(port: number): Promise<{ stop(): Promise<void> }> {
  const child = spawn(REDIS, ['--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
  children.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => (children.delete(child), r())));
  await waitForPort(port, '127.0.0.1', 100);
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    },
  };
}

// ---- the example config with run-time ports and test-sized timings ----
interface Ports { dns: number; web: number; redis: number }
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function service(cfg: Json, key: ServiceKey): Json {
  const [watch, name] = key.split('/') as [string, string];
  const s = cfg.watches?.[watch]?.services?.[name];
  if (!s) throw new Error(`${EXAMPLE} has no service ${key}; this test follows the example, update both together`);
  return s;
}

function configFor(ports: Ports, stateDir: string, pingHosts: string[]): string {
  const cfg = parse(readFileSync(EXAMPLE, 'utf8')) as Json;
  cfg.state_dir = stateDir;
  cfg.control = { listen: '127.0.0.1:0' }; // the kernel picks; vigil logs the URL
  cfg.hostgroups.loopback = pingHosts;
  for (const key of SERVICES) service(cfg, key).interval = '1s';
  const dns = service(cfg, 'dns/www-record');
  Object.assign(dns, { timeout: '1s' });
  dns.monitor.port = ports.dns;
  const web = service(cfg, 'web/check-http');
  web.timeout = '3s';
  web.monitor.port = ports.web;
  web.monitor.args = (web.monitor.args as string[]).map((a, i, all) => (all[i - 1] === '-t' ? '2' : a));
  const redis = service(cfg, 'redis/pong');
  redis.timeout = '1s';
  redis.monitor.port = ports.redis;
  const ping = service(cfg, 'loopback/ping');
  ping.timeout = '2s';
  Object.assign(ping.monitor, { count: 1, timeoutMs: 300 });
  return stringify(cfg, { aliasDuplicateObjects: false });
}

// ---- reading the daemon's state through its HTTP API ----
interface HostView { host: string; state: string; summary?: string }
interface ServiceView { watch: string; service: string; status: string; summary?: string; detail?: string; lastCheck?: number; hosts: HostView[] }

async function statusOf(url: string): Promise<Map<ServiceKey, ServiceView>> {
  const res = await fetch(new URL('api/status', url));
  assert.equal(res.status, 200, `GET /api/status answered ${res.status}`);
  const body = (await res.json()) as { watches: Array<{ services: ServiceView[] }> };
  const out = new Map<ServiceKey, ServiceView>();
  for (const w of body.watches) for (const s of w.services) out.set(`${s.watch}/${s.service}` as ServiceKey, s);
  return out;
}

/** Polls /api/status every 150 ms until `ok(status)`; bounded by `timeoutMs`. */
async function waitUntil(url: string, what: string, ok: (s: Map<ServiceKey, ServiceView>) => boolean, timeoutMs = 8000): Promise<Map<ServiceKey, ServiceView>> {
  const end = Date.now() + timeoutMs;
  let last = await statusOf(url);
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last status:\n${JSON.stringify([...last.values()].map(brief), null, 1)}`);
    await new Promise((r) => setTimeout(r, 150));
    last = await statusOf(url);
  }
  return last;
}

const brief = (s: ServiceView) => ({ key: `${s.watch}/${s.service}`, status: s.status, summary: s.summary, detail: s.detail, hosts: s.hosts.map((h) => `${h.host} ${h.state}: ${h.summary}`) });
const green = (s: ServiceView | undefined) => s?.status === 'ok' && s.hosts.every((h) => h.state === 'up');
const allGreen = (m: Map<ServiceKey, ServiceView>) => SERVICES.every((k) => green(m.get(k)));

/**
 * Breaks one target and checks the promise: that service (only) goes red,
 * its failing host and what was wrong are in the status; every other service has
 * been checked since the break and is still green. Then restores and sees green.
 */
async function breakAndRestore(
  url: string,
  key: ServiceKey,
  brk: () => Promise<void>,
  expect: { summary: string; wrong: RegExp },
  restore: () => Promise<void>,
): Promise<void> {
  const t0 = Date.now();
  await brk();
  const red = await waitUntil(url, `${key} red and the others checked again`, (m) => {
    const s = m.get(key);
    return s?.status === 'fail' && expect.wrong.test(s.detail ?? '') && SERVICES.every((k) => k === key || (m.get(k)?.lastCheck ?? 0) > t0);
  });
  const s = red.get(key)!;
  assert.equal(s.summary, expect.summary, `${key}: the summary names the failing host(s) as mon does`);
  const bad = s.hosts.find((h) => h.host === expect.summary)!;
  assert.equal(bad.state, 'down');
  assert.match(bad.summary ?? '', expect.wrong, `${key}: the host's summary says what was wrong`);
  for (const k of SERVICES) if (k !== key) assert.ok(green(red.get(k)), `${k} stays green while ${key} is broken: ${JSON.stringify(brief(red.get(k)!))}`);
  await restore();
  const back = await waitUntil(url, `${key} green again`, allGreen);
  assert.ok(allGreen(back));
}

test('examples/monitors.yaml: all green, each broken target turns exactly its service red, then green again', { timeout: 45_000 }, async () => {
  for (const [path, pkg] of [[REDIS, 'redis-server'], [CHECK_HTTP, 'monitoring-plugins-basic'], [FPING, 'fping']] as const) {
    assert.ok(existsSync(path), `${path} is missing: install Debian's ${pkg} (listed in .ci/apt.d/examples.txt)`);
  }
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-monitors-'));
  let webBroken = false;
  const web = await httpServer((_req, res) => {
    res.writeHead(webBroken ? 500 : 200, { 'content-type': 'text/plain' });
    res.end(webBroken ? 'broken on purpose\n' : 'hello\n');
  });
  let dns: Dnsmasq | undefined;
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  let vigil: VigilProcess | undefined;
  let failed = true;
  try {
    dns = await startDnsmasq(RECORD);
    const redisPort = await refusedPort();
    redis = await startRedis(redisPort);
    const ports = { dns: dns.port, web: web.port, redis: redisPort };
    const file = join(dir, 'monitors.yaml');
    const writeConfig = (pingHosts: string[]) => writeFileSync(file, configFor(ports, join(dir, 'state'), pingHosts));
    writeConfig(['127.0.0.1', '::1']);

    vigil = startVigil(['run', '-c', file], { VIGIL_LOG_LEVEL: 'info' });
    const url = await controlUrl(vigil);
    await waitUntil(url, 'all four services green', allGreen, 10_000);
    const tGreen = Date.now();

    // dns: the server stops (UDP: no answer at all, so the check runs into its timeout),
    // then comes back without the name (NXDOMAIN), then with it.
    // The stop reads "timed out after 1000 ms": the engine's deadline answers before
    // the dns plugin's own "no answer over UDP" message can (core/run-check.ts).
    await breakAndRestore(url, 'dns/www-record', async () => void (await dns!.stop()), { summary: '127.0.0.1', wrong: /timed out after 1000 ms/ }, async () => {
      dns = await startDnsmasq(NO_RECORD, { port: ports.dns });
      const nx = await waitUntil(url, 'dns NXDOMAIN', (m) => /NXDOMAIN \(expected NOERROR\)/.test(m.get('dns/www-record')?.detail ?? ''));
      assert.equal(nx.get('dns/www-record')!.status, 'fail');
      await dns.stop();
      dns = await startDnsmasq(RECORD, { port: ports.dns });
    });

    // web: the server answers 500; check_http says so.
    await breakAndRestore(url, 'web/check-http', async () => void (webBroken = true), { summary: '127.0.0.1', wrong: /HTTP CRITICAL.*500/ }, async () => void (webBroken = false));

    // redis: the server stops.
    await breakAndRestore(url, 'redis/pong', async () => void (await redis!.stop()), { summary: '127.0.0.1', wrong: /connection refused/ }, async () => void (redis = await startRedis(redisPort)));

    // icmp: loopback cannot be unplugged, so the group gains ::2, an address on no
    // interface that gets no reply (a reload, SIGHUP); then the group is set back.
    const reloads = () => vigil!.output().split('\n').filter((l) => /config reloaded/.test(l)).length;
    const reloadWith = async (hosts: string[]) => {
      const before = reloads();
      writeConfig(hosts);
      vigil!.child.kill('SIGHUP');
      for (let i = 0; i < 100 && reloads() === before; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(reloads(), before + 1, `vigil did not reload:\n${vigil!.output().slice(-2000)}`);
    };
    await breakAndRestore(url, 'loopback/ping', () => reloadWith(['127.0.0.1', '::1', '::2']), { summary: '::2', wrong: /::2: no reply: 0\/1 replies, 100% loss/ }, () => reloadWith(['127.0.0.1', '::1']));

    // What the log alert (format: text) printed: exactly one DOWN and one UP per
    // service, in the order they were broken, and the host line says what was wrong.
    await vigil.waitFor(/ UP +loopback\/ping/, 5000);
    const events = vigil.output().split('\n').map((l) => /^\S+Z (DOWN|UP|HOST-DOWN)\s+(\S+)(?: (\S+))?: (.*)$/.exec(l)).filter((m) => m !== null);
    const of = (type: string) => events.filter((m) => m[1] === type).map((m) => m[2]);
    assert.deepEqual(of('DOWN'), [...SERVICES], 'one DOWN line per broken service, no other');
    assert.deepEqual(of('UP'), [...SERVICES], 'one UP line per restored service, no other');
    const hostDown = events.filter((m) => m[1] === 'HOST-DOWN');
    assert.deepEqual(hostDown.map((m) => `${m[2]} ${m[3]}`), ['dns/www-record 127.0.0.1', 'web/check-http 127.0.0.1', 'redis/pong 127.0.0.1', 'loopback/ping ::2']);
    assert.match(hostDown[0]![4]!, /timed out after 1000 ms/);
    assert.match(hostDown[1]![4]!, /HTTP CRITICAL.*500/);
    assert.match(hostDown[2]![4]!, /connection refused/);
    assert.match(hostDown[3]![4]!, /no reply/);
    console.log(`all green ${tGreen - t0} ms after start; whole scenario ${Date.now() - t0} ms`);
    failed = false;
  } finally {
    if (failed && vigil) console.error(`# vigil's output (last 8000 characters):\n${vigil.output().slice(-8000)}`);
    const code = vigil ? await vigil.stop(failed ? 'SIGKILL' : 'SIGTERM') : null;
    await Promise.allSettled([dns?.stop(), redis?.stop(), web.close()]);
    rmSync(dir, { recursive: true, force: true });
    if (!failed) assert.equal(code, 0, `vigil exit code; output:\n${vigil?.output().slice(-2000)}`);
  }
});
