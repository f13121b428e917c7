/**
 * The `script` monitor running Debian mon's own tcp.monitor and http.monitor
 * (unpacked by test/setup/mon-files.sh into .cache/mon) against loopback servers:
 * one host answers, the other refuses, and only the dead one is reported.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import plugin from '../../monitors/script.ts';
import type { GroupChecker } from '../../core/types.ts';
import { pluginContext } from '../fixtures/scripts/proc.ts';

const MONDIR = join(import.meta.dirname, '../../.cache/mon/root/usr/lib/mon/mon.d');
const UP = '127.0.0.1';
const DOWN = '127.0.0.2'; // same port, nothing listens on this address: connection refused
let tcpServer: net.Server;
let httpServer: http.Server;
let tcpPort = 0;
let httpPort = 0;

before(async () => {
  assert.ok(
    existsSync(join(MONDIR, 'tcp.monitor')),
    `mon's scripts are missing from ${MONDIR}; run "bash test/setup/mon-files.sh" (needs apt-get download)`,
  );
  tcpServer = net.createServer((s) => s.end());
  await new Promise<void>((r) => tcpServer.listen(0, UP, r));
  tcpPort = (tcpServer.address() as AddressInfo).port;
  httpServer = http.createServer((_req, res) => res.end('hello\n'));
  await new Promise<void>((r) => httpServer.listen(0, UP, r));
  httpPort = (httpServer.address() as AddressInfo).port;
});
after(() => {
  tcpServer?.close();
  httpServer?.closeAllConnections();
  httpServer?.close();
});

async function mon(path: string, args: string[]): Promise<GroupChecker> {
  return (await plugin.create({ path, args, mondir: MONDIR }, pluginContext())) as GroupChecker;
}
const run = { watch: 'web', service: 'svc' };

test('tcp.monitor: all up is ok', async () => {
  const r = await (await mon('tcp.monitor', ['-p', String(tcpPort), '-t', '3'])).check([UP], new AbortController().signal, run);
  assert.equal(r.ok, true, r.output);
  assert.deepEqual(r.failedHosts, []);
});

test('tcp.monitor: the summary lists only the refused host', async () => {
  const r = await (await mon('tcp.monitor', ['-p', String(tcpPort), '-t', '3'])).check([UP, DOWN], new AbortController().signal, run);
  assert.equal(r.ok, false);
  assert.equal(r.exitCode, 1);
  assert.equal(r.summary, DOWN);
  assert.deepEqual(r.failedHosts, [DOWN]);
  assert.match(r.detail!, /127\.0\.0\.2 could not connect: Connection refused/);
});

test('http.monitor: the summary lists only the refused host; the good host is in the detail', async () => {
  const r = await (await mon('http.monitor', ['-p', String(httpPort), '-t', '3'])).check([UP, DOWN], new AbortController().signal, run);
  assert.equal(r.ok, false, r.output);
  assert.equal(r.summary, DOWN);
  assert.deepEqual(r.failedHosts, [DOWN]);
  assert.match(r.output!, /HOST 127\.0\.0\.1: ok/);
});

test('http.monitor: all up is ok', async () => {
  const r = await (await mon('http.monitor', ['-p', String(httpPort), '-t', '3'])).check([UP], new AbortController().signal, run);
  assert.equal(r.ok, true, r.output);
});
