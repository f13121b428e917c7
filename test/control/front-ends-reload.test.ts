/**
 * A reload that changes a front end's settings restarts that front end: the
 * control API on a new token or address (a rotated token that kept working would
 * be a trap), the mon client protocol on a new port. One that cannot start on
 * its new settings runs on its old ones, and the log says so. Real engine, real
 * servers on loopback.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../core/engine/engine.ts';
import { createLogger } from '../../core/log.ts';
import { startFrontEnds } from '../../core/front-ends.ts';
import { listen, kill, until, type Listener } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-front-ends-'));
const file = join(dir, 'vigil.yaml');
const logs: Array<{ level: string; msg: string }> = [];
const log = createLogger({ level: 'info', json: true, write: (l) => logs.push(JSON.parse(l)) });
let target: Listener | undefined;
let engine: Engine | undefined;
let fronts: Awaited<ReturnType<typeof startFrontEnds>> | undefined;

after(async () => {
  await fronts?.close();
  await engine?.close(1000);
  if (target) await kill(target);
  rmSync(dir, { recursive: true, force: true });
});

/** A port free right now on 127.0.0.1. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function writeConfig(o: { control: number; token: string; mon: number }) {
  writeFileSync(
    file,
    `state_dir: ./state
control: { listen: "127.0.0.1:${o.control}", token: "${o.token}" }
mon_protocol: { listen: "127.0.0.1:${o.mon}" }
hostgroups:
  web: [127.0.0.1]
watches:
  web:
    services:
      tcp:
        interval: 1m
        monitor: { plugin: tcp, port: ${(target!.server.address() as { port: number }).port} }
`,
  );
}

/** Status of a change (disable then enable a host) on the control port with `token`; 0 when nothing listens. */
async function change(port: number, token: string): Promise<number> {
  const post = (path: string) =>
    fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
  try {
    const r = await post('/api/hosts/127.0.0.1/disable');
    if (r.status === 200) await post('/api/hosts/127.0.0.1/enable');
    return r.status;
  } catch {
    return 0;
  }
}

/** True when a TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

const said = (re: RegExp) => logs.some((l) => re.test(l.msg));

test('a reload restarts the control API and the mon protocol when, and only when, their settings changed', { timeout: 60_000 }, async () => {
  target = await listen('127.0.0.1', 0);
  const [c1, c2, m1, m2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  writeConfig({ control: c1, token: 'first-token-1a', mon: m1 });
  engine = await Engine.start({ configFile: file, log });
  fronts = await startFrontEnds(engine, log);
  assert.equal(await change(c1, 'first-token-1a'), 200);
  assert.equal(await change(c1, 'second-token-2b'), 401);
  assert.ok(await accepts(m1));

  // Nothing changed: nothing restarts.
  await engine.reload();
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!said(/settings changed/), 'an unchanged reload restarts nothing');

  // A rotated token, through the API that is restarted: the answer still arrives.
  writeConfig({ control: c1, token: 'second-token-2b', mon: m1 });
  const r = await fetch(`http://127.0.0.1:${c1}/api/reload`, { method: 'POST', headers: { authorization: 'Bearer first-token-1a' }, signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200, await r.text());
  await until('the new token works', async () => (await change(c1, 'second-token-2b')) === 200);
  assert.equal(await change(c1, 'first-token-1a'), 401, 'the old token no longer works');
  assert.ok(said(/^control API settings changed: restarting it$/));
  assert.ok(!said(/mon client protocol settings changed/), 'the mon protocol did not change');

  // New addresses for both.
  writeConfig({ control: c2, token: 'second-token-2b', mon: m2 });
  await engine.reload();
  await until('the API on its new port', async () => (await change(c2, 'second-token-2b')) === 200);
  assert.equal(await change(c1, 'second-token-2b'), 0, 'nothing listens on the old port');
  await until('the mon protocol on its new port', () => accepts(m2));
  assert.equal(await accepts(m1), false);

  // A port already taken: it comes back on its old settings, and the log says so.
  const squatter = await listen('127.0.0.1', 0);
  try {
    writeConfig({ control: (squatter.server.address() as { port: number }).port, token: 'third-token-3c', mon: m2 });
    await engine.reload();
    await until('the failure is logged', () => said(/^control API runs on its old settings; fix the config and reload again$/));
    assert.ok(logs.some((l) => l.level === 'error' && /^control API not restarted on the new settings/.test(l.msg)));
    assert.equal(await change(c2, 'second-token-2b'), 200, 'old port and old token');
  } finally {
    await kill(squatter);
  }
});

test('a front end that could not start is started again at the next reload, once its port is free', { timeout: 30_000 }, async () => {
  await fronts?.close();
  await engine?.close(1000);
  const squatter = await listen('127.0.0.1', 0);
  const port = (squatter.server.address() as { port: number }).port;
  writeConfig({ control: port, token: 'fourth-token-4d', mon: await freePort() });
  engine = await Engine.start({ configFile: file, log });
  fronts = await startFrontEnds(engine, log);
  assert.ok(logs.some((l) => l.level === 'error' && /^control API not started; monitoring and alerts go on without it$/.test(l.msg)));
  await kill(squatter);
  await engine.reload(); // same config, the port now free
  await until('the API is up', async () => (await change(port, 'fourth-token-4d')) === 200);
  assert.ok(said(/^control API is down: starting it again$/));
});
