/**
 * Peer faults through the real engine: ipvsadm failing (the LVS alert retries
 * until the table is right), an alert storm (2,000 hosts in 200 services fail
 * at once: digest and rate limit hold the mails, LVS keeps minServers, nothing
 * is lost, a healthy service stays on time), SMTP down, slow and rejecting, a
 * DNS server that is down, and targets that accept and never answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AlertEvent } from '../../core/types.ts';
import { Engine, type CheckMetric } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { startSmtp, decodedBody } from '../helpers/smtp.ts';
import { FILE_MONITOR, ipvsCalls, tableServers, writeFakeIpvsadm, writeLvsPoolConfig } from './peer-fixtures.ts';
import { fdCount, report, sleep, until } from './report.ts';

const VIP = '127.0.0.100:80';

test('ipvsadm failing: the LVS alert keeps retrying and the table ends up right', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ipvsfail-'));
  const hosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
  writeLvsPoolConfig(dir, VIP, hosts);
  writeFileSync(join(dir, 'fail'), '');
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger });
  try {
    await sleep(600);
    writeFileSync(join(dir, 'down.txt'), '127.0.0.3\n');
    await until('127.0.0.3 down and failed ipvsadm calls', () => engine.status().watches[0]!.services[0]!.hosts.find((h) => h.host === '127.0.0.3')!.state === 'down' && ipvsCalls(dir).length >= 4, 10_000);
    await sleep(500);
    const failedCalls = ipvsCalls(dir).length;
    assert.ok(tableServers(dir, VIP).has('127.0.0.3'), 'the table is unchanged while ipvsadm fails');
    assert.equal(engine.status().watches[0]!.services[0]!.hosts.find((h) => h.host === '127.0.0.3')!.state, 'down', 'monitoring goes on');
    unlinkSync(join(dir, 'fail'));
    await until('127.0.0.3 out of the pool once ipvsadm works', () => !tableServers(dir, VIP).has('127.0.0.3'), 30_000);
    assert.deepEqual([...tableServers(dir, VIP).keys()].sort(), ['127.0.0.2', '127.0.0.4']);
    const rows = engine.outbox({ limit: 10_000 }).filter((r) => r.plugin === 'lvs' && r.type === 'host-down');
    await until('the host-down delivery to be marked delivered', () => engine.outbox({ limit: 10_000 }).some((r) => r.plugin === 'lvs' && r.type === 'host-down' && r.state === 'delivered'), 10_000);
    // One queue per target keeps order: the first failing delivery is retried, the rest wait behind it.
    const retried = Math.max(...engine.outbox({ limit: 10_000 }).filter((r) => r.plugin === 'lvs').map((r) => r.attempts));
    assert.ok(retried >= 2, `a failing LVS delivery was retried (${retried} attempts)`);
    report('peer', 'ipvsadm failing (stand-in command)', `${failedCalls} failing ipvsadm calls, then it works`, `LVS delivery retried (${retried} attempts, later ones queued in order behind it), table right once ipvsadm worked, checks went on`);
  } finally {
    await engine.close(1000);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('alert storm: 2,000 hosts in 200 services fail at once; digest and rate limit hold, LVS keeps minServers, nothing lost', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-storm-'));
  writeFileSync(join(dir, 'peer.mjs'), FILE_MONITOR);
  const smtp = await startSmtp();
  const groups = Array.from({ length: 200 }, (_, g) => Array.from({ length: 10 }, (_, i) => `10.${Math.floor(g / 100)}.${g % 100}.${i + 1}`));
  const lvsHosts = Array.from({ length: 40 }, (_, i) => `127.0.1.${i + 1}`);
  const cmd = writeFakeIpvsadm(dir, VIP, lvsHosts, 80);
  const healthy = createServer((s) => s.destroy());
  await new Promise<void>((r) => healthy.listen(0, '127.0.0.1', () => r()));
  const mail = `{ plugin: email, smtp: "${smtp.url}", to: ops@example.com, from: vigil@example.com, digest: 2s, rateLimit: { max: 2, per: 1m } }`;
  const svc = (alerts: string) => `    services:\n      s:\n        interval: 500ms\n        monitor: { plugin: peer/file, file: down.txt }\n        periods: [ { when: always, alertafter: 1, alertevery: 1h, alerts: [ ${alerts} ] } ]\n`;
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
maxprocs: 200
plugins: [./peer.mjs]
hostgroups:
${groups.map((g, i) => `  g${i}: [${g.join(', ')}]`).join('\n')}
  pool: [${lvsHosts.join(', ')}]
  ok: [127.0.0.1]
watches:
${groups.map((_, i) => `  g${i}:\n${svc(`${mail}, { plugin: log, file: events.log }`)}`).join('')}  pool:
${svc(`{ plugin: lvs, service: "tcp ${VIP}", mode: remove, minServers: 3, command: ["${cmd}"] }, { plugin: log, file: events.log }`)}  ok:
    services:
      tcp: { interval: 300ms, timeout: 10s, monitor: { plugin: tcp, port: ${(healthy.address() as { port: number }).port} } }
`,
  );
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger });
  const events: AlertEvent[] = [];
  const checks: CheckMetric[] = [];
  engine.on('event', (e: AlertEvent) => events.push(e));
  engine.on('check', (c: CheckMetric) => checks.push(c));
  try {
    await sleep(1500);
    const t0 = Date.now();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    writeFileSync(join(dir, 'down.txt'), [...groups.flat(), ...lvsHosts].join('\n') + '\n');
    await until('every service to be down', () => engine.status().watches.filter((w) => w.watch !== 'ok').every((w) => w.services[0]!.status === 'fail'), 30_000);
    await until('the LVS pool to settle', () => tableServers(dir, VIP).size <= 3 + 1, 30_000);
    await sleep(4000); // digest window and then some
    loop.disable();
    const stallMs = Math.round(loop.max / 1e6);
    const inPool = tableServers(dir, VIP);
    assert.ok(inPool.size >= 3, `minServers 3 holds: ${inPool.size} real servers left in the pool`);
    assert.ok(smtp.messages.length >= 1 && smtp.messages.length <= 2, `the rate limit holds: ${smtp.messages.length} mails for 200 service alerts`);
    const mailed = smtp.messages.map((m) => decodedBody(m.raw)).join('\n');
    const downs = events.filter((e) => e.type === 'down');
    assert.equal(downs.length, 200 + 1, 'one down event per service');
    assert.ok(groups.every((_, i) => mailed.includes(`g${i}/s`) || mailed.includes(`g${i}`)) || /held|more|folded|suppressed/i.test(mailed), 'the mails account for the held alerts');
    const logged = new Set(readFileSync(join(dir, 'events.log'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id));
    const lost = events.filter((e) => e.watch !== 'ok' && !logged.has(e.id)); // the healthy service has no log alert
    const healthyFailed = events.filter((e) => e.watch === 'ok' && (e.type === 'host-down' || e.type === 'down'));
    assert.deepEqual(healthyFailed.map((e) => `${e.type} ${e.summary}`), [], 'the healthy service never failed during the storm');
    assert.deepEqual(lost.map((e) => e.id).slice(0, 5), [], `${lost.length} of ${events.length} events never reached the log alert`);
    const lags = checks.filter((c) => c.service === 'tcp' && c.watch === 'ok').map((c) => c.lagMs ?? 0).sort((a, b) => a - b);
    const p95 = lags[Math.floor(lags.length * 0.95)] ?? 0;
    assert.ok(p95 < 500, `the healthy service stayed on time through the storm: lag p95 ${Math.round(p95)} ms`);
    report('peer', 'alert storm', `2,040 hosts in 201 services down at once, ${events.length} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      `${smtp.messages.length} mail(s) (rate limit 2/min, digest 2 s), ${inPool.size} of 40 real servers kept (minServers 3), 0 events lost, healthy lag p95 ${Math.round(p95)} ms, longest event-loop stall ${stallMs} ms`);
  } finally {
    await engine.close(2000);
    await smtp.stop();
    healthy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SMTP slow, rejecting (451, 554) and down: other alerts are not held up, mails go out once it recovers', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-smtpfault-'));
  writeFileSync(join(dir, 'peer.mjs'), FILE_MONITOR);
  const smtp = await startSmtp();
  const mail = `{ plugin: email, smtp: "${smtp.url}", to: ops@example.com, from: vigil@example.com }`;
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
plugins: [./peer.mjs]
hostgroups: { a: [127.0.0.2], b: [127.0.0.3], c: [127.0.0.4], d: [127.0.0.5] }
watches:
${['a', 'b', 'c', 'd'].map((w) => `  ${w}:\n    services:\n      s:\n        interval: 200ms\n        monitor: { plugin: peer/file, file: down-${w}.txt }\n        periods: [ { when: always, alertafter: 1, alerts: [ ${mail}, { plugin: log, file: events.log } ] } ]\n`).join('')}`,
  );
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger });
  const logged = () => (existsSync(join(dir, 'events.log')) ? readFileSync(join(dir, 'events.log'), 'utf8') : '');
  const row = (watch: string) => engine.outbox({ limit: 10_000 }).find((r) => r.plugin === 'email' && r.watch === watch && r.type === 'down');
  try {
    // Slow: the server takes 4 s to answer DATA; the log alert of the same event is not held up.
    smtp.delayMs = 4000;
    writeFileSync(join(dir, 'down-a.txt'), '127.0.0.2\n');
    const t0 = Date.now();
    await until('the log alert to get the down event', () => /"type":"down","watch":"a"/.test(logged()), 3000);
    const logMs = Date.now() - t0;
    await smtp.waitFor(1, 15_000).catch((err) => {
      throw new Error(`${err.message}; outbox: ${JSON.stringify(engine.outbox({ limit: 10 }))}`);
    });
    smtp.delayMs = 0;
    // 451: temporary; retried until it goes through.
    smtp.reject = { code: 451, message: 'try again later' };
    writeFileSync(join(dir, 'down-b.txt'), '127.0.0.3\n');
    await until('a 451 to be seen', () => (row('b')?.attempts ?? 0) >= 1 && /451/.test(row('b')?.lastError ?? ''), 15_000);
    smtp.reject = null;
    await until('the 451 mail to go out', () => row('b')?.state === 'delivered', 30_000);
    const bAttempts = row('b')!.attempts;
    // 554: permanent; the outbox says so.
    smtp.reject = { code: 554, message: 'relay denied' };
    writeFileSync(join(dir, 'down-c.txt'), '127.0.0.4\n');
    await until('the 554 to be recorded', () => /554/.test(row('c')?.lastError ?? ''), 15_000);
    const c = row('c')!;
    smtp.reject = null;
    // Down: the server is gone; the mail waits in the outbox and goes out when it is back.
    await smtp.stop();
    writeFileSync(join(dir, 'down-d.txt'), '127.0.0.5\n');
    await until('a failed attempt while the server is down', () => (row('d')?.attempts ?? 0) >= 1, 15_000);
    assert.equal(row('d')!.state, 'pending');
    await smtp.start();
    await until('the mail to go out once the server is back', () => row('d')?.state === 'delivered', 60_000);
    assert.ok(logMs < 2000, `the log alert waited ${logMs} ms behind a slow SMTP server`);
    assert.ok(c.state === 'given-up' || c.state === 'pending', `554: ${c.state} ${c.lastError}`);
    assert.match(c.lastError ?? '', /permanent|relay denied|554/);
    report('peer', 'SMTP slow, 451, 554, down', '4 s DATA delay + 451 + 554 + server stopped and restarted',
      `log alert not held up (${logMs} ms), 451 retried to delivery (${bAttempts} attempts), 554 recorded (${c.state}), mail sent after the server came back`);
  } finally {
    await engine.close(1000);
    await smtp.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a DNS server that is down and targets that accept and never answer: checks fail on time, nothing leaks', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-silent-'));
  // A UDP port that swallows queries (the server is "down" but the port exists) and one that nothing binds.
  const sink = createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  const sinkPort = sink.address().port;
  const closed = createSocket('udp4');
  await new Promise<void>((r) => closed.bind(0, '127.0.0.1', () => r()));
  const closedPort = closed.address().port;
  await new Promise<void>((r) => closed.close(() => r()));
  const held = new Set<Socket>();
  const silent = createServer((s) => {
    held.add(s);
    s.resume(); // read and drop the request, so the client's close is seen
    s.on('error', () => {});
    s.on('close', () => held.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const port = (silent.address() as { port: number }).port;
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
hostgroups: { local: [127.0.0.1] }
watches:
  local:
    services:
      dnsdown: { interval: 300ms, timeout: 500ms, monitor: { plugin: dns, name: example.com, port: ${sinkPort} } }
      dnsclosed: { interval: 300ms, timeout: 500ms, monitor: { plugin: dns, name: example.com, port: ${closedPort} } }
      tcpsilent: { interval: 300ms, timeout: 500ms, monitor: { plugin: tcp, port: ${port}, send: "PING\\r\\n", expect: PONG } }
      httpsilent: { interval: 300ms, timeout: 500ms, monitor: { plugin: http, port: ${port}, path: / } }
`,
  );
  const warm = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger, stopped: true, persist: false });
  await warm.close(100);
  const fd0 = fdCount();
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger });
  const checks: CheckMetric[] = [];
  engine.on('check', (c: CheckMetric) => checks.push(c));
  await sleep(3000);
  const status = engine.status();
  await engine.close(1000);
  await until('the silent server to see every connection closed', () => held.size === 0, 5000);
  const fd1 = fdCount();
  sink.close();
  silent.close();
  rmSync(dir, { recursive: true, force: true });
  const by = Object.fromEntries(status.watches[0]!.services.map((s) => [s.service, s]));
  for (const name of ['dnsdown', 'dnsclosed', 'tcpsilent', 'httpsilent']) {
    assert.equal(by[name]!.status, 'fail', `${name} fails`);
    const mine = checks.filter((c) => c.service === name);
    assert.ok(mine.length >= 4, `${name} keeps being checked (${mine.length})`);
    assert.ok(mine.every((c) => c.durationMs < 1500), `${name}: every check ended within its timeout (+slack): ${mine.map((c) => Math.round(c.durationMs)).join(' ')}`);
    assert.ok((by[name]!.hosts[0]!.summary ?? '').length > 0, `${name} says why`);
  }
  assert.ok(fd1 <= fd0 + 2, `file descriptors: ${fd0} before, ${fd1} after`);
  report('peer', 'DNS server down, TCP/HTTP targets that accept and never answer', `${checks.length} checks over 3 s`,
    `all failed within their 500 ms timeout with a reason (${['dnsdown', 'tcpsilent', 'httpsilent'].map((n) => JSON.stringify(by[n]!.hosts[0]!.summary)).join(', ')}), fds ${fd0}->${fd1}`);
});
