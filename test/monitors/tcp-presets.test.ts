/**
 * tcp presets against real servers where Debian has one that runs here without
 * setup (redis-server, OpenSSH's sshd, the smtp-server package), and against
 * scripted servers speaking the real opening bytes otherwise (MySQL handshake,
 * PostgreSQL SSLRequest answer, FTP/IMAP/POP3 greetings).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import tcp, { type TcpOptions } from '../../monitors/tcp.ts';
import { silentLogger } from '../../core/log.ts';
import type { HostChecker, PluginContext } from '../../core/types.ts';
import { lineServer, refusedPort, tcpServer, waitForPort } from '../helpers/servers.ts';

const ctx: PluginContext = { log: silentLogger, now: () => Date.now(), configDir: os.tmpdir(), stateDir: os.tmpdir() };

async function check(o: TcpOptions, c: PluginContext = ctx) {
  const ch = (await tcp.create(o, c)) as HostChecker;
  return ch.check('127.0.0.1', AbortSignal.timeout(3000));
}

function mustExist(file: string, pkg: string) {
  assert.ok(fs.existsSync(file), `${file} is missing: install the Debian package ${pkg} (listed in .ci/apt.d/monitors-proto.txt)`);
}

async function daemon(t: { after(fn: () => unknown): void }, cmd: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  t.after(() => {
    child.kill('SIGKILL');
  });
  try {
    await waitForPort(port);
  } catch (e) {
    throw new Error(`${cmd} did not start: ${(e as Error).message}\n${err}`);
  }
  return child;
}

// ------------------------------------------------------------- real servers

test('redis preset against redis-server: PING, AUTH, wrong and missing password', async (t) => {
  mustExist('/usr/bin/redis-server', 'redis-server');
  const open = await refusedPort();
  await daemon(t, '/usr/bin/redis-server', ['--port', String(open), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], open);
  const ok = await check({ preset: 'redis', port: open });
  assert.equal(ok.ok, true, ok.summary);
  assert.match(ok.summary, new RegExp(`^127\\.0\\.0\\.1:${open}: \\+PONG in [\\d.]+ ms$`));

  const port = await refusedPort();
  const secret = 's3cret with spaces';
  await daemon(t, '/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--requirepass', secret], port);
  const good = await check({ preset: 'redis', port, password: secret });
  assert.equal(good.ok, true, good.summary);
  const envd = await check({ preset: 'redis', port, passwordEnv: 'REDIS_PW' }, { ...ctx, env: { REDIS_PW: secret } });
  assert.equal(envd.ok, true, envd.summary);
  const none = await check({ preset: 'redis', port });
  assert.equal(none.ok, false);
  assert.match(none.summary, /Redis answered "-NOAUTH Authentication required\." \(expected "\+PONG"\)/);
  const wrong = await check({ preset: 'redis', port, password: 'not-it' });
  assert.equal(wrong.ok, false);
  assert.match(wrong.summary, /Redis AUTH answered "-WRONGPASS/);
  assert.ok(!wrong.summary.includes('not-it') && !good.summary.includes(secret), 'password leaked into a summary');
});

test('ssh preset against OpenSSH sshd', async (t) => {
  mustExist('/usr/sbin/sshd', 'openssh-server');
  mustExist('/usr/bin/ssh-keygen', 'openssh-client');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-sshd-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  const port = await refusedPort();
  fs.writeFileSync(
    path.join(dir, 'sshd_config'),
    [`ListenAddress 127.0.0.1`, `Port ${port}`, `HostKey ${dir}/host_key`, 'PidFile none', 'UsePAM no', 'StrictModes no', ''].join('\n'),
  );
  // sshd refuses to start without its privilege separation directory (Debian creates it at boot).
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  await daemon(t, '/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], port);
  const r = await check({ preset: 'ssh', port });
  assert.equal(r.ok, true, r.summary);
  assert.match(r.summary, /: SSH-2\.0-OpenSSH_\S+.* in [\d.]+ ms$/);
});

test('smtp preset against a real SMTP server (smtp-server): banner, EHLO, QUIT', async (t) => {
  // smtp-server logs the dialogue (`C: EHLO ...`) through a bunyan-style logger: capture it.
  const said: string[] = [];
  const note = (...a: unknown[]) => void said.push(a.filter((x) => typeof x === 'string').join(' '));
  const logger = { info: note, debug: note, error: note, warn: note, trace: note, fatal: note, child: () => logger };
  const server = new SMTPServer({ disabledCommands: ['AUTH', 'STARTTLS'], banner: 'vigil test MTA', logger: logger as never });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.server.address() as { port: number }).port;
  const r = await check({ preset: 'smtp', port });
  assert.equal(r.ok, true, r.summary);
  assert.match(r.summary, /: 220 .*vigil test MTA.* in [\d.]+ ms$/);
  for (let i = 0; i < 40 && !said.includes('C: QUIT'); i++) await new Promise((res) => setTimeout(res, 25));
  assert.deepEqual(said.filter((l) => l.startsWith('C: ')), [`C: EHLO ${os.hostname()}`, 'C: QUIT']);
});

// ---------------------------------------------------------- scripted servers

test('smtp preset: multi-line banner, EHLO 250, QUIT; and a 554 refusal', async (t) => {
  const srv = await lineServer('220-mx.test ESMTP\r\n220 ready\r\n', (line) =>
    /^EHLO /.test(line) ? '250-mx.test\r\n250 PIPELINING\r\n' : line === 'QUIT' ? '221 bye\r\n' : '500 what\r\n',
  );
  t.after(() => srv.close());
  const r = await check({ preset: 'smtp', port: srv.port });
  assert.equal(r.ok, true, r.summary);
  assert.match(r.summary, /: 220 ready in/);
  for (let i = 0; i < 40 && srv.lines.length < 2; i++) await new Promise((res) => setTimeout(res, 25));
  assert.match(srv.lines[0]!, /^EHLO \S+$/);
  assert.equal(srv.lines[1], 'QUIT');

  const busy = await lineServer('554 mx.test no service for you\r\n');
  t.after(() => busy.close());
  const b = await check({ preset: 'smtp', port: busy.port });
  assert.equal(b.summary, `127.0.0.1:${busy.port}: SMTP answered "554 mx.test no service for you" (expected 220)`);

  const noEhlo = await lineServer('220 hi\r\n', () => '502 not implemented\r\n');
  t.after(() => noEhlo.close());
  assert.match((await check({ preset: 'smtp', port: noEhlo.port })).summary, /SMTP answered "502 not implemented" \(expected 250\)$/);
});

test('ftp preset: 220 banner then QUIT; 421 fails', async (t) => {
  const srv = await lineServer('220-Welcome\r\n220 FTP ready\r\n');
  const full = await lineServer('421 Too many users\r\n');
  t.after(() => Promise.all([srv.close(), full.close()]));
  const r = await check({ preset: 'ftp', port: srv.port });
  assert.equal(r.ok, true, r.summary);
  for (let i = 0; i < 40 && srv.lines.length < 1; i++) await new Promise((res) => setTimeout(res, 25));
  assert.deepEqual(srv.lines, ['QUIT']);
  assert.match((await check({ preset: 'ftp', port: full.port })).summary, /FTP answered "421 Too many users" \(expected 220\)$/);
});

test('imap and pop3 presets: greeting OK passes, BYE / -ERR fail', async (t) => {
  const imap = await lineServer('* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n');
  const imapBye = await lineServer('* BYE Too many connections\r\n');
  const pop = await lineServer('+OK POP3 ready\r\n');
  const popErr = await lineServer('-ERR [SYS/TEMP] try later\r\n');
  t.after(() => Promise.all([imap, imapBye, pop, popErr].map((s) => s.close())));
  const a = await check({ preset: 'imap', port: imap.port });
  assert.equal(a.ok, true, a.summary);
  for (let i = 0; i < 40 && imap.lines.length < 1; i++) await new Promise((res) => setTimeout(res, 25));
  assert.deepEqual(imap.lines, ['a1 LOGOUT']);
  assert.match((await check({ preset: 'imap', port: imapBye.port })).summary, /IMAP answered "\* BYE Too many connections" \(expected "\* OK"\)$/);
  assert.equal((await check({ preset: 'pop3', port: pop.port })).ok, true);
  assert.match((await check({ preset: 'pop3', port: popErr.port })).summary, /POP3 answered "-ERR \[SYS\/TEMP\] try later"/);
});

test('ssh preset: lines before the banner are allowed; SSH-1.5 is not', async (t) => {
  const pre = await lineServer('please wait\r\nSSH-2.0-dropbear_2022.83\r\n');
  const old = await lineServer('SSH-1.5-ancient\r\n');
  t.after(() => Promise.all([pre.close(), old.close()]));
  const r = await check({ preset: 'ssh', port: pre.port });
  assert.match(r.summary, /: SSH-2\.0-dropbear_2022\.83 in/);
  assert.match((await check({ preset: 'ssh', port: old.port })).summary, /SSH answered "SSH-1\.5-ancient" \(expected protocol 2\.0\)$/);
});

/** A MySQL 8 initial handshake packet (protocol 10), as the server sends it on connect. */
function mysqlHandshake(version: string): Buffer {
  const payload = Buffer.concat([
    Buffer.from([0x0a]),
    Buffer.from(version + '\0', 'latin1'),
    Buffer.from([0x08, 0, 0, 0]), // connection id
    Buffer.from('abcdefgh', 'latin1'), Buffer.from([0]), // auth-plugin-data part 1 + filler
    Buffer.from([0xff, 0xff, 0xff, 0x02, 0x00, 0xff, 0xdf, 21]), // caps low, charset, status, caps high, auth len
    Buffer.alloc(10), // reserved
    Buffer.from('ijklmnopqrst\0', 'latin1'),
    Buffer.from('caching_sha2_password\0', 'latin1'),
  ]);
  const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, 0, 0]);
  return Buffer.concat([header, payload]);
}

test('mysql preset: handshake packet (even split across reads), error packet, not MySQL', async (t) => {
  const hs = mysqlHandshake('8.0.36-0ubuntu0.22.04.1');
  const srv = await tcpServer((s) => {
    s.write(hs.subarray(0, 3));
    setTimeout(() => s.write(hs.subarray(3)), 20);
  });
  const errPkt = Buffer.concat([Buffer.from([0xff, 0x10, 0x04]), Buffer.from('Too many connections', 'latin1')]);
  const busy = await tcpServer((s) => s.end(Buffer.concat([Buffer.from([errPkt.length, 0, 0, 0]), errPkt])));
  const notMysql = await tcpServer((s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
  t.after(() => Promise.all([srv.close(), busy.close(), notMysql.close()]));
  const r = await check({ preset: 'mysql', port: srv.port });
  assert.equal(r.ok, true, r.summary);
  assert.match(r.summary, /: MySQL 8\.0\.36-0ubuntu0\.22\.04\.1 in/);
  assert.match((await check({ preset: 'mysql', port: busy.port })).summary, /MySQL refused the connection: error 1040: Too many connections$/);
  assert.match((await check({ preset: 'mysql', port: notMysql.port })).summary, /not a MySQL handshake/);
});

test('postgres preset: SSLRequest answered S or N; an error or no answer fails', async (t) => {
  const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);
  const pg = (answer: Buffer) =>
    tcpServer((s) => {
      let got = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 8) s.write(got.equals(SSL_REQUEST) ? answer : Buffer.from('?'));
      });
    });
  const fields = Buffer.from('SFATAL\0C53300\0Msorry, too many clients already\0\0', 'utf8');
  const errMsg = Buffer.concat([Buffer.from('E'), Buffer.from([0, 0, 0, fields.length + 4]), fields]);
  const [s, n, e] = await Promise.all([pg(Buffer.from('S')), pg(Buffer.from('N')), pg(errMsg)]);
  const mute = await tcpServer((sock) => sock.once('data', () => sock.end()));
  t.after(() => Promise.all([s.close(), n.close(), e.close(), mute.close()]));
  assert.equal((await check({ preset: 'postgres', port: mute.port })).summary, `127.0.0.1:${mute.port}: PostgreSQL: connection closed without an answer to SSLRequest`);
  assert.match((await check({ preset: 'postgres', port: s.port })).summary, /PostgreSQL \(SSL available\) in/);
  assert.match((await check({ preset: 'postgres', port: n.port })).summary, /PostgreSQL \(no SSL\) in/);
  assert.equal((await check({ preset: 'postgres', port: e.port })).summary, `127.0.0.1:${e.port}: PostgreSQL answered with an error: sorry, too many clients already`);
});

test('presets work over TLS (smtps, imaps style)', async (t) => {
  const srv = await tcpServer((s) => s.write('* OK IMAPS ready\r\n'), { tls: true });
  t.after(() => srv.close());
  const r = await check({ preset: 'imap', port: srv.port, tls: true, tlsVerify: false });
  assert.equal(r.ok, true, r.summary);
});
