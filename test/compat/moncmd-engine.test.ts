/**
 * Debian's real moncmd, monshow and Mon::Client::send_trap against vigil's real
 * engine running a mon.cf: list status, disable a service (no alerts while
 * disabled), enable it, ack a failure, and a trap that fires an alert.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../core/engine/engine.ts';
import { startMonProtocol } from '../../core/mon-protocol/index.ts';
import { silentLogger } from '../../core/log.ts';
import { freePort, moncmd, monshow, requireMonClient, sendTrap, waitFor } from './mon-tools.ts';

function script(path: string, body: string): void {
  writeFileSync(path, body);
  chmodSync(path, 0o755);
}

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-moncmd-'));
  mkdirSync(join(dir, 'mon.d'));
  mkdirSync(join(dir, 'alert.d'));
  const flip = join(dir, 'fail');
  const record = join(dir, 'alerts.log');
  script(join(dir, 'mon.d', 'flip.monitor'), '#!/bin/sh\nif [ -e "$FLIP_FILE" ]; then echo "$@"; echo "$* is down"; exit 1; fi\nexit 0\n');
  script(
    join(dir, 'alert.d', 'record.alert'),
    `#!/bin/sh\n{ printf '%s' "$MON_ALERTTYPE"; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\n'; } >> "$RECORD_FILE"\ncat > /dev/null\n`,
  );
  writeFileSync(join(dir, 'auth.cf'), 'command section\nlist: all\ndisable: all\nenable: all\nack: all\ntest: all\nversion: all\nservertime: all\ntrap section\n127.0.0.1 * x\n');
  const port = await freePort();
  const cf = join(dir, 'mon.cf');
  writeFileSync(
    cf,
    `basedir = ${dir}
mondir = mon.d
alertdir = alert.d
statedir = ${dir}/state
authfile = ${dir}/auth.cf
serverbind = 127.0.0.1
serverport = ${port}
trapbind = 127.0.0.1
trapport = ${port}

hostgroup g 127.0.0.1

watch g
    service s
        description flip test
        interval 1s
        monitor flip.monitor
        FLIP_FILE=${flip}
        RECORD_FILE=${record}
        period
            alert record.alert down
            upalert record.alert up
    service t
        description trap only
        RECORD_FILE=${record}
        period
            alert record.alert trapped
            upalert record.alert trapup
`,
  );
  return { dir, flip, record, port, cf };
}

const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

test('moncmd and monshow drive vigil like mon: status, disable, enable, ack, traps', { timeout: 60_000 }, async (t) => {
  requireMonClient();
  const { dir, flip, record, port, cf } = await setup();
  let engine = await Engine.start({ configFile: cf, log: silentLogger });
  let proto = await startMonProtocol(engine, silentLogger);
  assert.ok(proto);
  t.after(async () => {
    await proto?.close();
    await engine.close(2000);
  });
  assert.equal(proto.tcp.port, port);
  assert.equal(proto.udp?.port, port);

  // Healthy: opstatus=1 once the first run is in.
  const ok = await waitFor('first successful run', async () => {
    const out = await moncmd(port, 'list', 'opstatus');
    return out.find((l) => l.startsWith('group=g service=s opstatus=1 '));
  });
  assert.match(ok, / exitval=0 /);
  assert.match(ok, / monitor=flip.monitor /);
  const all = await moncmd(port, 'list', 'opstatus');
  assert.equal(all.at(-1), '220 list opstatus completed');
  assert.ok(all.some((l) => /^group=g service=t opstatus=7 /.test(l)), 'the trap-only service is untested');
  assert.match(await monshow(port), /All systems OK/);
  const table = await monshow(port, '--full');
  assert.match(table, /^R g\s+s\s+-\s+\d+s\s/m, table);
  assert.match(table, /^R g\s+t\s+untested/m, table);

  // Failure -> down alerts with mon's argv.
  writeFileSync(flip, '');
  const down = await waitFor('a down alert', () => lines(record).find((l) => l.startsWith('failure ')));
  assert.match(down, /^failure \[-s\] \[s\] \[-g\] \[g\] \[-h\] \[127\.0\.0\.1\] \[-t\] \[\d+\] \[down\]$/);
  const failures = await moncmd(port, 'list', 'failures');
  assert.ok(failures.some((l) => /^group=g service=s opstatus=0 .* last_summary=127\.0\.0\.1 /.test(l)), failures.join('\n'));

  // Disabled: checks go on, no alerts.
  assert.deepEqual(await moncmd(port, 'disable', 'service', 'g', 's'), ['220 disable service completed']);
  assert.deepEqual(await moncmd(port, 'list', 'disabled'), ['watch g service s', '220 list disabled completed']);
  await new Promise((r) => setTimeout(r, 300));
  const before = lines(record).length;
  const checkedAfter = Date.now();
  await waitFor('two more failing runs while disabled', async () => {
    const l = (await moncmd(port, 'list', 'opstatus', 'g,s'))[0] ?? '';
    const last = Number(/ last_check=(\d+)/.exec(l)?.[1] ?? 0) * 1000;
    return last > checkedAfter + 1000;
  });
  assert.equal(lines(record).length, before, 'no alert while the service is disabled');

  // Enabled again: alerts resume.
  assert.deepEqual(await moncmd(port, 'enable', 'service', 'g', 's'), ['220 enable completed']);
  await waitFor('an alert after enable', () => lines(record).length > before);

  // Ack: reply, comment in opstatus, no more down alerts while acked.
  assert.deepEqual(await moncmd(port, 'ack', 'g', 's', 'working'), ['220 ack completed']);
  const acked = (await moncmd(port, 'list', 'opstatus', 'g,s'))[0]!;
  assert.match(acked, / ack=\d{10} ackcomment=:\\20working /);
  await new Promise((r) => setTimeout(r, 300));
  const atAck = lines(record).length;
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(lines(record).filter((l) => l.startsWith('failure')).length, lines(record).slice(0, atAck).filter((l) => l.startsWith('failure')).length, 'no down alert while acked');

  // The ack survives a restart of the daemon (mon keeps it in its state dir).
  await proto.close();
  await engine.close(2000);
  engine = await Engine.start({ configFile: cf, log: silentLogger });
  proto = await startMonProtocol(engine, silentLogger);
  assert.ok(proto);
  const again = await waitFor('the restarted server', async () => (await moncmd(port, 'list', 'opstatus', 'g,s'))[0]?.match(/ ack=(\d+) ackcomment=(\S*) /) ?? undefined);
  assert.equal(again[2], ':\\20working');
  assert.notEqual(again[1], '0');

  // test alert: runs that period's alerts with MON_ALERTTYPE=test, without counting them.
  assert.deepEqual(await moncmd(port, 'test', 'alert', 'g', 's', '3', 'always'), ['220 test alert completed']);
  const tested = await waitFor('the test alert', () => lines(record).find((l) => l.startsWith('test ')));
  assert.match(tested, /\[down\]$/);

  // Recovery: upalert with -u.
  rmSync(flip);
  const up = await waitFor('the upalert', () => lines(record).find((l) => l.startsWith('up ')));
  assert.match(up, /^up \[-s\] \[s\] \[-g\] \[g\] \[-h\] \[127\.0\.0\.1\] \[-t\] \[\d+\] \[-u\] \[up\]$/);
  assert.deepEqual(await moncmd(port, 'ack', 'g', 's', 'x'), ['520 service is in a non-failure state']);
  const hist = await moncmd(port, 'list', 'alerthist');
  assert.equal(hist.at(-1), '220 list alerthist completed');
  const alertPath = join(dir, 'alert.d', 'record.alert');
  const esc = (s: string) => s.replace(/ /g, '\\20');
  const noTime = (l: string) => l.replace(/\\20\d{10}\\20/, '\\20T\\20');
  assert.equal(noTime(hist[0]!), esc(`alert g s T ${alertPath} (down) 127.0.0.1`));
  assert.equal(noTime(hist.at(-2)!), esc(`upalert g s T ${alertPath} (up) 127.0.0.1`));
  const fhist = await moncmd(port, 'list', 'failurehist');
  assert.match(fhist[0]!, /^g\\20s\\20\d{10}\\20127\.0\.0\.1$/);

  // A trap from Mon::Client::send_trap fails the trap-only service and fires its alert with -T.
  await sendTrap(port, { group: 'g', service: 't', retval: 1, summary: 'disk full on box7', detail: 'detail line 1' });
  const trapped = await waitFor('the trap alert', () => lines(record).find((l) => l.includes('[trapped]')));
  assert.match(trapped, /^trap \[-s\] \[t\] \[-g\] \[g\] \[-h\] \[127\.0\.0\.1\] \[-t\] \[\d+\] \[-T\] \[trapped\]$/);
  const tline = (await moncmd(port, 'list', 'opstatus', 'g,t'))[0]!;
  assert.match(tline, /^group=g service=t opstatus=0 .* last_summary=disk\\20full\\20on\\20box7 /);
  await sendTrap(port, { group: 'g', service: 't', retval: 0, summary: 'fine', detail: '' });
  await waitFor('the trap upalert', () => lines(record).find((l) => l.includes('[trapup]')));
});
