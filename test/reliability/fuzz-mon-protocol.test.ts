/**
 * Fuzz: the mon client protocol (core/mon-protocol/commands.ts) against a real
 * engine, the trap parser and router, auth.cf parsing, esc_str, and the TCP
 * server's framing with random bytes. Commands never throw, every reply ends in
 * a status line, and an unauthenticated client changes nothing (auth.cf holds).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import fc from 'fast-check';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { monCommand, type CommandContext, type Session } from '../../core/mon-protocol/commands.ts';
import { parseAuthCf, trapAllowed } from '../../core/mon-protocol/auth.ts';
import { parseTrap, routeTrap } from '../../core/mon-protocol/traps.ts';
import { escStr, unEscStr } from '../../core/mon-protocol/escape.ts';
import { createMonProtocolServer } from '../../core/mon-protocol/server.ts';
import { report, SOAK } from './report.ts';

let dir: string;
let engine: Engine;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-monprot-'));
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
hostgroups:
  web: [127.0.0.2, 127.0.0.3]
  db: [127.0.0.4]
watches:
  web:
    services:
      http: { interval: 1h, timeout: 200ms, monitor: { plugin: tcp, port: 1 }, alerts: [ { plugin: log, file: alerts.log } ] }
      tcp: { interval: 1h, timeout: 200ms, monitor: { plugin: tcp, port: 1 } }
  db:
    services:
      ping: { interval: 1h, timeout: 200ms, monitor: { plugin: tcp, port: 1 } }
`,
  );
  engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger, persist: false });
});

after(async () => {
  await engine.close(200);
  rmSync(dir, { recursive: true, force: true });
});

const RESTRICTIVE = parseAuthCf('command section\nlist: all\nversion: all\nprotid: all\nservertime: all\nquit: all\ncheckauth: all\n' +
  ['disable', 'enable', 'ack', 'test', 'reset', 'reload', 'stop', 'start'].map((c) => `${c}: AUTH_ANY`).join('\n') + '\ntrap section\n').policy;

function context(policy = RESTRICTIVE): CommandContext {
  return {
    runtime: engine,
    policy: () => policy,
    reloadAuth: async () => true,
    authTypes: ['trustlocal'],
    now: () => Date.now(),
    histlength: 10,
    log: silentLogger,
    shared: {},
  };
}

const WORDS = ['web', 'db', 'http', 'tcp', 'ping', '127.0.0.2', '127.0.0.4', 'nohost', 'watch', 'service', 'host', 'monitor', 'config', 'alert', 'stopped',
  'auth', 'opstatus', 'group', 'failures', 'successes', 'disabled', 'alerthist', 'failurehist', 'dtlog', 'pids', 'descriptions', 'deps', 'aliases', 'state', 'hostgroup',
  'constructor', '__proto__', '"quoted comment"', "'x'", '\\41', '\\', '$(touch /tmp/vigil-pwned)', '`id`', ';', '|', '\t', ''];
const COMMANDS = ['dump', 'login', 'disable', 'enable', 'quit', 'list', 'set', 'get', 'setview', 'getview', 'stop', 'start', 'loadstate', 'savestate', 'reset',
  'clear', 'checkauth', 'reload', 'term', 'test', 'servertime', 'ack', 'version', 'protid', 'LIST', 'Disable', 'nonsense'];

const commandLine = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...COMMANDS), fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 8 })), { maxLength: 5 })).map(([c, a]) => [c, ...a].join(' ')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
);

function operatorState() {
  const s = engine.status();
  return JSON.stringify({
    running: s.schedulerRunning,
    hosts: [...engine.disabledHosts].sort(),
    watches: [...engine.disabledWatches].sort(),
    services: [...engine.disabledServices].sort(),
    acked: s.watches.flatMap((w) => w.services.filter((x) => x.acked).map((x) => `${w.watch}/${x.service}`)),
  });
}

const STATUS_LINE = /^[2-5]\d\d(\s|$)/;

test('mon protocol: random commands from a client that has not logged in never throw and change nothing (auth.cf holds)', { timeout: 60_000 * SOAK }, async () => {
  const ctx = context();
  const before = operatorState();
  let tried = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(commandLine, async (line) => {
      tried++;
      const session: Session = { clientIp: '127.0.0.1' };
      if (/^\s*login/i.test(line)) return; // logging in is the other test
      const reply = await monCommand(line.trim(), session, ctx);
      assert.ok(reply.lines.length > 0, 'a reply');
      assert.match(reply.lines.at(-1)!, STATUS_LINE, `last line of the reply to ${JSON.stringify(line)}`);
      if (reply.lines.at(-1)!.startsWith('520 command could not be executed')) refused++;
      assert.equal(operatorState(), before, `${JSON.stringify(line)} changed operator state without a login`);
    }),
    { numRuns: 1500 * SOAK, seed: 0xa07, endOnFailure: true },
  );
  report('fuzz', 'mon client protocol (no login)', `${tried} random command lines`, `0 throws, every reply ends in a status line, ${refused} refused by auth.cf, operator state unchanged`);
});

test('mon protocol: random commands from a logged-in operator never throw and always end in a status line', { timeout: 60_000 * SOAK }, async () => {
  const ctx = context(parseAuthCf('command section\n' + COMMANDS.map((c) => `${c.toLowerCase()}: AUTH_ANY`).join('\n') + '\n').policy);
  let tried = 0;
  await fc.assert(
    fc.asyncProperty(commandLine, async (line) => {
      tried++;
      const session: Session = { clientIp: '127.0.0.1' };
      assert.equal((await monCommand('login ops x', session, ctx)).lines[0], '220 login accepted');
      const reply = await monCommand(line.trim(), session, ctx);
      assert.match(reply.lines.at(-1)!, STATUS_LINE, `last line of the reply to ${JSON.stringify(line)}`);
      for (const l of reply.lines) assert.doesNotMatch(l, /[\r\n]/, 'a reply line holds no line break (framing)');
    }),
    { numRuns: 1500 * SOAK, seed: 0xa08, endOnFailure: true },
  );
  engine.startScheduler();
  report('fuzz', 'mon client protocol (logged in)', `${tried} random command lines`, '0 throws, every reply ends in a status line, no line breaks inside a reply line');
});

test('traps: random datagrams never throw in parse/route, and no password but the right one is accepted', { timeout: 60_000 * SOAK }, async () => {
  const cfg = engine.config();
  const policy = parseAuthCf('trap section\n127.0.0.1 ops $1$secret\n').policy;
  const verify = async (given: string, hash: string) => hash === `$1$${given}`;
  const tag = fc.constantFrom('pro', 'grp', 'svc', 'sta', 'sum', 'dtl', 'usr', 'pas', 'typ', 'spc', 'x', 'constructor', '__proto__');
  const value = fc.oneof(fc.constantFrom('0', '1', '-1', '0.3807', '1e9', 'web', 'http', 'db', 'default', "'quoted'", '\\41\\42', 'NaN', ' 7 '), fc.string({ maxLength: 20 }));
  const wellFormed = fc
    .record({ grp: fc.constantFrom('web', 'db', 'nope', 'constructor'), svc: fc.constantFrom('http', 'tcp', 'ping', 'nope'), sta: fc.constantFrom('0', '1', '2', '255'), sum: value, dtl: value, usr: fc.constantFrom('ops', 'x'), pas: fc.constantFrom('secret', 'wrong', '') })
    .map((r) => `pro=0.3807\n` + Object.entries(r).map(([k, v]) => `${k}=${v}`).join('\n'));
  const datagram = fc.oneof(
    { weight: 3, arbitrary: wellFormed },
    { weight: 4, arbitrary: fc.array(fc.tuple(tag, value).map(([t, v]) => `${t}=${v}`), { maxLength: 10 }).map((l) => l.join('\n')) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
  let tried = 0;
  let routed = 0;
  await fc.assert(
    fc.asyncProperty(datagram, async (text) => {
      tried++;
      const { fields } = parseTrap(text);
      const v = routeTrap(fields, cfg);
      if (v.ok) {
        routed++;
        assert.ok(Number.isInteger(v.status));
        assert.ok(cfg.watches.some((w) => w.name === v.watch && w.services.some((s) => s.name === v.service)));
        engine.trap(v.watch, v.service, v.status, v.summary, v.detail); // processed like a monitor exit; must not throw
      }
      const auth = await trapAllowed(policy, '127.0.0.1', fields.usr, fields.pas, verify);
      assert.equal(auth.ok, fields.usr === 'ops' && fields.pas === 'secret');
      const other = await trapAllowed(policy, '127.0.0.9', fields.usr, fields.pas, verify);
      assert.equal(other.ok, false, 'a host not in the trap section is refused');
    }),
    { numRuns: 2000 * SOAK, seed: 0x7a9, endOnFailure: true },
  );
  report('fuzz', 'trap parser + router + trap auth', `${tried} random datagrams`, `0 throws, ${routed} routed only to defined services and processed by the engine, only the right password from the right host accepted`);
});

test('auth.cf parser and esc_str: random text never throws; esc_str round-trips', () => {
  let tried = 0;
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 50 }), (text, s) => {
      tried++;
      const { problems } = parseAuthCf(text);
      for (const p of problems) assert.match(p, /^line \d+: /, 'auth.cf problems name their line');
      assert.equal(unEscStr(escStr(s)), s);
      assert.doesNotMatch(escStr(s), /[\s"']/);
    }),
    { numRuns: 2000 * SOAK, seed: 0xe5c },
  );
  report('fuzz', 'auth.cf parser + esc_str', `${tried} random texts`, '0 throws, problems name their line, esc_str round-trips');
});

test('mon protocol TCP server: random bytes never take it down; an endless line is cut off', { timeout: 60_000 * SOAK }, async () => {
  const server = createMonProtocolServer({ runtime: engine, listen: '127.0.0.1:0', log: silentLogger, cltimeoutMs: 2000 });
  const { port } = await server.listen();
  const talk = (bytes: Buffer, thenVersion: boolean) =>
    new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      let out = '';
      const t = setTimeout(() => (s.destroy(), reject(new Error(`no answer; got ${JSON.stringify(out.slice(-200))}`))), 5000);
      s.on('data', (b) => {
        out += b.toString('latin1');
        if (thenVersion && /220 version completed\n$/.test(out)) (clearTimeout(t), s.destroy(), resolve(out));
      });
      s.on('error', () => {});
      s.on('close', () => (clearTimeout(t), resolve(out)));
      s.write(bytes);
      if (thenVersion) s.write('\nversion\n');
      else s.end();
    });
  let tried = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        tried++;
        const out = await talk(Buffer.from(bytes), true);
        assert.match(out, /version 9745\n220 version completed\n$/);
      }),
      { numRuns: 150 * SOAK, seed: 0x7c9, endOnFailure: true },
    );
    const cut = await talk(Buffer.alloc(200 * 1024, 0x41), false);
    assert.equal(cut, '', 'a 200 KiB line without a newline is dropped with the connection');
    const still = await talk(Buffer.alloc(0), true);
    assert.match(still, /220 version completed/);
  } finally {
    await server.close();
  }
  report('fuzz', 'mon protocol TCP framing', `${tried} random byte streams + one 200 KiB line`, 'server kept answering, the endless line was cut off');
});
