/**
 * The token rules: bearer parsing, constant-time match, loopback detection, and
 * the decision table (unit tests of our own logic); plus a real server with no
 * token configured, which refuses every change with 403.
 */
import { test } from 'node:test';
import http from 'node:http';
import assert from 'node:assert/strict';
import { authorize, bearerToken, isLoopback, resolveToken, tokenMatches } from '../../core/control/auth.ts';
import { startFixture } from './fixture.ts';

test('bearer token parsing and matching', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer   abc '), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
  assert.equal(bearerToken(undefined), undefined);
  assert.equal(tokenMatches('abc', 'abc'), true);
  assert.equal(tokenMatches('abc', 'abcd'), false);
  assert.equal(tokenMatches('', ''), false);
  assert.equal(tokenMatches(undefined, 'abc'), false);
});

test('token from the config, else from the named environment variable', () => {
  assert.equal(resolveToken({ listen: 'x', token: 'inline', tokenEnv: 'T' }, { T: 'env' }), 'inline');
  assert.equal(resolveToken({ listen: 'x', tokenEnv: 'T' }, { T: 'env' }), 'env');
  assert.equal(resolveToken({ listen: 'x' }, { VIGIL_TOKEN: 'default' }), 'default');
  assert.equal(resolveToken({ listen: 'x', tokenEnv: 'T' }, { T: '' }), undefined);
});

test('loopback addresses', () => {
  for (const a of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
  for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '::2', 'fe80::1', '', undefined, '128.0.0.1']) assert.equal(isLoopback(a), false, String(a));
});

test('decision table: reads open on loopback only, changes always need the token', () => {
  const d = (mutating: boolean, peer: string, header?: string, token: string | null = 't0k') => authorize({ mutating, peer, header, token: token ?? undefined, source: 'VIGIL_TOKEN' });
  assert.deepEqual(d(false, '127.0.0.1'), { ok: true });
  assert.equal(d(false, '192.0.2.7').ok, false);
  assert.equal((d(false, '192.0.2.7') as any).status, 401);
  assert.deepEqual(d(false, '192.0.2.7', 'Bearer t0k'), { ok: true });
  assert.equal((d(true, '127.0.0.1') as any).status, 401);
  assert.equal((d(true, '127.0.0.1', 'Bearer nope') as any).status, 401);
  assert.deepEqual(d(true, '127.0.0.1', 'Bearer t0k'), { ok: true });
  // No token configured: status readable on loopback, changes impossible.
  assert.deepEqual(d(false, '::1', undefined, null), { ok: true });
  const no = d(true, '::1', 'Bearer anything', null) as any;
  assert.equal(no.status, 403);
  assert.match(no.error, /no control token.*VIGIL_TOKEN/);
});

test('Host header guard against DNS rebinding', () => {
  const d = (host: string | undefined, header?: string) => authorize({ mutating: false, peer: '127.0.0.1', header, token: 't0k', source: 'VIGIL_TOKEN', host });
  for (const h of ['127.0.0.1:2580', '[::1]:2580', 'localhost:2580', 'localhost', 'vigil.localhost:80', '10.1.2.3', undefined]) assert.deepEqual(d(h), { ok: true }, String(h));
  const evil = d('attacker.example:2580') as any;
  assert.equal(evil.status, 403);
  assert.match(evil.error, /Host header/);
  assert.deepEqual(d('vigil.example.com', 'Bearer t0k'), { ok: true });
});

test('a vigil without a token refuses every change (403) and still serves reads', async () => {
  const f = await startFixture({ token: null });
  try {
    assert.equal((await f.api('GET', '/api/status')).status, 200);
    const r = await f.api('POST', '/api/hosts/127.0.0.2/disable', { token: 'guess' });
    assert.equal(r.status, 403);
    assert.match(r.json.error, /VIGIL_TEST_NO_SUCH_TOKEN/);
    assert.deepEqual((await f.api('GET', '/api/status')).json.disabledHosts, []);
    // A rebinding page's Host is refused on a real request too (node's http client lets us set it).
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(f.base);
      http.get({ host: u.hostname, port: u.port, path: '/api/status', headers: { host: 'attacker.example' } }, (res) => (res.resume(), resolve(res.statusCode!))).on('error', reject);
    });
    assert.equal(status, 403);
  } finally {
    await f.close();
  }
});
