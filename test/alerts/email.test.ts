import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import email from '../../alerts/email.ts';
import type { EmailOptions } from '../../alerts/email.ts';
import { ctime, subjectTime } from '../../alerts/email/message.ts';
import type { Alert, AlertEvent, Logger, PluginContext } from '../../core/types.ts';
import { startSmtp, header, headers, decodedBody, type TestSmtp } from '../helpers/smtp.ts';

const CERT = resolve(import.meta.dirname, '../fixtures/tls/server-cert.pem');
const AT = Date.UTC(2026, 10, 26, 3, 50, 7);

function ev(over: Partial<AlertEvent> = {}): AlertEvent {
  return {
    id: 'web/http/-/1764128000000/1',
    type: 'down',
    watch: 'web',
    service: 'http',
    hosts: ['127.0.0.2', '127.0.0.3'],
    failedHosts: ['127.0.0.2'],
    summary: '127.0.0.2',
    detail: '127.0.0.2: connect ECONNREFUSED 127.0.0.2:8080\n',
    output: '127.0.0.2\n127.0.0.2: connect ECONNREFUSED 127.0.0.2:8080\n',
    since: AT - 20_000,
    at: AT,
    count: 2,
    incident: 'web/http/1764128000000',
    ...over,
  };
}

function ctx(log: Logger = quiet().log, configDir = tmpdir()): PluginContext {
  return { log, now: Date.now, configDir, stateDir: tmpdir(), watch: 'web', service: 'http' };
}

function quiet() {
  const lines: string[] = [];
  const mk = () => (f: Record<string, unknown>, m: string) => void lines.push(`${m} ${JSON.stringify(f)}`);
  const log: Logger = { debug: mk(), info: mk(), warn: mk(), error: mk(), child: () => log };
  return { log, lines };
}

const open: Alert[] = [];
async function create(options: EmailOptions, c: PluginContext = ctx()): Promise<Alert> {
  const a = await email.create(options, c);
  open.push(a);
  return a;
}
const servers: TestSmtp[] = [];
async function smtp(...args: Parameters<typeof startSmtp>): Promise<TestSmtp> {
  const s = await startSmtp(...args);
  servers.push(s);
  return s;
}
after(async () => {
  for (const a of open) await a.close?.();
  for (const s of servers) await s.stop();
});

const signal = () => AbortSignal.timeout(10_000);

test('default mail looks like mon\'s mail.alert: headers, envelope and body', async () => {
  const s = await smtp();
  const a = await create({ smtp: s.url, from: 'vigil@example.com', to: ['ops@example.com'], cc: 'boss@example.com' });
  await a.send(ev(), signal());
  const [m] = await s.waitFor(1);
  assert.equal(m!.from, 'vigil@example.com');
  assert.deepEqual(m!.to, ['ops@example.com', 'boss@example.com']);
  assert.equal(header(m!.raw, 'From'), 'vigil@example.com');
  assert.equal(header(m!.raw, 'To'), 'ops@example.com');
  assert.equal(header(m!.raw, 'Cc'), 'boss@example.com');
  assert.equal(header(m!.raw, 'Subject'), `ALERT web/http: 127.0.0.2 (${subjectTime(AT)})`);
  assert.match(subjectTime(AT), /^[A-Z][a-z]{2} Nov 2[56] \d\d:\d\d:07$/);
  assert.equal(header(m!.raw, 'X-Vigil-Event'), 'web/http/-/1764128000000/1');
  await a.send(ev(), signal());
  const [, again] = await s.waitFor(2);
  assert.match(header(m!.raw, 'Message-ID')!, /^<[0-9a-f]{32}\.vigil@.+>$/);
  assert.equal(header(again!.raw, 'Message-ID'), header(m!.raw, 'Message-ID'), 'a resent event keeps its Message-ID');
  assert.equal(
    decodedBody(m!.raw),
    [
      'Summary output        : 127.0.0.2',
      '',
      'Group                 : web',
      'Service               : http',
      `Time noticed          : ${ctime(AT)}`,
      'Members               : 127.0.0.2 127.0.0.3',
      'Failing hosts         : 127.0.0.2',
      '',
      'Detailed text (if any) follows:',
      '-------------------------------',
      '127.0.0.2: connect ECONNREFUSED 127.0.0.2:8080',
      '',
    ].join('\n'),
  );
});

test('the issue\'s example works as written; an up event says UPALERT', async () => {
  const s = await smtp();
  const a = await create({ to: ['ops@example.com'], from: 'vigil@example.com', smtp: s.url });
  await a.send(ev({ type: 'up', failedHosts: [], id: 'up-1' }), signal());
  const [m] = await s.waitFor(1);
  assert.match(header(m!.raw, 'Subject')!, /^UPALERT web\/http: 127\.0\.0\.2 \(/);
});

test('subject and body templates use event fields; unknown fields fail at create', async () => {
  const s = await smtp();
  const a = await create({
    smtp: s.url,
    to: 'ops@example.com',
    subject: '[{type}] {watch}/{service} on {failedHosts} #{count} {{literal}}',
    body: 'incident {incident}\nhosts: {hosts}\n{output}',
  });
  await a.send(ev({ summary: 'two\nlines' }), signal());
  const [m] = await s.waitFor(1);
  assert.equal(header(m!.raw, 'Subject'), '[down] web/http on 127.0.0.2 #2 {literal}');
  assert.equal(decodedBody(m!.raw), 'incident web/http/1764128000000\nhosts: 127.0.0.2 127.0.0.3\n127.0.0.2\n127.0.0.2: connect ECONNREFUSED 127.0.0.2:8080\n');
  await assert.rejects(
    async () => email.create({ to: 'a@b.c', subject: '{watch} {sevrice}' }, ctx()),
    /email option "subject": unknown field \{sevrice\}; known fields: .*\{service\}/,
  );
});

test('STARTTLS with the self-signed certificate and AUTH from passwordEnv work', async () => {
  const s = await smtp({ starttls: true, auth: { user: 'vigil', pass: 's3cret-env' } });
  process.env.VIGIL_TEST_SMTP_PASS = 's3cret-env';
  const a = await create({ smtp: s.url, to: 'ops@example.com', starttls: 'required', tls: { ca: CERT }, user: 'vigil', passwordEnv: 'VIGIL_TEST_SMTP_PASS' });
  await a.send(ev(), signal());
  const [m] = await s.waitFor(1);
  assert.equal(m!.secure, true, 'the session was upgraded with STARTTLS');
  assert.equal(m!.user, 'vigil');
});

test('TLS from the first byte (smtps://) with rejectUnauthorized: false, password from a file', async () => {
  const s = await smtp({ secure: true, auth: { user: 'vigil', pass: 'from-file' } });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-email-'));
  writeFileSync(join(dir, 'smtp.pass'), 'from-file\n');
  chmodSync(join(dir, 'smtp.pass'), 0o600);
  const a = await create(
    { smtp: s.url, to: 'ops@example.com', tls: { rejectUnauthorized: false }, user: 'vigil', passwordFile: 'smtp.pass' },
    ctx(quiet().log, dir),
  );
  assert.ok(s.url.startsWith('smtps://'));
  await a.send(ev(), signal());
  const [m] = await s.waitFor(1);
  assert.equal(m!.secure, true);
  assert.equal(m!.user, 'vigil');
});

test('an untrusted certificate and a missing STARTTLS give errors that say what to do', async () => {
  const tls = await smtp({ starttls: true });
  const a = await create({ smtp: tls.url, to: 'ops@example.com', starttls: 'required' });
  await assert.rejects(a.send(ev(), signal()), /TLS certificate is not trusted: give its CA with tls: \{ ca: FILE \}/);
  const plain = await smtp();
  const b = await create({ smtp: plain.url, to: 'ops@example.com', starttls: 'required' });
  await assert.rejects(b.send(ev(), signal()), (err: Error) =>
    err.message.startsWith(`email via ${plain.url}: the server does not offer STARTTLS but starttls: required is set`));
  await plain.stop();
  await assert.rejects(b.send(ev(), signal()), /cannot reach the mail server: is it running and listening on that address and port\? \(connect ECONNREFUSED/);
  assert.equal(plain.messages.length + tls.messages.length, 0);
});

test('to a loopback MTA with a snakeoil certificate, starttls auto sends without STARTTLS', async () => {
  const s = await smtp({ starttls: true });
  const a = await create({ smtp: s.url, to: 'ops@example.com' });
  await a.send(ev(), signal());
  const [m] = await s.waitFor(1);
  assert.equal(m!.secure, false);
});

test('a wrong password: a clear error naming the user, never the password', async () => {
  const s = await smtp({ auth: { user: 'vigil', pass: 'right' } });
  process.env.VIGIL_TEST_WRONG = 'Wr0ng-Passw0rd';
  const { log, lines } = quiet();
  const a = await create({ smtp: s.url, to: 'ops@example.com', user: 'vigil', passwordEnv: 'VIGIL_TEST_WRONG' }, ctx(log));
  const err = await a.send(ev(), signal()).then(() => undefined, (e: Error) => e);
  assert.ok(err);
  assert.match(err.message, /the SMTP server refused the login of user "vigil": check the user and the password \(passwordEnv\/passwordFile\)/);
  assert.match(err.message, /535/);
  assert.ok(!err.message.includes('Wr0ng-Passw0rd'));
  assert.ok(!JSON.stringify(err).includes('Wr0ng-Passw0rd'));
  assert.ok(!lines.join('\n').includes('Wr0ng-Passw0rd'));
  assert.ok(s.authFailures >= 1);
});

test('a missing password source fails at create with a message an operator can follow', async () => {
  delete process.env.VIGIL_TEST_UNSET;
  await assert.rejects(async () => email.create({ to: 'a@b.c', user: 'u', passwordEnv: 'VIGIL_TEST_UNSET' }, ctx()), /environment variable VIGIL_TEST_UNSET \(passwordEnv\) is not set/);
  await assert.rejects(async () => email.create({ to: 'a@b.c', user: 'u' }, ctx()), /no password source; add passwordEnv/);
  await assert.rejects(async () => email.create({ to: 'a@b.c', user: 'u', passwordFile: '/nonexistent/pw' }, ctx()), /cannot read passwordFile \/nonexistent\/pw \(ENOENT\)/);
  await assert.rejects(async () => email.create({ to: 'a@b.c', smtp: 'http://x' }, ctx()), /scheme must be smtp:\/\/ or smtps:\/\//);
});

test('a server that refuses the message makes send fail with its answer', async () => {
  const s = await smtp();
  s.reject = { code: 451, message: 'try again later' };
  const a = await create({ smtp: s.url, to: 'ops@example.com' });
  await assert.rejects(a.send(ev(), signal()), /451/);
  s.reject = null;
  await a.send(ev(), signal());
  assert.equal((await s.waitFor(1)).length, 1);
});

test('digest: events of several services within the window go out as one mail', async () => {
  const s = await smtp();
  const opts: EmailOptions = { smtp: s.url, to: 'ops@example.com', digest: 0.4 };
  const httpAlert = await create(opts);
  const smtpAlert = await create(opts, { ...ctx(), service: 'smtp' });
  const t0 = Date.now();
  await Promise.all([
    httpAlert.send(ev({ id: 'e1' }), signal()),
    smtpAlert.send(ev({ id: 'e2', service: 'smtp', summary: 'mail down' }), signal()),
    httpAlert.send(ev({ id: 'e3', type: 'up' }), signal()),
  ]);
  assert.ok(Date.now() - t0 >= 380, 'the mail waited for the digest window');
  assert.equal(s.messages.length, 1);
  const m = s.messages[0]!;
  assert.deepEqual(headers(m.raw, 'X-Vigil-Event'), ['e1', 'e2', 'e3']);
  assert.match(header(m.raw, 'Subject')!, /^3 alerts: ALERT web\/http, ALERT web\/smtp, UPALERT web\/http \(/);
  const text = decodedBody(m.raw);
  assert.match(text, /=== 1 of 3: ALERT web\/http: 127\.0\.0\.2/);
  assert.match(text, /=== 2 of 3: ALERT web\/smtp: mail down/);
  assert.ok(httpAlert.sendTimeoutMs! >= 60_400, 'the dispatcher is told to wait for the window');
});

test('rate limit: mails over the budget are held and folded into the next one, none dropped', async () => {
  const s = await smtp();
  const { log, lines } = quiet();
  const a = await create({ smtp: s.url, to: 'ops@example.com', rateLimit: { max: 2, per: '1s' } }, ctx(log));
  const t0 = Date.now();
  await Promise.all([1, 2, 3, 4].map((i) => a.send(ev({ id: `r${i}` }), signal())));
  const took = Date.now() - t0;
  assert.equal(s.messages.length, 3);
  assert.deepEqual(s.messages.map((m) => headers(m.raw, 'X-Vigil-Event')), [['r1'], ['r2'], ['r3', 'r4']]);
  assert.ok(took >= 900, `the folded mail waited for the budget (${took} ms)`);
  assert.match(decodedBody(s.messages[2]!.raw), /rate limit \(2 mails per 1s\) was reached; these 2 alert\(s\) were held back/);
  assert.ok(lines.some((l) => l.startsWith('email rate limit reached')));
});

test('an aborted send is not mailed later', async () => {
  const s = await smtp();
  const a = await create({ smtp: s.url, to: 'ops@example.com', digest: 0.2 });
  const ac = new AbortController();
  const p = a.send(ev({ id: 'gone' }), ac.signal);
  ac.abort(new Error('shutdown'));
  await assert.rejects(p, /shutdown/);
  await a.send(ev({ id: 'kept' }), signal());
  assert.deepEqual(s.messages.map((m) => header(m.raw, 'X-Vigil-Event')), ['kept']);
});
