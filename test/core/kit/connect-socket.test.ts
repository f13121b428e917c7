/**
 * connectSocket: a TCP connection as net.connect makes one, without the options
 * object that costs node 20 a new hidden class per socket. The memory test runs a
 * bounded loop of connects and resets in a child node and reads V8's old-space size
 * around it with young collections forced, the only way to see what outlives them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { connectSocket } from '../../../core/kit/connect-socket.ts';

const HELPER = fileURLToPath(new URL('../../../core/kit/connect-socket.ts', import.meta.url));

async function listener(t: { after(fn: () => void): void }): Promise<number> {
  const srv = net.createServer((s) => s.on('error', () => {}).end('hi\n'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  return (srv.address() as net.AddressInfo).port;
}

test('connects to host and port and reads what the server sends', async (t) => {
  const port = await listener(t);
  const s = connectSocket({ host: '127.0.0.1', port, noDelay: true });
  const got = await new Promise<string>((resolve, reject) => {
    let text = '';
    s.on('error', reject).on('data', (d: Buffer) => (text += d)).on('end', () => resolve(text));
  });
  assert.equal(got, 'hi\n');
});

test('a refused port is an ECONNREFUSED error event, as with net.connect', async (t) => {
  const port = await listener(t);
  const free = await new Promise<number>((r) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => r(p));
    });
  });
  assert.notEqual(free, port);
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => connectSocket({ host: '127.0.0.1', port: free }).on('error', resolve));
  assert.equal(err.code, 'ECONNREFUSED');
});

test('family 6 connects over IPv6 loopback', async (t) => {
  const srv = net.createServer((s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '::1', r));
  t.after(() => srv.close());
  const s = connectSocket({ host: '::1', port: (srv.address() as net.AddressInfo).port, family: 6 });
  await new Promise<void>((resolve, reject) => s.on('error', reject).on('connect', resolve));
  assert.equal(s.remoteFamily, 'IPv6');
  s.destroy();
});

test('the socket is announced on net.client.socket, like net.connect does', async (t) => {
  const port = await listener(t);
  const seen: unknown[] = [];
  const onSocket = (m: unknown) => seen.push((m as { socket: net.Socket }).socket);
  subscribe('net.client.socket', onSocket);
  t.after(() => unsubscribe('net.client.socket', onSocket));
  const s = connectSocket({ host: '127.0.0.1', port });
  s.on('error', () => {}).resume();
  assert.deepEqual(seen, [s]);
  s.destroy();
});

// The server runs in a process of its own: the sockets it accepts are made with
// options, and would be counted here.
const SERVER = `
const srv = require('node:net').createServer((s) => s.on('error', () => {}));
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
process.stdin.on('end', () => process.exit(0)).resume();
`;

const CHILD = `
import { spawn } from 'node:child_process';
import v8 from 'node:v8';
const { connectSocket } = await import(${JSON.stringify(HELPER)});
const server = spawn(process.execPath, ['-e', ${JSON.stringify(SERVER)}], { stdio: ['pipe', 'pipe', 'inherit'] });
const port = Number(await new Promise((r) => server.stdout.once('data', (d) => r(String(d).trim()))));
const old = () => v8.getHeapSpaceStatistics().filter((s) => s.space_name !== 'new_space').reduce((a, s) => a + s.space_used_size, 0);
const one = () => new Promise((res) => {
  const s = connectSocket({ host: '127.0.0.1', port });
  s.on('error', () => {});
  s.once('connect', () => s.resetAndDestroy());
  s.once('close', res);
});
const run = async (n) => { let i = 0; await Promise.all(Array.from({ length: 10 }, async () => { while (i++ < n) await one(); })); };
await run(500);
gc();
const N = 3000;
const before = old();
await run(N);
gc({ type: 'minor' }); gc({ type: 'minor' });
console.log(JSON.stringify({ perConnect: (old() - before) / N }));
server.stdin.end();
`;

test('3,000 connects and resets leave under 400 bytes each in the old generation (net.connect with options: about 1.6 KB)', () => {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8', timeout: 60_000 });
  const { perConnect } = JSON.parse(out.trim().split('\n').pop()!) as { perConnect: number };
  assert.ok(perConnect < 400, `old generation grew ${Math.round(perConnect)} bytes per connect`);
});
