/**
 * http monitor details: a body that stalls after the headers, JSON path parsing
 * and assertions (pure), reading bounded bodies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import http from '../../monitors/http.ts';
import { checkAssertion, compileAssertion, parseJsonPath } from '../../monitors/http/json-path.ts';
import { BodyKeeper } from '../../monitors/http/body.ts';
import { parseRegex } from '../../monitors/tcp/dialog.ts';
import { silentLogger } from '../../core/log.ts';
import type { HostChecker } from '../../core/types.ts';
import { httpServer } from '../helpers/servers.ts';

const ctx = { log: silentLogger, now: () => Date.now(), configDir: os.tmpdir(), stateDir: os.tmpdir() };

test('headers then a stalled body: the check ends at the timeout, naming the stage', async (t) => {
  const srv = await httpServer((_q, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
  });
  t.after(() => srv.close());
  for (const o of [{ port: srv.port, body: 'x' }, { port: srv.port }]) {
    const c = (await http.create(o, ctx)) as HostChecker;
    const t0 = performance.now();
    const r = await c.check('127.0.0.1', AbortSignal.timeout(300));
    const ms = performance.now() - t0;
    await c.close?.();
    assert.deepEqual(r, { ok: false, summary: `http://127.0.0.1:${srv.port}/: timed out reading the body` });
    assert.ok(ms < 700, `took ${ms} ms`);
  }
});

test('a body cut short by the server is a failure, not a throw', async (t) => {
  const srv = await httpServer((_q, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial', () => res.socket?.destroy());
  });
  t.after(() => srv.close());
  for (const o of [{ port: srv.port, body: 'partial' }, { port: srv.port }]) {
    const c = (await http.create(o, ctx)) as HostChecker;
    const r = await c.check('127.0.0.1', AbortSignal.timeout(2000));
    await c.close?.();
    assert.equal(r.ok, false);
    assert.equal(r.summary, `http://127.0.0.1:${srv.port}/: body cut short: the server closed before sending its Content-Length`);
  }
});

test('json paths parse', () => {
  assert.deepEqual(parseJsonPath('$.a.b[0].c'), ['a', 'b', 0, 'c']);
  assert.deepEqual(parseJsonPath('a.b'), ['a', 'b']);
  assert.deepEqual(parseJsonPath("$['odd key'].x"), ['odd key', 'x']);
  assert.deepEqual(parseJsonPath('$'), []);
  assert.throws(() => parseJsonPath('$.a..b'), /not a path/);
  assert.throws(() => parseJsonPath('$.a[x]'), /not a path/);
});

test('json assertions', () => {
  const doc = { status: 'ok', n: 3, list: [1, 2], nested: { on: false }, nil: null };
  const judge = (a: Parameters<typeof compileAssertion>[0]) => checkAssertion(doc, compileAssertion(a, parseRegex));
  assert.equal(judge({ path: '$.status', equals: 'ok' }), undefined);
  assert.equal(judge({ path: '$.n', equals: 3 }), undefined);
  assert.equal(judge({ path: '$.n', equals: '3' }), '$.n is 3 (expected "3")');
  assert.equal(judge({ path: '$.list', equals: [1, 2] }), undefined);
  assert.equal(judge({ path: '$.nested.on', equals: false }), undefined);
  assert.equal(judge({ path: '$.nil', equals: null }), undefined);
  assert.equal(judge({ path: '$.nil' }), undefined);
  assert.equal(judge({ path: '$.gone' }), '$.gone is missing from the JSON body');
  assert.equal(judge({ path: '$.gone', exists: false }), undefined);
  assert.equal(judge({ path: '$.status', exists: false }), '$.status is present ("ok") but should not be');
  assert.equal(judge({ path: '$.status', matches: '^o' }), undefined);
  assert.equal(judge({ path: '$.n', matches: '^[4-9]$' }), '$.n is 3, which does not match /^[4-9]$/');
  assert.equal(judge({ path: '$.list[5]' }), '$.list[5] is missing from the JSON body');
  assert.equal(judge({ path: '$.status.length' }), '$.status.length is missing from the JSON body');
});

test('BodyKeeper keeps maxBodyBytes and still digests everything', () => {
  const parts = [Buffer.from('abc'), Buffer.from('defgh'), Buffer.from('ij')];
  const digesting = new BodyKeeper(4, true);
  // With a digest to make, every byte is wanted: never "enough".
  assert.deepEqual(parts.map((p) => digesting.add(p)), [false, false, false]);
  const b = digesting.result();
  assert.equal(b.text, 'abcd');
  assert.equal(b.truncated, true);
  assert.equal(b.md5, 'a925576942e94b2ef57a066101b48876'); // md5("abcdefghij")
  const whole = new BodyKeeper(100, false);
  for (const p of parts) assert.equal(whole.add(p), false);
  assert.deepEqual(whole.result(), { text: 'abcdefghij', truncated: false, md5: undefined });
  // Without one, the chunk that passes the limit is the last one needed.
  const cut = new BodyKeeper(4, false);
  assert.deepEqual(parts.map((p) => cut.add(p)), [false, true, true]);
  assert.deepEqual(cut.result(), { text: 'abcd', truncated: true, md5: undefined });
  // Exactly the limit is not truncated.
  const exact = new BodyKeeper(3, false);
  assert.equal(exact.add(parts[0]!), false);
  assert.deepEqual(exact.result(), { text: 'abc', truncated: false, md5: undefined });
});
