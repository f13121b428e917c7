/**
 * Security: secrets never leave vigil. A control token (in the config and in the
 * environment) and an SMTP password (right for one alert, wrong for another, so
 * SMTP errors are produced), a mon protocol login with a password, requests with
 * wrong tokens, a failed reload: then every log line (debug), the API (status,
 * outbox with its errors, history), /metrics, the status page files, the log
 * alert's file, `vigil check`, `vigil history` and the mails are searched for
 * the secrets. None may appear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { runVigil, startVigil } from '../helpers/vigil-process.ts';
import { startSmtp } from '../helpers/smtp.ts';
import { report, sleep, until } from './report.ts';

const TOKEN = 'tok-SECRET-a1b2c3d4e5';
const ENV_TOKEN = 'envtok-SECRET-f6g7h8';
const SMTP_PASS = 'smtp-SECRET-pass-9z8y';
const WRONG_PASS = 'wrong-SECRET-pass-7x6w';
const MON_PASS = 'monlogin-SECRET-5v4u';
const SERVICE_ENV = 'svcenv-SECRET-3t2s';
const SECRETS = [TOKEN, ENV_TOKEN, SMTP_PASS, WRONG_PASS, MON_PASS, SERVICE_ENV];

function leaks(where: string, text: string): string[] {
  return SECRETS.filter((s) => text.includes(s)).map((s) => `${where} contains ${s}`);
}

test('control token, SMTP password, mon login and service env never appear in logs, errors, API, metrics, page or mail', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
  const smtp = await startSmtp({ auth: { user: 'vigil', pass: SMTP_PASS } });
  const file = join(dir, 'vigil.yaml');
  const email = (passEnv: string) => `{ plugin: email, smtp: "${smtp.url}", to: ops@example.com, from: vigil@example.com, user: vigil, passwordEnv: ${passEnv}, starttls: never }`;
  const config = (extra = '') => `state_dir: ./state
control: { listen: "127.0.0.1:0", token: "${TOKEN}" }
mon_protocol: { listen: "127.0.0.1:0" }
mon: { authtype: trustlocal }
hostgroups:
  g: [127.0.0.1]
watches:
  g:
    services:
      down:
        interval: 300ms
        monitor: { plugin: tcp, port: 1 }
        env: { API_KEY: "${SERVICE_ENV}" }
        periods: [ { when: always, alertafter: 1, alertevery: 1h, alerts: [ ${email('SMTP_PASS')}, ${email('WRONG_PASS')}, { plugin: log, file: events.log } ] } ]
${extra}`;
  writeFileSync(file, config());
  const env = { SMTP_PASS, WRONG_PASS, VIGIL_TOKEN: ENV_TOKEN };
  const vigil = startVigil(['run', '-c', file, '--json-log', '--log-level', 'debug'], env);
  const found: string[] = [];
  try {
    const api = /"url":"(http:\/\/[^"]+?)\/?"/.exec(await vigil.waitFor(/status page listening/, 20_000))![1]!;
    const monPort = Number(/"port":(\d+)/.exec(await vigil.waitFor(/mon client protocol listening/, 20_000))![1]);
    await smtp.waitFor(1, 15_000);
    await until('the wrong password to fail at least twice', async () => {
      const rows = (await (await fetch(`${api}/api/outbox?limit=100`)).json()) as Array<{ attempts: number; lastError?: string }>;
      return rows.some((r) => r.attempts >= 2 && r.lastError);
    }, 20_000);

    // Wrong and right tokens, with the secrets in places a careless server would echo.
    for (const auth of [`Bearer ${TOKEN}x`, `Bearer ${ENV_TOKEN}`, `Basic ${TOKEN}`, `Bearer ${TOKEN}`]) {
      const res = await fetch(`${api}/api/hosts/127.0.0.1/enable?token=${TOKEN}`, { method: 'POST', headers: { authorization: auth } });
      found.push(...leaks(`POST answer (${res.status})`, await res.text()));
    }
    // A mon client logs in with a password and sends commands.
    await new Promise<void>((resolve) => {
      const s = connect(monPort, '127.0.0.1', () => s.write(`login ops ${MON_PASS}\nlist opstatus\nack g down rebooting\nquit\n`));
      s.on('data', (d) => found.push(...leaks('mon protocol answer', String(d))));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    // A reload that fails, with the token next to the mistake.
    writeFileSync(file, config(`      broken: { interval: 5, monitor: { plugin: tcp, port: 1 } }\n`).replace(`token: "${TOKEN}"`, `token: "${TOKEN}", tokn: "${TOKEN}"`));
    const r = await fetch(`${api}/api/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    found.push(...leaks('failed reload answer', await r.text()));
    await sleep(500);

    for (const path of ['/api/status', '/api/outbox?limit=1000', '/api/history?limit=1000', '/metrics', '/api/events/recent', '/', '/app.js', '/api/services/g/down']) {
      const res = await fetch(api + path);
      found.push(...leaks(`GET ${path}`, await res.text()));
    }
    const check = await runVigil(['check', '-c', file], env);
    assert.notEqual(check.code, 0, 'vigil check reports the broken config');
    found.push(...leaks('vigil check', check.stdout + check.stderr));
  } finally {
    await vigil.stop();
    await smtp.stop();
  }
  const hist = await runVigil(['history', '-c', file], env);
  found.push(...leaks('vigil history', hist.stdout + hist.stderr));
  found.push(...leaks('vigil log (debug)', vigil.output()));
  if (existsSync(join(dir, 'events.log'))) found.push(...leaks('log alert file', readFileSync(join(dir, 'events.log'), 'utf8')));
  for (const m of smtp.messages) found.push(...leaks('a mail', m.raw));
  assert.ok(smtp.authFailures >= 1, 'the wrong password was tried (so its errors were exercised)');
  assert.ok(vigil.output().length > 1000, 'there was debug output to search');
  assert.deepEqual(found, []);
  report('security', 'secrets (control token, SMTP password, mon login, service env)', `${SECRETS.length} secrets x debug log, API, metrics, page, outbox errors, mails, vigil check/history, failed reload`, '0 occurrences');
  rmSync(dir, { recursive: true, force: true });
});
