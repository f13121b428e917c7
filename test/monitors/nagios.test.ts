/**
 * The `nagios` monitor with Debian's monitoring-plugins against loopback peers the
 * test starts: check_tcp (TCP server), check_http and check_curl (HTTP server),
 * check_dig (a UDP DNS server built on dns-packet), plus a fake plugin for
 * WARNING, UNKNOWN, group scope and a timeout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import http from 'node:http';
import dgram from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import plugin, { PLUGIN_DIRS } from '../../monitors/nagios.ts';
import type { GroupChecker } from '../../core/types.ts';
import { isGone, pluginContext, readPidFile, waitFor } from '../fixtures/scripts/proc.ts';

const UP = '127.0.0.1';
const DOWN = '127.0.0.2';
const RUN = { watch: 'web', service: 'nagios' };
const tmp = mkdtempSync(join(tmpdir(), 'vigil-nagios-'));
let tcp: net.Server;
let web: http.Server;
let dns: dgram.Socket;
let tcpPort = 0;
let webPort = 0;
let dnsPort = 0;

before(async () => {
  for (const p of ['check_tcp', 'check_http', 'check_curl', 'check_dig']) {
    assert.ok(existsSync(join(PLUGIN_DIRS[0]!, p)), `${p} is missing: apt-get install monitoring-plugins-basic monitoring-plugins-standard bind9-dnsutils (see .ci/apt.d/exec.txt)`);
  }
  tcp = net.createServer((s) => s.end());
  await new Promise<void>((r) => tcp.listen(0, UP, r));
  tcpPort = (tcp.address() as AddressInfo).port;
  web = http.createServer((req, res) => {
    res.statusCode = req.url === '/broken' ? 500 : 200;
    res.end(req.url === '/broken' ? 'oops\n' : 'hello\n');
  });
  await new Promise<void>((r) => web.listen(0, UP, r));
  webPort = (web.address() as AddressInfo).port;
  dns = dgram.createSocket('udp4');
  dns.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const answers = (q.questions ?? [])
      .filter((x) => x.type === 'A' && x.name === 'www.example.test')
      .map((x) => ({ type: 'A' as const, name: x.name, ttl: 60, data: '192.0.2.10' }));
    const reply = dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions, answers });
    dns.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => dns.bind(0, UP, r));
  dnsPort = dns.address().port;
});
after(() => {
  tcp?.close();
  web?.closeAllConnections();
  web?.close();
  dns?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function nagios(opts: Record<string, unknown>): Promise<GroupChecker> {
  return (await plugin.create(opts as never, pluginContext())) as GroupChecker;
}
const never = () => new AbortController().signal;

test('check_tcp: the listening host is ok with its response time, the refused one fails', async () => {
  const c = await nagios({ command: 'check_tcp', args: ['-H', '{host}', '-p', '{port}', '-t', '3'], port: tcpPort });
  const r = await c.check([UP, DOWN], never(), RUN);
  assert.equal(r.ok, false);
  assert.deepEqual(r.failedHosts, [DOWN]);
  assert.equal(r.summary, DOWN);
  assert.match(r.hosts![UP]!.summary, /^TCP OK - [\d.]+ second response time on 127\.0\.0\.1 port \d+$/);
  assert.equal(typeof r.hosts![UP]!.metrics!.time, 'number');
  assert.equal(r.hosts![UP]!.metrics!.time_max, 3);
  assert.match(r.hosts![DOWN]!.summary, /Connection refused/);
  assert.match(r.detail!, /^127\.0\.0\.2: .*Connection refused/);
});

test('check_http: 200 is ok with size and time metrics; 500 is a failure', async () => {
  const good = await (await nagios({ command: 'check_http', args: ['-I', '{host}', '-p', '{port}', '-u', '/', '-t', '3'], port: webPort })).check([UP], never(), RUN);
  assert.equal(good.ok, true, good.hosts![UP]!.summary);
  assert.match(good.hosts![UP]!.summary, /^HTTP OK: HTTP\/1\.1 200 OK/);
  assert.equal(typeof good.hosts![UP]!.metrics!.size, 'number');
  const bad = await (await nagios({ command: 'check_http', args: ['-I', '{host}', '-p', '{port}', '-u', '/broken', '-t', '3'], port: webPort })).check([UP], never(), RUN);
  assert.equal(bad.ok, false);
  assert.match(bad.hosts![UP]!.summary, /^HTTP CRITICAL: HTTP\/1\.1 500/);
});

test('check_curl: 200 is ok, a refused host fails', async () => {
  const c = await nagios({ command: 'check_curl', args: ['-I', '{host}', '-p', '{port}', '-u', '/', '-t', '3'], port: webPort });
  const r = await c.check([UP, DOWN], never(), RUN);
  assert.deepEqual(r.failedHosts, [DOWN]);
  assert.match(r.hosts![UP]!.summary, /^HTTP OK: HTTP\/1\.1 200 OK/);
});

test('check_dig against a loopback DNS server: expected address ok, another is a WARNING (degraded)', async () => {
  const args = (addr: string) => ['-H', '{host}', '-p', '{port}', '-l', 'www.example.test', '-a', addr, '-t', '3'];
  const ok = await (await nagios({ command: 'check_dig', args: args('192.0.2.10'), port: dnsPort })).check([UP], never(), RUN);
  assert.equal(ok.ok, true, ok.hosts![UP]!.summary);
  assert.equal(ok.hosts![UP]!.degraded, undefined);
  assert.match(ok.hosts![UP]!.summary, /^DNS OK/);
  const warn = await (await nagios({ command: 'check_dig', args: args('192.0.2.99'), port: dnsPort })).check([UP], never(), RUN);
  assert.equal(warn.ok, true);
  assert.deepEqual(warn.degradedHosts, [UP]);
  assert.match(warn.hosts![UP]!.summary, /^DNS WARNING/);
});

test('fake plugin: WARNING is degraded unless failOn has 1; UNKNOWN fails; perfdata and long text kept', async () => {
  const plug = join(import.meta.dirname, '../fixtures/scripts/fake.plugin');
  const warn = await (await nagios({ command: plug, args: ['warn'] })).check([UP], never(), RUN);
  assert.deepEqual([warn.ok, warn.degradedHosts, warn.failedHosts], [true, [UP], []]);
  assert.deepEqual(warn.hosts![UP], { ok: true, degraded: true, summary: 'FAKE WARNING - slow', detail: 'long text line', metrics: { t: 1.5, t_warn: 1, t_crit: 2, t_min: 0, t_max: 10 }, latencyMs: warn.hosts![UP]!.latencyMs });
  const strict = await (await nagios({ command: plug, args: ['warn'], failOn: [1, 2, 3] })).check([UP], never(), RUN);
  assert.equal(strict.ok, false);
  const unknown = await (await nagios({ command: plug, args: ['unknown'] })).check([UP], never(), RUN);
  assert.deepEqual([unknown.ok, unknown.hosts![UP]!.summary], [false, 'FAKE UNKNOWN - cannot tell']);
});

test('group scope runs once with {hosts} expanded to separate arguments', async () => {
  const plug = join(import.meta.dirname, '../fixtures/scripts/fake.plugin');
  const r = await (await nagios({ command: plug, args: ['args', '-x', '{hosts}'], scope: 'group' })).check([UP, DOWN, '::1'], never(), RUN);
  assert.equal(r.ok, true);
  assert.equal(r.summary, 'FAKE OK - 4 args: -x 127.0.0.1 127.0.0.2 ::1');
});

test('a plugin that outlives the check signal is killed with its children and reported UNKNOWN', async () => {
  const plug = join(import.meta.dirname, '../fixtures/scripts/fake.plugin');
  const pidFile = join(tmp, 'hang.pid');
  const c = await nagios({ command: plug, args: ['hang'], env: { RECORD_FILE: pidFile } });
  const pending = c.check([UP], AbortSignal.timeout(300), RUN);
  const child = await readPidFile(pidFile);
  const r = await pending;
  assert.equal(r.ok, false);
  const m = /^UNKNOWN: timed out after ([\d.]+)s$/.exec(r.hosts![UP]!.summary);
  assert.ok(m && Number(m[1]) >= 0.3 && Number(m[1]) < 2, r.hosts![UP]!.summary);
  assert.ok(await waitFor(() => isGone(child), 2000), `plugin child ${child} survived`);
});

test('an unknown command fails the check saying where it looked', async () => {
  const c = await nagios({ command: 'check_nonexistent_xyz' });
  await assert.rejects(c.check([UP], never(), RUN), /"check_nonexistent_xyz" not found \(looked in \/usr\/lib\/nagios\/plugins/);
});
