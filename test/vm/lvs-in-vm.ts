/**
 * Runs INSIDE the IPVS test VM (as root, cwd = the repo, started by
 * test/vm/lvs-vm.test.ts through test/vm/run.sh). Real web servers on 127.0.0.x,
 * the kernel's IPVS, the real ipvsadm. Phase A drives the lvs alert as the engine
 * does (start/observe/send); phase B runs `vigil run -c examples/lvs-director.yaml`
 * and stops and starts web servers. Every wait is bounded; exit 0 = all passed.
 */
import http from 'node:http';
import net from 'node:net';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { createLvsAlert, type LvsOptions } from '../../alerts/lvs.ts';
import { parseIpvsSave } from '../../alerts/lvs/parse-table.ts';
import { serviceKey, formatEndpoint } from '../../alerts/lvs/address.ts';
import { silentLogger } from '../../core/log.ts';
import type { AlertEvent, CheckObservation, HostCheckResult, PluginContext } from '../../core/types.ts';

// `--warm-only`: the host runs this once so tsx's transform cache is warm when the VM boots
if (process.argv.includes('--warm-only')) process.exit(0);

const run = promisify(execFile);
const T0 = Date.now();
const say = (msg: string) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);
const timings: Record<string, number> = {};

// ---------------------------------------------------------------- real servers

const A = '127.0.0.2', B = '127.0.0.3', SORRY = '127.0.0.9';
class Web {
  private server?: http.Server;
  constructor(readonly host: string) {}
  async start(): Promise<void> {
    if (this.server) return;
    const s = http.createServer((_q, r) => r.end(`hello from ${this.host}\n`));
    s.keepAliveTimeout = 60_000; // the drain case holds a keep-alive connection open through the VIP
    await new Promise<void>((ok, bad) => s.once('error', bad).listen(8080, this.host, ok));
    this.server = s;
  }
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise((ok) => s.close(ok));
  }
}
const web = { [A]: new Web(A), [B]: new Web(B), [SORRY]: new Web(SORRY) };

function get(host: string, port: number, timeoutMs = 1500): Promise<string> {
  return new Promise((ok, bad) => {
    const q = http.get({ host, port, path: '/', timeout: timeoutMs, agent: false }, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => (r.statusCode === 200 ? ok(body) : bad(new Error(`status ${r.statusCode}`))));
    });
    q.on('timeout', () => q.destroy(new Error('timeout'))).on('error', bad);
  });
}
async function check(host: string): Promise<HostCheckResult> {
  try {
    return { ok: true, summary: (await get(host, 8080)).trim() };
  } catch (err) {
    return { ok: false, summary: (err as Error).message };
  }
}
async function observation(): Promise<CheckObservation> {
  const [ra, rb] = await Promise.all([check(A), check(B)]);
  return { watch: 'web', service: 'http', at: Date.now(), hosts: { [A]: ra, [B]: rb } };
}

// ---------------------------------------------------------------- the IPVS table

async function ipvsadm(...args: string[]): Promise<string> {
  return (await run('ipvsadm', args)).stdout;
}
/** `{ "127.0.0.2:8080": weight }` of one service, or undefined when the service is absent. */
async function pool(service: string): Promise<Record<string, number> | undefined> {
  const t = parseIpvsSave(await ipvsadm('-S', '-n')).find((s) => serviceKey(s.service) === service);
  return t && Object.fromEntries(t.servers.map((s) => [formatEndpoint(s.address, s.port), s.weight]));
}
async function expectPool(service: string, want: Record<string, number>, why: string): Promise<void> {
  assert.deepEqual(await pool(service), want, `${service}: ${why}`);
  say(`ok: ${service} ${JSON.stringify(want)} (${why})`);
}
/** Polls the table until `want`; returns the ms it took. Fails after `limitMs` with the table seen. */
async function waitPool(service: string, want: Record<string, number>, limitMs: number, why: string): Promise<number> {
  const start = Date.now();
  let seen: unknown;
  while (Date.now() - start < limitMs) {
    seen = await pool(service);
    try {
      assert.deepEqual(seen, want);
      const ms = Date.now() - start;
      say(`ok: ${service} ${JSON.stringify(want)} after ${ms} ms (${why})`);
      return ms;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${service}: ${why}: wanted ${JSON.stringify(want)} within ${limitMs} ms, table has ${JSON.stringify(seen)}\n${await ipvsadm('-L', '-n')}`);
}

const ctx: PluginContext = { log: silentLogger, now: Date.now, configDir: process.cwd(), stateDir: '/tmp', watch: 'web', service: 'http', hosts: [A, B] };
const ev = (type: AlertEvent['type'], host: string): AlertEvent => ({
  id: `web/http/${host}/${Date.now()}`, type, watch: 'web', service: 'http', hosts: [A, B], failedHosts: [], host, summary: host, detail: '', output: '', at: Date.now(), count: 1, incident: 'x',
});
const signal = () => AbortSignal.timeout(10_000);
const EP = (h: string) => `${h}:8080`;

// ---------------------------------------------------------------- phase A: the plugin, driven as the engine does

async function phaseA(): Promise<void> {
  const base = { method: 'nat', port: 8080, scheduler: 'rr', manageService: true } as const;
  await web[A].start();
  await web[B].start();

  say('A1: remove mode, service created, servers follow health, traffic through the VIP');
  const S1 = 'tcp 127.0.0.100:84'; // :80 belongs to the vigil of phase B, already starting
  const a1 = await createLvsAlert({ ...base, service: S1 }, ctx);
  await a1.start({ [A]: 'unknown', [B]: 'unknown' });
  await expectPool(S1, {}, 'service created, unknown hosts left out');
  await a1.observe(await observation());
  await expectPool(S1, { [EP(A)]: 1, [EP(B)]: 1 }, 'both up: both added');
  const bodies = new Set<string>();
  for (let i = 0; i < 4; i++) bodies.add((await get('127.0.0.100', 84)).trim());
  assert.deepEqual([...bodies].sort(), [`hello from ${A}`, `hello from ${B}`], 'round robin through the VIP reaches both');
  await web[B].stop();
  await a1.observe(await observation());
  await a1.send(ev('host-down', B), signal()); // the event after the observation: idempotent
  await expectPool(S1, { [EP(A)]: 1 }, 'B stopped: removed');
  for (let i = 0; i < 3; i++) assert.equal((await get('127.0.0.100', 84)).trim(), `hello from ${A}`);
  await web[B].start();
  await a1.observe(await observation());
  await expectPool(S1, { [EP(A)]: 1, [EP(B)]: 1 }, 'B back: re-added');

  say('A1: reconcile of a table changed by hand; unmanaged servers are left alone');
  await ipvsadm('-e', '-t', '127.0.0.100:84', '-r', EP(A), '-m', '-w', '5');
  await ipvsadm('-d', '-t', '127.0.0.100:84', '-r', EP(B));
  await ipvsadm('-a', '-t', '127.0.0.100:84', '-r', '127.0.0.50:8080', '-m', '-w', '3');
  const again = await createLvsAlert({ ...base, service: S1 }, ctx); // a reload: new instance, engine states
  await again.start({ [A]: 'up', [B]: 'up' });
  await expectPool(S1, { [EP(A)]: 1, [EP(B)]: 1, '127.0.0.50:8080': 3 }, 'hand changes undone, unmanaged kept');
  await again.start({ [A]: 'up', [B]: 'down' });
  await expectPool(S1, { [EP(A)]: 1, '127.0.0.50:8080': 3 }, 'a reload with B known down does not keep it');

  say('A2: quiescent mode and minServers');
  const S2 = 'tcp 127.0.0.100:81';
  const a2 = await createLvsAlert({ ...base, service: S2, mode: 'quiescent', minServers: 1 }, ctx);
  await a2.start({ [A]: 'up', [B]: 'up' });
  await expectPool(S2, { [EP(A)]: 1, [EP(B)]: 1 }, 'both in');
  await web[B].stop();
  await a2.observe(await observation());
  await expectPool(S2, { [EP(A)]: 1, [EP(B)]: 0 }, 'B down: weight 0 (quiescent)');
  await web[A].stop();
  await a2.observe(await observation());
  await expectPool(S2, { [EP(A)]: 1, [EP(B)]: 0 }, 'A down too: minServers 1 keeps A in');
  await web[A].start();
  await web[B].start();
  await a2.observe(await observation());
  await expectPool(S2, { [EP(A)]: 1, [EP(B)]: 1 }, 'both back');

  say('A4: fall 2 / rise 2');
  const S4 = 'tcp 127.0.0.100:83';
  const a4 = await createLvsAlert({ ...base, service: S4, fall: 2, rise: 2 }, ctx);
  await a4.start({ [A]: 'up', [B]: 'up' });
  await web[B].stop();
  await a4.observe(await observation());
  await expectPool(S4, { [EP(A)]: 1, [EP(B)]: 1 }, 'one failure: B stays');
  await a4.observe(await observation());
  await expectPool(S4, { [EP(A)]: 1 }, 'second failure: B out');
  await web[B].start();
  await a4.observe(await observation());
  await expectPool(S4, { [EP(A)]: 1 }, 'one success: B still out');
  await a4.observe(await observation());
  await expectPool(S4, { [EP(A)]: 1, [EP(B)]: 1 }, 'second success: B in');

  say('A5: fwmark, UDP over IPv6, degraded weight: argument vectors the kernel accepts');
  const a5 = await createLvsAlert(
    { services: [{ service: 'fwmark 5', method: 'dr', servers: [A, B] }, { service: 'udp [fd00::100]:53', method: 'tunnel', servers: ['[fd00::2]:53'] }], manageService: true, weight: 4, degradedWeight: 0.5 } as LvsOptions,
    ctx,
  );
  await a5.send(ev('host-up', A), signal());
  await a5.send(ev('host-up', '[fd00::2]'), signal());
  await expectPool('fwmark 5', { [`${A}:0`]: 4 }, 'fwmark service with a DR server');
  await expectPool('udp [fd00::100]:53', { '[fd00::2]:53': 4 }, 'IPv6 UDP service with a tunnel server');
  await a5.send(ev('host-degraded', A), signal());
  await expectPool('fwmark 5', { [`${A}:0`]: 2 }, 'degraded: weight x0.5');
  await a5.send(ev('host-down', 'fd00::2'), signal());
  await expectPool('udp [fd00::100]:53', {}, 'IPv6 server removed');

  say('A6: a missing ipvsadm is a clear error from send');
  const bad = await createLvsAlert({ service: S1, command: ['/nonexistent/ipvsadm'] }, ctx);
  await assert.rejects(bad.send(ev('host-down', A), signal()), /was not found.*install ipvsadm/);
  for (const a of [a1, again, a2, a4, a5, bad]) await a.close();
}

// ---------------------------------------------------------------- phase B: vigil run with the example

const CFG = 'examples/lvs-director.yaml';
const S = 'tcp 127.0.0.100:80';
const LOG = '/tmp/vigil-run.log';

/** vigil as started by lvs-in-vm.sh (`--vigil-pid N`), or started here when run on its own. */
function startVigil() {
  const i = process.argv.indexOf('--vigil-pid');
  if (i > 0) {
    const pid = Number(process.argv[i + 1]);
    return { pid, alive: () => isAlive(pid) };
  }
  const out = openSync(LOG, 'w');
  say(`B: vigil run -c ${CFG} (starting in the background)`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'run', '-c', CFG], {
    stdio: ['ignore', out, out],
    env: { ...process.env, VIGIL_TOKEN: 'vm-test-token', VIGIL_LOG_LEVEL: 'info' },
  });
  return { pid: child.pid!, alive: () => isAlive(child.pid!) && child.exitCode === null };
}
/** Alive and not a zombie (vigil's parent is this process, which does not reap it). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * When vigil itself acted: the latest of the log records `msgs` (each the first at or
 * after `since`), in ms after `since`. The table poll adds its own ipvsadm time under
 * TCG, so the bound is checked against vigil's log; the poll only confirms the table.
 */
function actedAfter(since: number, msgs: string[]): number {
  const recs = readFileSync(LOG, 'utf8').split('\n').flatMap((l) => {
    try {
      const r = JSON.parse(l) as { time?: string; msg?: string };
      return r.time && r.msg ? [{ at: Date.parse(r.time), msg: r.msg }] : [];
    } catch {
      return [];
    }
  });
  let latest = 0;
  for (const m of msgs) {
    const hit = recs.find((r) => r.at >= since && r.msg === m);
    if (!hit) throw new Error(`vigil logged no "${m}" after the change; log:\n${recs.slice(-20).map((r) => r.msg).join('\n')}`);
    latest = Math.max(latest, hit.at - since);
  }
  return latest;
}

async function step(name: string, change: () => Promise<void>, want: Record<string, number>, msgs: string[], why: string): Promise<void> {
  const BOUND = 5000 + 2000; // the example's interval + 2 s
  const since = Date.now();
  await change();
  const polled = await waitPool(S, want, BOUND + 8000, why);
  const acted = actedAfter(since, msgs);
  timings[name] = acted;
  timings[`${name}Polled`] = polled;
  assert.ok(acted <= BOUND, `${why}: vigil acted after ${acted} ms, more than interval + 2 s`);
}

/** A keep-alive HTTP connection through the VIP that landed on `host` (tries a few: round robin). */
async function holdConnection(vip: string, port: number, host: string): Promise<net.Socket> {
  for (let i = 0; i < 6; i++) {
    const sock = net.connect({ host: vip, port }).on('error', () => undefined);
    const body = await new Promise<string>((ok, bad) => {
      let got = '';
      sock.setEncoding('utf8').once('error', bad).once('connect', () => sock.write('GET / HTTP/1.1\r\nHost: vip\r\n\r\n'));
      sock.on('data', (d) => (got += d) && /hello from \S+\n/.test(got) && ok(got));
      setTimeout(() => bad(new Error('no answer through the VIP within 3 s')), 3000).unref();
    });
    if (body.includes(`hello from ${host}\n`)) return sock;
    sock.destroy();
  }
  throw new Error(`no connection through ${vip}:${port} reached ${host} in 6 tries`);
}

/** vigil's control API in the VM (examples/lvs-director.yaml: 127.0.0.1:2580). */
async function control(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:2580${path}`, {
    method,
    headers: { authorization: 'Bearer vm-test-token', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const json = await res.json();
  assert.equal(res.status, 200, `${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Drain through the API: weight 0 while a connection is open, removed once it closes, back at undrain. */
async function drainCase(): Promise<void> {
  say('B: drain B with a connection open through the VIP');
  const sock = await holdConnection('127.0.0.100', 80, B);
  await control('POST', `/api/hosts/${B}/drain`, { timeout: '2m' }); // far beyond the test: only the connection count can end it
  await expectPool(S, { [EP(A)]: 1, [EP(B)]: 0 }, 'drain: weight 0 at once');
  await new Promise((r) => setTimeout(r, 2500)); // two drain polls
  await expectPool(S, { [EP(A)]: 1, [EP(B)]: 0 }, 'connection still open: stays at weight 0');
  const view = (await control('GET', '/api/status')).watches[0].services[0].alertStates[0].state[0];
  assert.deepEqual(view.servers.filter((x: any) => x.server === EP(B)).map((x: any) => [x.pool, x.drain]), [['quiescent', 'draining']], '/api/status shows the drain');
  sock.end();
  timings.drainOutMs = await waitPool(S, { [EP(A)]: 1 }, 15_000, 'connection closed: B removed');
  const since = Date.now();
  await control('POST', `/api/hosts/${B}/undrain`, {});
  await expectPool(S, { [EP(A)]: 1, [EP(B)]: 1 }, 'undrain: healthy B back in');
  timings.undrainMs = Date.now() - since;
}

async function phaseB(vigil: ReturnType<typeof startVigil>): Promise<void> {
  await Promise.all([web[A].start(), web[B].start(), web[SORRY].start()]);
  const lvs = (op: string, h: string) => `lvs: ${op} ${EP(h)}`;
  try {
    timings.steadyMs = await waitPool(S, { [EP(A)]: 1, [EP(B)]: 1 }, 90_000, 'vigil running: service created, both real servers in');
    await step('removeMs', () => web[B].stop(), { [EP(A)]: 1 }, [lvs('delete-server', B)], 'B stopped: removed within interval + 2 s');
    await step('restoreMs', () => web[B].start(), { [EP(A)]: 1, [EP(B)]: 1 }, [lvs('add-server', B)], 'B started: back within interval + 2 s');
    await drainCase();
    await step(
      'reconcileMs',
      async () => {
        await ipvsadm('-d', '-t', '127.0.0.100:80', '-r', EP(A));
        await ipvsadm('-e', '-t', '127.0.0.100:80', '-r', EP(B), '-m', '-w', '7');
      },
      { [EP(A)]: 1, [EP(B)]: 1 },
      [lvs('add-server', A), lvs('edit-server', B)],
      'table changed by hand: put right at the next check',
    );
    await step('sorryMs', () => Promise.all([web[A].stop(), web[B].stop()]).then(() => undefined), { [EP(SORRY)]: 1 }, [lvs('add-server', SORRY), lvs('delete-server', A), lvs('delete-server', B)], 'both stopped: sorry server only');
    await step('sorryOutMs', () => web[A].start(), { [EP(A)]: 1 }, [lvs('add-server', A), lvs('delete-server', SORRY)], 'A started: A in, sorry server out');
    assert.ok(vigil.alive(), 'vigil is still running');
  } catch (err) {
    console.log(`--- vigil log (last 40 lines)\n${readFileSync(LOG, 'utf8').split('\n').slice(-40).join('\n')}`);
    throw err;
  }
}

async function stopVigil(vigil: ReturnType<typeof startVigil>): Promise<void> {
  if (!vigil.alive()) return;
  process.kill(vigil.pid, 'SIGTERM');
  for (let i = 0; i < 50 && vigil.alive(); i++) await new Promise((ok) => setTimeout(ok, 100));
}

const withRun = !process.argv.includes('--no-run');
const vigil = withRun ? startVigil() : undefined;
try {
  await phaseA();
  timings.phaseAms = Date.now() - T0;
  if (vigil) await phaseB(vigil);
  console.log(`@@LVS_VM_RESULT ${JSON.stringify({ ok: true, totalMs: Date.now() - T0, ...timings })}`);
  if (vigil) await stopVigil(vigil);
  process.exit(0);
} catch (err) {
  console.log(`FAILED: ${(err as Error).stack ?? err}`);
  try {
    console.log(await ipvsadm('-L', '-n'));
  } catch {}
  if (vigil) await stopVigil(vigil);
  process.exit(1);
}
