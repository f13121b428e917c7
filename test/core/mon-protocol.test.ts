import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escStr, unEscStr } from '../../core/mon-protocol/escape.ts';
import { checkAuth, clientAllowed, parseAuthCf, trapAllowed, DEBIAN_DEFAULT_AUTH } from '../../core/mon-protocol/auth.ts';
import { opstatusLine } from '../../core/mon-protocol/opstatus.ts';
import { perlLocaltime } from '../../core/mon-protocol/commands.ts';
import { createMonProtocolServer } from '../../core/mon-protocol/server.ts';
import { monCfToModel } from '../../core/config/moncf.ts';
import { silentLogger } from '../../core/log.ts';
import { fakeRuntime } from '../compat/fake-runtime.ts';
import { rawClient } from '../compat/raw-mon-client.ts';
import type { ServiceStatusView } from '../../core/runtime.ts';

test('esc_str / un_esc_str as mon', () => {
  assert.equal(escStr('a b\n"x\'\\', true), 'a\\20b\\0a\\22x\\27\\\\');
  assert.equal(escStr('a\\b'), 'a\\b');
  assert.equal(escStr('é\x7f\x01'), '\\c3\\a9\\7f\\01');
  assert.equal(escStr(undefined), '');
  assert.equal(unEscStr('disk\\20full\\0a\\c3\\a9'), 'disk full\né');
  assert.equal(unEscStr('\\zz\\2'), '\\zz\\2');
  for (const s of ['plain', 'two words', 'line\nbreak', 'quote"s\'', 'ünï', '']) assert.equal(unEscStr(escStr(s)), s);
});

test('auth.cf: allow, deny wins, AUTH_ANY, all, absent = denied; trap section', async () => {
  const { policy, problems } = parseAuthCf(`# c
command section
list: all
disable: alice, AUTH_ANY, !bob
Ack: carol
enable: !AUTH_ANY, all
broken line
trap section
127.0.0.1 * x
10.0.0.9 trapper $1$salt$hash
bad entry
`);
  assert.equal(problems.length, 2);
  assert.equal(checkAuth(policy, undefined, 'list'), true);
  assert.equal(checkAuth(policy, undefined, 'disable'), false);
  assert.equal(checkAuth(policy, 'zed', 'disable'), true);
  assert.equal(checkAuth(policy, 'bob', 'disable'), false);
  assert.equal(checkAuth(policy, 'carol', 'ack'), true, 'command names are lower-cased');
  assert.equal(checkAuth(policy, 'alice', 'ack'), false);
  assert.equal(checkAuth(policy, 'alice', 'enable'), false, '!AUTH_ANY denies every logged-in user');
  assert.equal(checkAuth(policy, undefined, 'enable'), true);
  assert.equal(checkAuth(policy, 'alice', 'reset'), false, 'absent command: denied');

  const never = async () => false;
  const always = async () => true;
  assert.deepEqual(await trapAllowed(policy, '127.0.0.1', '', '', never), { ok: true });
  assert.equal((await trapAllowed(policy, '127.0.0.2', '', '', always)).ok, false);
  assert.equal((await trapAllowed(policy, '10.0.0.9', 'other', 'pw', always)).ok, false);
  assert.equal((await trapAllowed(policy, '10.0.0.9', 'trapper', 'pw', never)).ok, false);
  assert.equal((await trapAllowed(policy, '10.0.0.9', 'trapper', 'pw', always)).ok, true);
  // QUIRK: with a `*` host line only `*` lines count.
  const star = parseAuthCf('trap section\n* u $1$x$y\n127.0.0.1 * x\n').policy;
  assert.equal((await trapAllowed(star, '127.0.0.1', 'nobody', '', never)).ok, false);
  assert.equal((await trapAllowed(parseAuthCf('trap section\n').policy, '127.0.0.1', '', '', always)).ok, false, 'no trap lines: every trap rejected');
  const deb = parseAuthCf(DEBIAN_DEFAULT_AUTH).policy;
  assert.equal(checkAuth(deb, undefined, 'list'), true);
  assert.equal(checkAuth(deb, undefined, 'disable'), false);
});

test('clientallow: anchored regexes with literal dots, as mon', () => {
  assert.equal(clientAllowed(['127.0.0.1'], '127.0.0.1'), true);
  assert.equal(clientAllowed(['127.0.0.1'], '127.0.0.10'), false);
  assert.equal(clientAllowed(['127.0.0.1'], '127x0x0x1'), false);
  // As in mon, "10.1.*" means "10.1" then any number of dots: write 10.1.\d+.\d+ instead.
  assert.equal(clientAllowed(['10.1.*'], '10.1.2.3'), false);
  assert.equal(clientAllowed(['10.1.\\d+.\\d+'], '10.1.2.3'), true);
  assert.equal(clientAllowed(['192.168.1.\\d+', '127.0.0.1'], '::ffff:127.0.0.1'), true);
  assert.equal(clientAllowed(undefined, '8.8.8.8'), true);
});

test('perl localtime format', () => {
  assert.match(perlLocaltime(new Date(2026, 10, 6, 2, 5, 9)), /^Fri Nov  6 02:05:09 2026$/);
});

function baseView(over: Partial<ServiceStatusView>): ServiceStatusView {
  return {
    watch: 'tcpsvc', service: 'tcp', status: 'ok', opstatus: 1, lastOpstatus: 1, running: false, overdue: false, summary: '', detail: '',
    consecutiveFailures: 0, failureCount: 0, alertsSent: 0, disabled: false, acked: false, monitor: 'script', hosts: [], ...over,
  };
}

test('list opstatus line: byte-identical to mon\'s observed lines (d.3)', () => {
  const cfg = monCfToModel('hostgroup tcpsvc 127.0.0.4\n\nwatch tcpsvc\n service tcp\n  interval 5s\n  monitor tcp.monitor -p 7001 -t 3\n', '/x/mon.cf');
  const svc = cfg.watches[0]!.services[0]!;
  const healthy = baseView({ exitCode: 0, nextCheck: 1795661739_000, lastSuccess: 1795661736_000, lastCheck: 1795661735_000, durationMs: 1000 });
  assert.equal(
    opstatusLine(healthy, svc, 1795661736_000),
    'group=tcpsvc service=tcp opstatus=1 last_opstatus=1 exitval=0 timer=3 last_success=1795661736 last_trap=0 last_traphost= last_check=1795661735 ack=0 ackcomment= alerts_sent=0 depstatus= depend= hostdepend= monitordepend= alertdepend= monitor=tcp.monitor\\20-p\\207001\\20-t\\203 last_summary= last_detail= interval=5 monitor_duration=1 monitor_running=0',
  );
  const failing = baseView({
    status: 'fail', opstatus: 0, lastOpstatus: 0, exitCode: 1, nextCheck: 1795661774_000, lastSuccess: 1795661757_000, lastCheck: 1795661770_000,
    alertsSent: 3, summary: '127.0.0.4', detail: '\n127.0.0.4 could not connect: Connection refused\n', lastFailure: 1795661771_000, durationMs: 1000,
    lastAlert: 1795661771_000, firstFailure: 1795661761_000,
  });
  assert.equal(
    opstatusLine(failing, svc, 1795661773_000),
    'group=tcpsvc service=tcp opstatus=0 last_opstatus=0 exitval=1 timer=1 last_success=1795661757 last_trap=0 last_traphost= last_check=1795661770 ack=0 ackcomment= alerts_sent=3 depstatus= depend= hostdepend= monitordepend= alertdepend= monitor=tcp.monitor\\20-p\\207001\\20-t\\203 last_summary=127.0.0.4 last_detail=\\0a127.0.0.4\\20could\\20not\\20connect:\\20Connection\\20refused\\0a last_failure=1795661771 interval=5 monitor_duration=1 monitor_running=0 last_alert=1795661771 first_failure=1795661761 failure_duration=12',
  );
  const untested = opstatusLine(baseView({ opstatus: 7, lastOpstatus: 7 }), undefined, 0);
  assert.match(untested, / exitval=undef timer= last_success=0 /);
});

const CF = `hostgroup web 127.0.0.2 127.0.0.3
hostgroup solo 127.0.0.9

watch web
  service http
    description front page
    interval 1m
    monitor http.monitor -p 8080
    depend solo:ping && web:other
  service other
    interval 1m
    monitor tcp.monitor
    period
      alert mail.alert ops

watch solo
  service ping
    interval 1m
    monitor fping.monitor
`;

async function server(authText?: string, clientAllow?: string[]) {
  let now = 1_800_000_000_000;
  const cfg = monCfToModel(CF, '/x/mon.cf');
  const rt = fakeRuntime(cfg, () => now);
  let authFile: string | undefined;
  if (authText !== undefined) {
    authFile = join(mkdtempSync(join(tmpdir(), 'monauth-')), 'auth.cf');
    writeFileSync(authFile, authText);
  }
  const srv = createMonProtocolServer({ runtime: rt, listen: '127.0.0.1:0', authFile, clientAllow, log: silentLogger, now: () => now, authTypes: ['trustlocal'] });
  const { port } = await srv.listen();
  return { rt, srv, port, tick: (ms: number) => (now += ms) };
}

test('server: framing, mon reply texts, auth, disable/enable/ack through the Runtime', async (t) => {
  const { rt, srv, port } = await server('command section\nlist: all\nversion: all\nservertime: all\ndisable: AUTH_ANY\nenable: AUTH_ANY\nack: AUTH_ANY\ntest: all\ncheckauth: all\n');
  t.after(() => srv.close());
  const c = await rawClient(port);
  assert.deepEqual(await c.cmd('version'), ['version 9745', '220 version completed']);
  assert.deepEqual(await c.cmd('protid 9745'), ['220 protocol match']);
  assert.deepEqual(await c.cmd('protid 1'), ['520 protocol mismatch']);
  assert.deepEqual(await c.cmd('LIST STATE'), ['520 unknown list command']);
  assert.deepEqual(await c.cmd('list state'), ['scheduler running', '220 list state completed']);
  assert.deepEqual(await c.cmd('frobnicate'), ['520 invalid command']);
  assert.deepEqual(await c.cmd(''), ['520 invalid command']);
  assert.deepEqual(await c.cmd('stop'), ['520 command could not be executed, unknown command'], 'stop is absent from auth.cf');
  assert.deepEqual(await c.cmd('disable service web http'), ['520 command could not be executed, unknown command'], 'AUTH_ANY needs a login');
  assert.deepEqual(await c.cmd('checkauth disable'), ['520 command could not be executed']);
  assert.deepEqual(await c.cmd('login ops secret'), ['220 login accepted'], 'trustlocal from 127.0.0.1');
  assert.deepEqual(await c.cmd('checkauth disable'), ['220 command authorized']);
  const st = await c.cmd('servertime');
  assert.match(st[0]!, /^1800000000 \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);

  const ops = await c.cmd('list opstatus');
  assert.equal(ops.at(-1), '220 list opstatus completed');
  assert.equal(ops.length, 4);
  assert.ok(ops.some((l) => l.startsWith('group=web service=http opstatus=7 last_opstatus=7 exitval=undef timer=60 ')));
  assert.ok(ops.some((l) => / depend=solo:ping\\20&&\\20web:other /.test(l)));
  assert.deepEqual((await c.cmd('list opstatus web,other')).length, 2);
  assert.deepEqual(await c.cmd('list opstatus web,nope'), ['520 web,nope does not exist']);
  assert.deepEqual(await c.cmd('list descriptions'), ['web http front\\20page', 'web other ', 'solo ping ', '220 list descriptions completed']);
  assert.deepEqual(await c.cmd('list watch'), ['web http', 'web other', 'solo ping', '220 list watch completed']);
  assert.deepEqual(await c.cmd('list deps'), [
    "exp web http 'solo:ping\\20&&\\20web:other'", 'cmp web http solo:ping web:other',
    "exp web other 'NONE'", 'cmp web other NONE', "exp solo ping 'NONE'", 'cmp solo ping NONE', '220 list deps completed',
  ]);

  assert.deepEqual(await c.cmd('disable service web http'), ['220 disable service completed']);
  assert.deepEqual(await c.cmd('disable service web nope'), ['520 disable error, unknown service']);
  assert.deepEqual(await c.cmd('disable watch nope'), ['520 disable error, unknown watch "nope"']);
  assert.deepEqual(await c.cmd('disable host 127.0.0.3'), ['220 disable host completed']);
  assert.deepEqual(await c.cmd('disable host 10.9.9.9 127.0.0.2'), ['520 disable host failed, host(s) 10.9.9.9 do not exist']);
  assert.deepEqual(await c.cmd('disable host 127.0.0.9'), ['220 disable host completed']);
  assert.ok(rt.disabledWatches.has('solo'), 'a singleton group takes its watch with it');
  assert.deepEqual(await c.cmd('disable frob x'), ['520 command could not be executed']);
  assert.deepEqual(await c.cmd('list disabled'), ['group web: 127.0.0.3', 'group solo: 127.0.0.9', 'watch web service http', 'watch solo', '220 list disabled completed']);
  assert.deepEqual(await c.cmd('list group web'), ['hostgroup web 127.0.0.2 *127.0.0.3', '220 list group completed']);
  assert.deepEqual(await c.cmd('list group nope'), ['520 list group error, undefined group']);
  assert.deepEqual(await c.cmd('enable service web http'), ['220 enable completed']);
  assert.deepEqual(await c.cmd('enable service web nope'), ['520 enable error, unknown group']);
  assert.deepEqual(await c.cmd('enable host 127.0.0.3 127.0.0.9'), ['220 enable completed']);
  assert.deepEqual(await c.cmd('enable watch nope'), ['520 enable error, unknown watch']);
  assert.deepEqual(await c.cmd('list disabled'), ['220 list disabled completed']);

  assert.deepEqual(await c.cmd('ack web http working on it'), ['520 service is in a non-failure state']);
  rt.setFailing('web', 'http', '127.0.0.2', 'refused', 1_799_999_990_000);
  assert.deepEqual(await c.cmd('ack web http working on it'), ['220 ack completed']);
  assert.ok(rt.calls.includes('ack web http working ops'), 'only the first word of the comment, and the user');
  assert.deepEqual(await c.cmd('ack nope http x'), ['520 unknown group']);
  assert.deepEqual(await c.cmd('ack web nope x'), ['520 unknown service']);
  const failing = await c.cmd('list failures');
  assert.equal(failing.length, 2);
  assert.match(failing[0]!, /^group=web service=http opstatus=0 .* ack=1800000000 ackcomment=ops:\\20working /, 'ack time = now');
  assert.deepEqual(await c.cmd('test monitor web other'), ['220 test monitor completed']);
  assert.deepEqual(await c.cmd('test monitor web nope'), ['web nope not defined', '220 test monitor completed']);
  assert.ok(rt.calls.includes('testNow web other'));
  assert.deepEqual(await c.cmd('test alert web other 2 always'), ['220 test alert completed']);
  assert.ok(rt.calls.includes('testAlert alert web other always 2'));
  assert.deepEqual(await c.cmd('test upalert web nope 0 always'), ['520 web nope not defined']);
  assert.deepEqual(await c.cmd('test upalert web other 0 wd {Mon}'), ['520 period not defined']);
  assert.deepEqual(await c.cmd('test frob'), ['520 test error']);
  assert.deepEqual(await c.cmd('quit'), ['220 quitting']);
  await c.closed;
});

test('server: several commands in one write, CRLF; idle-free quit; clientallow closes silently', async (t) => {
  const { srv, port } = await server(undefined, ['10.0.0.1']);
  t.after(() => srv.close());
  const c = await rawClient(port);
  await c.closed; // closed without any reply
  const { srv: s2, port: p2 } = await server();
  t.after(() => s2.close());
  const net = await import('node:net');
  const sock = net.connect(p2, '127.0.0.1');
  let got = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => (got += d));
  sock.write('version\r\nlist watch\r\n\r\nquit\r\n');
  await new Promise((ok) => sock.on('close', ok));
  assert.equal(got, 'version 9745\n220 version completed\nweb http\nweb other\nsolo ping\n220 list watch completed\n220 quitting\n');
});

test('server: unreadable auth file fails listen() with the path in the message', async () => {
  const cfg = monCfToModel(CF, '/x/mon.cf');
  const srv = createMonProtocolServer({ runtime: fakeRuntime(cfg, Date.now), listen: '127.0.0.1:0', authFile: '/nonexistent/auth.cf', log: silentLogger });
  await assert.rejects(srv.listen(), /nonexistent\/auth\.cf/);
});
