/**
 * Security: no config value or check output reaches a shell. Host names made of
 * shell syntax (`$(...)`, backticks, `;`, `|`, `&&`, `>`) and check output full
 * of it (plus newlines) flow through every plugin that runs programs or talks to
 * peers: script and nagios monitors, tcp/http/icmp monitors, script, log and
 * email alerts, acks with such comments. Each payload names its own marker
 * file; none may ever be created. The payloads must reach the programs intact
 * (argv, stdin, environment), so the test fails if they were filtered instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { startSmtp, decodedBody } from '../helpers/smtp.ts';
import { report, sleep, until } from './report.ts';

test('shell syntax in host names, check output and ack comments never runs', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-shell-'));
  const markerDir = mkdtempSync(join(tmpdir(), 'vigil-pwned-'));
  const m = (n: string) => join(markerDir, n);
  const hosts = [`$(touch\${IFS}${m('dollar')})`, `\`touch\${IFS}${m('backtick')}\``, `;touch\${IFS}${m('semicolon')}`, `|touch\${IFS}${m('pipe')}`, `&&touch\${IFS}${m('and')}`, `>${m('redirect')}`, `127.0.0.1;touch\${IFS}${m('ip')}`];
  const outputPayload = `$(touch ${m('out-dollar')}) \`touch ${m('out-backtick')}\`; touch ${m('out-semi')}\ntouch ${m('out-newline')}\n'; touch ${m('out-quote')}; '`;
  const commentPayload = `$(touch ${m('ack')});\`touch ${m('ack2')}\``;
  writeFileSync(join(dir, 'evil.monitor'), `#!/bin/sh\nprintf '%s\\n' "$@" >> ${join(dir, 'monitor-args.txt')}\nprintf '%s\\n' "$1" '${outputPayload.replace(/'/g, `'\\''`)}'\nexit 1\n`);
  writeFileSync(join(dir, 'record.alert'), `#!/bin/sh\nprintf 'ARG %s\\n' "$@" >> ${join(dir, 'alert-args.txt')}\ncat >> ${join(dir, 'alert-stdin.txt')}\nprintf 'ENV %s\\n' "$MON_LAST_SUMMARY" >> ${join(dir, 'alert-env.txt')}\n`);
  writeFileSync(join(dir, 'check_evil'), `#!/bin/sh\nprintf '%s\\n' "$@" >> ${join(dir, 'nagios-args.txt')}\necho "CRITICAL - ${outputPayload.split('\n')[0]!.replace(/["`$\\]/g, '\\$&')}|x=1"\nexit 2\n`);
  for (const f of ['evil.monitor', 'record.alert', 'check_evil']) chmodSync(join(dir, f), 0o755);
  const smtp = await startSmtp();
  const q = (s: string) => JSON.stringify(s);
  const alerts = `[ { plugin: script, path: ./record.alert, hostEvents: true }, { plugin: log, file: events.log }, { plugin: email, smtp: ${q(smtp.url)}, to: ops@example.com, from: vigil@example.com } ]`;
  const svc = (name: string, monitor: string) => `      ${name}:\n        interval: 400ms\n        timeout: 2s\n        monitor: ${monitor}\n        periods: [ { when: always, alertafter: 1, alertevery: 1h, alerts: ${alerts}, upalerts: ${alerts}, ackalerts: ${alerts} } ]\n`;
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `state_dir: ./state
hostgroups:
  evil: [ ${hosts.map(q).join(', ')} ]
watches:
  evil:
    services:
${svc('script', '{ plugin: script, path: ./evil.monitor, args: ["--flag=$(touch ' + m('arg') + ')"] }')}${svc('nagios', `{ plugin: nagios, command: ./check_evil, args: ["-H", "{host}", "-w", ${q('`touch ' + m('nagarg') + '`')}] }`)}${svc('tcp', '{ plugin: tcp, port: 80 }')}${svc('http', '{ plugin: http, port: 80, path: "/$(touch%20' + m('http') + ')" }')}${svc('icmp', '{ plugin: icmp }')}${svc('dns', '{ plugin: dns, name: "$(touch ' + m('dnsname') + ').example", port: 1 }')}`,
  );
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger }).catch(async (err) => {
    await smtp.stop();
    throw err;
  });
  try {
    await until('every service to fail', () => engine.status().watches[0]!.services.every((s) => s.status === 'fail'), 20_000);
    for (const s of ['script', 'nagios', 'tcp', 'http', 'icmp', 'dns']) engine.ack('evil', s, commentPayload, `ops$(touch ${m('user')})`);
    await smtp.waitFor(8, 15_000);
    await until('ack alerts to have run with the comment', () => existsSync(join(dir, 'alert-stdin.txt')) && readFileSync(join(dir, 'alert-stdin.txt'), 'utf8').includes(commentPayload), 15_000);
    await sleep(500);
  } finally {
    await engine.close(3000);
    await smtp.stop();
  }
  const created = readdirSync(markerDir);
  assert.deepEqual(created, [], `a payload ran in a shell and created: ${created.join(', ')}`);
  // The payloads reached the programs as plain data, unchanged.
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  for (const h of hosts) {
    assert.ok(read('monitor-args.txt').split('\n').includes(h), `script monitor got the host ${h} as one argument`);
    assert.ok(read('nagios-args.txt').split('\n').includes(h), `nagios plugin got the host ${h} as one argument`);
  }
  assert.ok(read('alert-stdin.txt').includes(`touch ${m('out-newline')}`), 'the alert script got the output with its newlines on stdin');
  assert.ok(read('alert-args.txt').includes(`ARG ${hosts.join(' ')}`) || read('alert-args.txt').includes(hosts[0]!), 'the alert script got the hosts');
  assert.ok(read('events.log').includes('touch'), 'the log alert wrote the output');
  assert.ok(read('alert-env.txt').includes(`ENV `), 'the alert script got MON_LAST_SUMMARY');
  assert.ok(smtp.messages.some((x) => decodedBody(x.raw).includes(`touch ${m('out-semi')}`)), 'the mail carries the output');
  const payloadCount = hosts.length + 3;
  report('security', 'shell syntax in host names, output and ack comments', `${payloadCount} payloads x script/nagios/tcp/http/icmp(fping)/dns monitors x script/log/email alerts + acks`, '0 marker files created, payloads reached argv/stdin/env intact');
  rmSync(dir, { recursive: true, force: true });
  rmSync(markerDir, { recursive: true, force: true });
});
