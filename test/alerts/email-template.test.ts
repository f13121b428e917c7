import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate } from '../../alerts/email/template.ts';
import { parseSmtpUrl, normalise } from '../../alerts/email/options.ts';
import { RateLimit } from '../../alerts/email/rate-limit.ts';
import { ctime, subjectTime, renderDigest, compileMessage } from '../../alerts/email/message.ts';
import { smtpError } from '../../alerts/email/smtp-error.ts';
import { isLoopback } from '../../alerts/email/transport.ts';
import type { AlertEvent } from '../../core/types.ts';

test('templates: fields, escaped braces, and errors that name the problem', () => {
  const t = compileTemplate('{a}-{{b}}-{a}{c}', ['a', 'c'], 'subject');
  assert.equal(t({ a: 'x', c: 'y' }), 'x-{b}-xy');
  assert.equal(t({ a: '{c}', c: '1' }), '{c}-{b}-{c}1', 'values are not expanded again');
  assert.throws(() => compileTemplate('{nope}', ['a'], 'subject'), /subject: unknown field \{nope\}; known fields: \{a\}/);
  assert.throws(() => compileTemplate('50% {a', ['a'], 'body'), /body: lone "\{" at offset 4; write \{\{ or \}\} for a literal brace/);
  assert.throws(() => compileTemplate('a}', ['a'], 'body'), /lone "\}"/);
});

test('smtp URLs: schemes, default ports, IPv6, credentials kept out of the display', () => {
  assert.deepEqual(parseSmtpUrl('smtp://127.0.0.1:2525'), { host: '127.0.0.1', port: 2525, secure: false, display: 'smtp://127.0.0.1:2525' });
  assert.deepEqual(parseSmtpUrl('smtps://mail.example.com'), { host: 'mail.example.com', port: 465, secure: true, display: 'smtps://mail.example.com:465' });
  assert.equal(parseSmtpUrl('smtp://[::1]').display, 'smtp://[::1]:25');
  assert.equal(parseSmtpUrl('smtp://[::1]:2525').host, '::1');
  const withCreds = parseSmtpUrl('smtp://bob:p%40ss@mail:587');
  assert.equal(withCreds.display, 'smtp://mail:587');
  assert.equal(withCreds.urlUser, 'bob');
  assert.equal(withCreds.urlPassword, 'p@ss');
  assert.throws(() => parseSmtpUrl('mail.example.com:25'), /not a URL|scheme must be/);
  assert.equal(normalise({ to: 'a@b.c', digest: '2m' }).digestMs, 120_000);
  assert.equal(normalise({ to: 'a@b.c', digest: 1.5 }).digestMs, 1500);
  assert.deepEqual(normalise({ to: 'a@b.c', rateLimit: { max: 3, per: '1h' } }).rateLimit, { max: 3, perMs: 3_600_000, text: '3 mails per 1h' });
  assert.throws(() => normalise({ to: [] }), /give at least one address/);
});

test('rate limit: a sliding window of sent mails', () => {
  const r = new RateLimit(2, 1000);
  assert.equal(r.nextFreeAt(0), 0);
  r.record(0);
  r.record(100);
  assert.equal(r.nextFreeAt(200), 1000);
  assert.equal(r.nextFreeAt(1000), 1000, 'the first mail left the window');
  r.forget(100);
  assert.equal(r.nextFreeAt(200), 200);
});

test('ctime is Perl\'s localtime: a space-padded day', () => {
  const d = new Date(2026, 10, 6, 4, 5, 9).getTime();
  assert.equal(ctime(d), 'Fri Nov  6 04:05:09 2026');
  assert.equal(subjectTime(d), 'Fri Nov 6 04:05:09');
});

test('a digest of one event is the plain mail; of several, a counted subject', () => {
  const e = (id: string, type: AlertEvent['type'], service: string): AlertEvent => ({
    id, type, watch: 'w', service, hosts: [], failedHosts: [], summary: `s-${id}`, detail: '', output: '', at: 0, count: 1, incident: 'i',
  });
  const t = compileMessage();
  assert.match(renderDigest(t, [e('1', 'down', 'a')], 0).subject, /^ALERT w\/a: s-1 \(/);
  const many = renderDigest(t, [e('1', 'down', 'a'), e('2', 'up', 'b'), e('3', 'startup', 'c'), e('4', 'ack', 'd')], 0);
  assert.match(many.subject, /^4 alerts: ALERT w\/a, UPALERT w\/b, STARTUPALERT w\/c, \+1 more \(/);
  assert.match(many.text, /=== 4 of 4: ACKALERT w\/d: s-4/);
});

test('SMTP errors never carry the password', () => {
  const err = smtpError(Object.assign(new Error('Invalid login: 535 bad password hunter2'), { code: 'EAUTH', responseCode: 535 }), {
    server: 'smtp://127.0.0.1:25', user: 'vigil', password: 'hunter2', to: ['a@b.c'],
  });
  assert.equal(err.message, 'email via smtp://127.0.0.1:25: the SMTP server refused the login of user "vigil": check the user and the password (passwordEnv/passwordFile) (Invalid login: 535 bad password ****)');
  assert.match(smtpError(Object.assign(new Error('x'), { responseCode: 554 }), { server: 's', to: [] }).message, /answered 554 \(permanent refusal/);
});

test('loopback servers are recognised (no STARTTLS to them under starttls: auto)', () => {
  for (const h of ['127.0.0.1', '127.0.0.53', '::1', 'localhost', 'LOCALHOST']) assert.ok(isLoopback(h), h);
  for (const h of ['10.0.0.1', 'mail.example.com', '::2', '128.0.0.1']) assert.ok(!isLoopback(h), h);
});

test('a 5xx answer is a permanent failure, a refused login is not', async () => {
  const { isPermanentFailure } = await import('../../core/types.ts');
  assert.equal(isPermanentFailure(smtpError(Object.assign(new Error('x'), { responseCode: 554 }), { server: 's', to: [] })), true);
  assert.equal(isPermanentFailure(smtpError(Object.assign(new Error('x'), { responseCode: 451 }), { server: 's', to: [] })), false);
  assert.equal(isPermanentFailure(smtpError(Object.assign(new Error('x'), { responseCode: 535, code: 'EAUTH' }), { server: 's', to: [] })), false);
});
