import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { parseTrap, routeTrap, createTrapListener } from '../../core/mon-protocol/traps.ts';
import { parseAuthCf } from '../../core/mon-protocol/auth.ts';
import { cryptVerifier, verifyCrypt } from '../../core/mon-protocol/auth-crypt.ts';
import { escStr } from '../../core/mon-protocol/escape.ts';
import { monCfToModel } from '../../core/config/moncf.ts';
import { silentLogger } from '../../core/log.ts';
import { fakeRuntime } from '../compat/fake-runtime.ts';
import { execFileSync, spawn } from 'node:child_process';

/** A datagram exactly as Mon::Client::send_trap builds it (mon-reference.md d.5). */
function monTrap(f: { usr?: string; pas?: string; grp: string; svc: string; sta: number; sum: string; dtl: string }): string {
  const q = (s: string) => `'${escStr(s, true)}'`;
  return [
    `pro=${q('0.3807')}`, `usr=${q(f.usr ?? '')}`, ...(f.pas !== undefined ? [`pas=${q(f.pas)}`] : []), `spc=${q('0')}`, `seq=${q('0')}`, `typ=${q('trap')}`,
    `grp=${q(f.grp)}`, `svc=${q(f.svc)}`, `sta=${q(String(f.sta))}`, `spc=${q('0')}`, `tsp=${q('1795661828')}`, `sum=${q(f.sum)}`, `dtl=${q(f.dtl)}`, '',
  ].join('\n');
}

const CF = 'hostgroup trapgrp 127.0.0.2\n\nwatch trapgrp\n service beat\n  period\n   alert file.alert x\n\nwatch default\n service default\n';

test('parseTrap: quotes stripped, values un-escaped, junk lines reported', () => {
  const p = parseTrap("pro='0.3807'\nsum='disk\\20full\\20on\\20box7'\ndtl='line\\201'\nnot a tag\nx=unquoted\\20v\n");
  assert.equal(p.fields.sum, 'disk full on box7');
  assert.equal(p.fields.dtl, 'line 1');
  assert.equal(p.fields.x, 'unquoted v');
  assert.deepEqual(p.ignored, ['not a tag']);
});

test('routeTrap: version, status, default watch catch-all, unknown targets', () => {
  const cfg = monCfToModel(CF, '/x/mon.cf');
  const ok = routeTrap(parseTrap(monTrap({ grp: 'trapgrp', svc: 'beat', sta: 1, sum: 'disk full', dtl: 'd' })).fields, cfg);
  assert.deepEqual(ok, { ok: true, watch: 'trapgrp', service: 'beat', status: 1, summary: 'disk full', detail: 'd' });
  const caught = routeTrap(parseTrap(monTrap({ grp: 'elsewhere', svc: 'x', sta: 2, sum: 's', dtl: '' })).fields, cfg);
  assert.deepEqual(caught, { ok: true, watch: 'default', service: 'default', status: 2, summary: 's', detail: '', intended: 'elsewhere:x' });
  const noDefault = monCfToModel('watch trapgrp\n service beat\n', '/x/mon.cf');
  assert.equal(routeTrap({ pro: '0.3807', grp: 'nope', svc: 'x', sta: '1' }, noDefault).ok, false);
  assert.equal(routeTrap({ pro: '0.3807', grp: 'trapgrp', svc: 'nope', sta: '1' }, noDefault).ok, false);
  assert.equal(routeTrap({ pro: '0.38', grp: 'trapgrp', svc: 'beat', sta: '1' }, noDefault).ok, false);
  assert.equal(routeTrap({ pro: '0.3807', grp: 'trapgrp', svc: 'beat' }, noDefault).ok, false);
});

test('verifyCrypt compares with crypt(3) as mon does', async () => {
  const hash = execFileSync('perl', ['-e', 'print crypt("s3cret", "ab")']).toString();
  assert.equal(await verifyCrypt('s3cret', hash), true);
  assert.equal(await verifyCrypt('wrong', hash), false);
});

test('UDP listener: authenticated traps reach runtime.trap, others are dropped', async (t) => {
  const cfg = monCfToModel(CF, '/x/mon.cf');
  const rt = fakeRuntime(cfg, Date.now);
  const hash = execFileSync('perl', ['-e', 'print crypt("pw", "zz")']).toString();
  const policy = parseAuthCf(`trap section\n127.0.0.1 trapper ${hash}\n`).policy;
  const l = createTrapListener({ runtime: rt, listen: '127.0.0.1:0', policy: () => policy, log: silentLogger });
  const { port } = await l.listen();
  t.after(() => l.close());
  const send = (msg: string) =>
    new Promise<void>((ok, fail) => {
      const s = createSocket('udp4');
      s.send(msg, port, '127.0.0.1', (err) => (s.close(), err ? fail(err) : ok()));
    });
  await send(monTrap({ usr: 'trapper', pas: 'bad', grp: 'trapgrp', svc: 'beat', sta: 1, sum: 'nope', dtl: '' }));
  await send(monTrap({ usr: 'other', pas: 'pw', grp: 'trapgrp', svc: 'beat', sta: 1, sum: 'nope', dtl: '' }));
  await send(monTrap({ usr: 'trapper', pas: 'pw', grp: 'trapgrp', svc: 'beat', sta: 1, sum: 'disk full on box7', dtl: 'detail line 1' }));
  const deadline = Date.now() + 5000;
  while (rt.traps.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200)); // a late bad trap would show up here
  assert.deepEqual(rt.traps, [{ watch: 'trapgrp', service: 'beat', status: 1, summary: 'disk full on box7', detail: 'detail line 1', fromHost: '127.0.0.1' }]);
});

test('verifyCrypt remembers a match: a trap storm with one password runs Perl once; a wrong one runs it every time', async () => {
  const hash = execFileSync('perl', ['-e', 'print crypt("s3cret", "cd")']).toString();
  let perls = 0;
  const verify = cryptVerifier((script, input) => {
    perls++;
    return new Promise((resolve) => {
      const child = spawn('perl', ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'] });
      child.on('close', resolve);
      child.stdin.end(input);
    });
  });
  // 50 traps at once, then 50 more: one Perl in all.
  assert.deepEqual(new Set(await Promise.all(Array.from({ length: 50 }, () => verify('s3cret', hash)))), new Set([true]));
  for (let i = 0; i < 50; i++) assert.equal(await verify('s3cret', hash), true);
  assert.equal(perls, 1);
  assert.equal(await verify('wrong', hash), false);
  assert.equal(await verify('wrong', hash), false);
  assert.equal(perls, 3, 'a mismatch is never remembered');
  assert.equal(await verify('s3cret', ''), false);
  assert.equal(perls, 3, 'an empty hash never matches, without a Perl');
});
