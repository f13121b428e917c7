/**
 * The native config loader: every problem with its file:line, mon's alertafter and
 * alertevery forms, defaults, the implicit `always` period, the full model.
 * The plugin catalog is a small fake (only its schemas matter here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig, isMonCf, loadConfig, validateModel, type PluginCatalog } from '../../core/config/load.ts';
import { configSchema } from '../../core/config/schema.ts';
import { dependExpr, parseAlertAfter, parseAlertEvery, parseExitRange } from '../../core/config/forms.ts';
import { ConfigError, formatProblem, type ConfigProblem } from '../../core/errors.ts';
import type { Config, Service } from '../../core/model.ts';
import type { Registry } from '../../core/registry.ts';
import type { JsonSchema } from '../../core/types.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'config');

const SCHEMAS: Record<string, JsonSchema | null> = {
  'monitor/tcp': {
    type: 'object',
    additionalProperties: false,
    required: ['port'],
    properties: { port: { type: 'integer', minimum: 1, maximum: 65535 }, send: { type: 'string', default: '' } },
  },
  'monitor/http': {
    type: 'object',
    additionalProperties: false,
    properties: {
      port: { type: 'integer' },
      path: { type: 'string', default: '/' },
      status: { type: 'array', items: { type: 'integer' }, default: [200] },
    },
  },
  'alert/email': {
    type: 'object',
    additionalProperties: false,
    required: ['to'],
    properties: { to: { type: 'array', items: { type: 'string', format: 'email' } }, subject: { type: 'string', default: 'vigil' } },
  },
  'alert/syslog': null,
  'monitor/either': {
    type: 'object',
    properties: { port: { type: 'integer' }, preset: { type: 'string' } },
    anyOf: [{ required: ['port'] }, { required: ['preset'] }],
  },
};

const catalog: PluginCatalog = {
  async schema(kind, name) {
    return SCHEMAS[`${kind}/${name}`];
  },
  async names(kind) {
    return Object.keys(SCHEMAS)
      .filter((k) => k.startsWith(`${kind}/`))
      .map((k) => k.slice(kind.length + 1));
  },
};

// The engine hands the registry over as the catalog; keep the two in step.
const _registryIsACatalog = (r: Registry): PluginCatalog => r;
void _registryIsACatalog;

const tmp = mkdtempSync(join(tmpdir(), 'vigil-config-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** Writes a config into a temp file and checks it. */
async function check(text: string, ext = '.yaml') {
  const file = join(tmp, `c${n++}${ext}`);
  writeFileSync(file, text);
  return { file, ...(await checkConfig(file, catalog)) };
}

/** A config with one service `web/http` whose keys are `svc` (YAML lines, indented by the helper). */
function withService(svc: string, extra = ''): string {
  const body = svc
    .trim()
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n');
  return `${extra}hostgroups:\n  web: [127.0.0.2]\nwatches:\n  web:\n    services:\n      http:\n${body}\n`;
}

async function service(svc: string, extra = ''): Promise<Service> {
  const r = await check(withService(svc, extra));
  assert.deepEqual(r.problems.map(formatProblem), [], 'expected no problems');
  return r.config!.watches[0]!.services[0]!;
}

async function problems(svc: string, extra = ''): Promise<ConfigProblem[]> {
  const r = await check(withService(svc, extra));
  assert.equal(r.config, undefined, 'a config with problems must not be returned');
  return r.problems;
}

test('every one of five mistakes is reported, each at its line', async () => {
  const file = join(FIXTURES, 'five-mistakes.yaml');
  const err = await loadConfig(file, catalog).then(
    () => assert.fail('loadConfig accepted a broken config'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConfigError);
  assert.equal(err.code, 'VIGIL_ERR_CONFIG');
  const got = err.problems.map((p) => ({ line: p.loc?.line, path: p.path, message: p.message }));
  const expect = [
    { line: 15, path: 'watches/web/services/http/interval', message: /^"10" has no unit; write 10s, 5m, 1h or 1d$/ },
    { line: 16, path: 'watches/web/services/http/monitor/plugin', message: /unknown plugin "htp" \(did you mean "http"\?\); known monitors: tcp, http, either/ },
    { line: 17, path: 'watches/web/services/http/depend', message: /"routers:pong" names service "pong", which watch "routers" does not have; it has: ping/ },
    { line: 19, path: 'watches/web/services/http/periods/0/when', message: /"9am-25" is not an hour/ },
    { line: 27, path: 'watches/web/services/https/monitor/prot', message: /monitor \(tcp\): unexpected option "prot" \(did you mean "port"\?\); expected one of: port, send/ },
  ];
  assert.equal(got.length, expect.length, `problems:\n${err.message}`);
  expect.forEach((e, i) => {
    assert.equal(got[i]!.line, e.line, `problem ${i + 1}: ${err.problems[i] && formatProblem(err.problems[i]!)}`);
    assert.equal(got[i]!.path, e.path);
    assert.match(got[i]!.message, e.message);
  });
  // The message an operator reads: file:line:column: path: what to do.
  assert.match(err.message.split('\n')[0]!, /five-mistakes\.yaml:15:19: watches\/web\/services\/http\/interval: "10" has no unit/);
});

test('a YAML syntax error gives its line and column', async () => {
  const r = await checkConfig(join(FIXTURES, 'syntax-error.yaml'), catalog);
  assert.equal(r.config, undefined);
  assert.ok(r.problems.length >= 1);
  const p = r.problems[0]!;
  assert.equal(p.loc?.line, 8);
  assert.equal(typeof p.loc?.column, 'number');
  assert.match(p.message, /^YAML syntax error: /);
  const dup = await check('maxprocs: 1\nmaxprocs: 2\n');
  assert.equal(dup.problems[0]!.loc?.line, 2);
  assert.match(dup.problems[0]!.message, /unique/);
});

test('a missing file, an empty file and a list at the top say so', async () => {
  const missing = await checkConfig(join(tmp, 'nope.yaml'), catalog);
  assert.match(missing.problems[0]!.message, /cannot read the config file: no such file; pass the right path with -c/);
  assert.match((await check('')).problems[0]!.message, /the file is empty/);
  assert.match((await check('- a\n- b\n')).problems[0]!.message, /must be a map of settings/);
});

test('the full example loads into the expected model', async () => {
  const file = join(FIXTURES, 'full.yaml');
  const c = await loadConfig(file, catalog);
  assert.equal(c.file, resolve(file));
  assert.equal(c.dir, FIXTURES);
  assert.equal(c.format, 'yaml');
  assert.equal(c.stateDir, join(FIXTURES, 'state'));
  assert.equal(c.maxprocs, 50);
  assert.equal(c.randstartMs, 30_000);
  assert.deepEqual(c.control, { listen: '127.0.0.1:2590', tokenEnv: 'OPS_TOKEN' });
  assert.deepEqual(c.monProtocol, {
    listen: '127.0.0.1:2583',
    trapListen: '127.0.0.1:2583',
    authFile: join(FIXTURES, 'auth.cf'),
    clientAllow: ['127.0.0.1', '10.1.*'],
    cltimeoutMs: 30_000,
  });
  assert.deepEqual(c.plugins, ['./plugins/hello.ts']);
  assert.deepEqual(c.mon, { mondir: '/usr/lib/mon/mon.d', histlength: '100', dtlogging: 'yes' });
  assert.deepEqual(c.extra, { store: { retention: '30d' }, log: { level: 'info' } });
  assert.deepEqual(c.hostgroups, { web: ['127.0.0.2', '127.0.0.3', '[::1]'], routers: ['127.0.0.1'] });
  assert.deepEqual(c.periods, { office: 'wd {Mon-Fri} hr {7am-7pm}' });
  assert.deepEqual(c.notes, []);
  assert.deepEqual(c.watches.map((w) => [w.name, w.services.map((s) => s.name), w.loc?.line]), [
    ['routers', ['ping'], 28],
    ['web', ['http', 'traps'], 33],
  ]);

  const http = c.watches[1]!.services[0]!;
  const mail = (to: string, line: number) => ({ plugin: 'email', options: { to: [to], subject: 'vigil' }, loc: { file, line, column: expect.column } });
  const expect = { column: 17 };
  const { periods, loc, monitor, redistribute, ...rest } = http;
  assert.deepEqual(rest, {
    watch: 'web',
    name: 'http',
    description: 'front page answers',
    intervalMs: 10_000,
    timeoutMs: 5_000,
    randskewMs: 2_000,
    failureIntervalMs: 5_000,
    depend: 'routers:ping',
    depBehavior: 'm',
    excludeHosts: ['[::1]'],
    excludePeriod: 'wd {Sun} hr {3am}',
    allowEmptyGroup: false,
    env: { MON_EXTRA: '1' },
  });
  assert.deepEqual(loc, { file, line: 35, column: 7 });
  assert.deepEqual(monitor, { plugin: 'http', options: { port: 8080, path: '/', status: [200] }, loc: { file, line: 41, column: 18 } });
  assert.deepEqual(redistribute, { plugin: 'email', options: { to: ['log@example.com'], subject: 'vigil' }, loc: { file, line: 47, column: 23 } });
  assert.equal(periods.length, 2);
  const [always, daytime] = periods;
  assert.deepEqual(always, {
    key: 'always',
    spec: '',
    alertafter: { kind: 'count', count: 2 },
    alertevery: { ms: 3_600_000, mode: 'default' },
    numalerts: 10,
    alerts: [mail('ops@example.com', 54), { ...mail('pager@example.com', 55), exitRange: [2, 3] }],
    upalerts: [mail('ops@example.com', 57)],
    startupalerts: [],
    ackalerts: [],
    disablealerts: [],
    noCompAlerts: false,
    alertsDontCount: false,
    loc: { file, line: 49, column: 19 },
  });
  assert.deepEqual(daytime, {
    key: 'daytime',
    label: 'daytime',
    spec: 'wd {Mon-Fri} hr {7am-7pm}',
    alertafter: { kind: 'count-within', count: 3, withinMs: 300_000 },
    alertevery: { ms: 1_800_000, mode: 'summary' },
    numalerts: 0,
    alerts: [],
    upalerts: [],
    startupalerts: [{ ...mail('ops@example.com', 66), loc: { file, line: 66, column: 30 } }],
    ackalerts: [{ ...mail('ops@example.com', 67), loc: { file, line: 67, column: 26 } }],
    disablealerts: [{ ...mail('ops@example.com', 68), loc: { file, line: 68, column: 30 } }],
    noCompAlerts: true,
    upalertafterMs: 60_000,
    alertsDontCount: true,
    exitRange: [1, 2],
    loc: { file, line: 58, column: 19 },
  });

  const traps = c.watches[1]!.services[1]!;
  assert.equal(traps.intervalMs, undefined);
  assert.equal(traps.monitor, undefined);
  assert.equal(traps.traptimeoutMs, 600_000);
  assert.equal(traps.trapdurationMs, 60_000);
  assert.equal(traps.unackSummary, true);
  assert.equal(traps.periods.length, 1);
  assert.equal(traps.periods[0]!.key, 'always');
  assert.deepEqual(traps.periods[0]!.alertafter, { kind: 'duration', durationMs: 600_000 });
});

test('defaults: state_dir, maxprocs, control, timeout, dep_behavior, no mon protocol', async () => {
  const r = await check('hostgroups:\n  g: [127.0.0.2]\nwatches:\n  g:\n    services:\n      s:\n        interval: 1m\n        monitor: { plugin: tcp, port: 1 }\n');
  const c = r.config!;
  assert.equal(c.stateDir, join(tmp, 'var'));
  assert.equal(c.maxprocs, 200);
  assert.deepEqual(c.control, { listen: '127.0.0.1:2580', tokenEnv: 'VIGIL_TOKEN' });
  assert.equal(c.monProtocol, undefined);
  assert.deepEqual(c.plugins, []);
  assert.deepEqual(c.periods, {});
  assert.deepEqual(c.mon, {});
  assert.deepEqual(c.extra, {});
  const s = c.watches[0]!.services[0]!;
  assert.equal(s.timeoutMs, 10_000);
  assert.equal(s.depBehavior, 'a');
  assert.deepEqual(s.excludeHosts, []);
  assert.deepEqual(s.env, {});
  assert.equal(s.allowEmptyGroup, false);
  assert.deepEqual(s.periods, [], 'no alert keys: no period');
  assert.deepEqual(s.monitor?.options, { port: 1, send: '' }, 'plugin schema defaults are filled in');
  assert.equal((await check('mon_protocol: {}\n')).config!.monProtocol?.listen, '127.0.0.1:2583');
});

test('alertafter: mon\'s three forms', async () => {
  const forms: Array<[string, unknown]> = [
    ['2', { kind: 'count', count: 2 }],
    ['"2"', { kind: 'count', count: 2 }],
    ['"2 10m"', { kind: 'count-within', count: 2, withinMs: 600_000 }],
    ['"10m"', { kind: 'duration', durationMs: 600_000 }],
    ['"90s"', { kind: 'duration', durationMs: 90_000 }],
  ];
  for (const [text, expected] of forms) {
    const s = await service(`interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nalertafter: ${text}\nalerts: [ { plugin: syslog } ]`);
    assert.deepEqual(s.periods[0]!.alertafter, expected, text);
  }
});

test('alertafter: errors, including mon\'s "not sensible" rule', async () => {
  const base = 'interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nalerts: [ { plugin: syslog } ]\n';
  const cases: Array<[string, RegExp]> = [
    ['0', /0 is too small; the least allowed is 1/],
    ['"often"', /"often" is not an alertafter; write a count \(2\), a count within a time \("2 10m"\) or a time \("10m"\)/],
    ['"3 2m"', /alertafter "3 2m" is not sensible .*with interval 1m, 3 failures take at least 2m, so they never fit in 2m/],
    ['"2 30s"', /not sensible/],
    ['"0s"', /alertafter must be more than 0/],
  ];
  for (const [text, message] of cases) {
    const ps = await problems(`${base}alertafter: ${text}`);
    assert.equal(ps.length, 1, `${text}: ${ps.map(formatProblem).join('\n')}`);
    assert.equal(ps[0]!.loc?.line, 10, text);
    assert.match(ps[0]!.message, message, text);
  }
  // (3-1) * 1m < 3m: sensible.
  assert.deepEqual((await service(`${base}alertafter: "3 3m"`)).periods[0]!.alertafter, { kind: 'count-within', count: 3, withinMs: 180_000 });
});

test('alertevery: a time and each of mon\'s modes', async () => {
  const forms: Array<[string, unknown]> = [
    ['1h', { ms: 3_600_000, mode: 'default' }],
    ['"30m summary"', { ms: 1_800_000, mode: 'summary' }],
    ['"1h strict"', { ms: 3_600_000, mode: 'strict' }],
    ['"1h observe_detail"', { ms: 3_600_000, mode: 'observe_detail' }],
    ['"1h ignore_summary"', { ms: 3_600_000, mode: 'ignore_summary' }],
  ];
  for (const [text, expected] of forms) {
    const s = await service(`interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nperiods:\n  - alertevery: ${text}\n    alerts: [ { plugin: syslog } ]`);
    assert.deepEqual(s.periods[0]!.alertevery, expected, text);
  }
  const bad = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nperiods:\n  - alertevery: "1h sometimes"');
  assert.match(bad[0]!.message, /is not an alertevery; write a time \("1h"\), optionally followed by summary, strict, observe_detail or ignore_summary/);
  const zero = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nperiods:\n  - alertevery: 0s');
  assert.match(zero[0]!.message, /alertevery must be more than 0/);
});

test('service alert keys without periods form one `always` period; beside periods they are an error', async () => {
  const s = await service('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nnumalerts: 3\nalerts: [ { plugin: syslog } ]\nupalerts: [ { plugin: syslog } ]');
  assert.equal(s.periods.length, 1);
  const p = s.periods[0]!;
  assert.equal(p.key, 'always');
  assert.equal(p.spec, '');
  assert.equal(p.numalerts, 3);
  assert.deepEqual(p.alerts.map((a) => a.plugin), ['syslog']);
  assert.deepEqual(p.upalerts.map((a) => a.plugin), ['syslog']);
  assert.equal(p.loc?.line, 9, 'the implicit period points at its first key');

  const ps = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nalerts: [ { plugin: syslog } ]\nperiods:\n  - alerts: [ { plugin: syslog } ]');
  assert.equal(ps.length, 1);
  assert.equal(ps[0]!.loc?.line, 9);
  assert.match(ps[0]!.message, /"alerts" cannot sit on the service when it has periods; move it into one of its periods/);

  // A problem inside an implicit period points at the service's own key.
  const opt = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nalerts: [ { plugin: email, to: [a@example.com], cc: x } ]');
  assert.equal(opt[0]!.path, 'watches/web/services/http/alerts/0/cc');
  assert.equal(opt[0]!.loc?.line, 9);
  assert.match(opt[0]!.message, /alerts \(email\): unexpected option "cc"; expected one of: to, subject/);
});

test('periods: named, expression, labels, unknown names, duplicate keys', async () => {
  const extra = 'periods:\n  office: "wd {Mon-Fri} hr {9am-5pm}"\n';
  const s = await service(
    'interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nperiods:\n  - when: office\n  - when: "hr {10pm-2am}"\n  - when: office\n    label: second\n  - when: none',
    extra,
  );
  assert.deepEqual(
    s.periods.map((p) => [p.key, p.spec]),
    [['office', 'wd {Mon-Fri} hr {9am-5pm}'], ['hr {10pm-2am}', 'hr {10pm-2am}'], ['second', 'wd {Mon-Fri} hr {9am-5pm}'], ['none', 'none']],
  );
  const unknown = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nperiods:\n  - when: ofice', extra);
  assert.match(unknown[0]!.message, /unknown period "ofice"; named periods are: office; define it under periods:/);
  const dup = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nperiods:\n  - when: office\n  - when: office', extra);
  assert.match(dup[0]!.message, /this period and period 1 are both "office"; give one of them a label/);
  const badNamed = await check(withService('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nperiods:\n  - when: office', 'periods:\n  office: "wd {Mon-Fri"\n'));
  assert.equal(badNamed.problems.length, 1, 'a bad named period is reported once, where it is defined');
  assert.equal(badNamed.problems[0]!.path, 'periods/office');
  assert.equal(badNamed.problems[0]!.loc?.line, 2);
});

test('schedule and dependency checks', async () => {
  const noMonitor = await problems('interval: 1m');
  assert.match(noMonitor[0]!.message, /missing key "monitor"/);
  const both = await problems('interval: 1m\ncron: "* * * * *"\nmonitor: { plugin: tcp, port: 1 }');
  assert.match(both[0]!.message, /interval or on cron, not both/);
  const cron = await problems('cron: "61 * * * *"\nmonitor: { plugin: tcp, port: 1 }');
  assert.match(cron[0]!.message, /"61 \* \* \* \*" is not a cron expression \(61 is a invalid expression for minute\)/);
  const trapOnly = await check(withService('monitor: { plugin: tcp, port: 1 }'));
  assert.match(trapOnly.notes[0]!.message, /has a monitor but no interval or cron, so the monitor never runs/);
  const self = await service('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\ndepend: "SELF:http"\nalertdepend: ["web:http", "!web:http || web:http"]');
  assert.equal(self.depend, 'web:http');
  assert.equal(self.alertdepend, 'web:http && (!web:http || web:http)');
  const missingWatch = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nhostdepend: "dns:ping"');
  assert.match(missingWatch[0]!.message, /"dns:ping" names watch "dns", which does not exist; watches are: web/);
  const zero = await problems('interval: 0s\nmonitor: { plugin: tcp, port: 1 }');
  assert.match(zero[0]!.message, /interval must be more than 0/);
});

test('hostgroups: a watch without one gets a one-host group (as mon), exclude_hosts must be members', async () => {
  const r = await check('watches:\n  127.0.0.9:\n    services:\n      s:\n        interval: 1m\n        monitor: { plugin: tcp, port: 1 }\n');
  assert.deepEqual(r.config!.hostgroups, { '127.0.0.9': ['127.0.0.9'] });
  assert.equal(r.notes.length, 1);
  assert.equal(r.notes[0]!.loc?.line, 2);
  assert.match(r.notes[0]!.message, /watch "127.0.0.9" has no hostgroup of that name, so it watches the single host "127.0.0.9"/);
  const ex = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\nexclude_hosts: [127.0.0.2, 127.0.0.7]');
  assert.equal(ex.length, 1);
  assert.equal(ex[0]!.path, 'watches/web/services/http/exclude_hosts/1');
  assert.match(ex[0]!.message, /"127.0.0.7" is not in hostgroup "web" \(127.0.0.2\); fix the name or remove it/);
});

test('plugin references: unknown plugin, options of a plugin without options, bad values, exit ranges', async () => {
  const base = 'interval: 1m\nmonitor: { plugin: tcp, port: 1 }\n';
  const alert = await problems(`${base}alerts: [ { plugin: pager } ]`);
  assert.match(alert[0]!.message, /unknown plugin "pager"; known alerts: email, syslog/);
  const noOpts = await problems(`${base}alerts: [ { plugin: syslog, facility: daemon } ]`);
  assert.match(noOpts[0]!.message, /alerts \(syslog\): unexpected option "facility"; this plugin takes no options/);
  const value = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 70000 }');
  assert.equal(value[0]!.path, 'watches/web/services/http/monitor/port');
  assert.match(value[0]!.message, /monitor \(tcp\): 70000 is too large; the most allowed is 65535/);
  const email = await problems(`${base}alerts: [ { plugin: email, to: [not-an-address] } ]`);
  assert.match(email[0]!.message, /alerts \(email\): "not-an-address" is not a valid email/);
  const noPlugin = await problems(`${base}alerts: [ { to: [a@example.com] } ]`);
  assert.match(noPlugin[0]!.message, /missing key "plugin"; write \{ plugin: NAME, \.\.\.options \}/);
  const exit = await service(`${base}alerts: [ { plugin: syslog, exit: 2 }, { plugin: syslog, exit: "3-5" } ]`);
  assert.deepEqual(exit.periods[0]!.alerts.map((a) => [a.exitRange, a.options]), [[[2, 2], {}], [[3, 5], {}]]);
  const either = await problems('interval: 1m\nmonitor: { plugin: either }');
  assert.equal(either.length, 1, either.map(formatProblem).join('\n'));
  assert.match(either[0]!.message, /^monitor \(either\): missing option "port" or "preset" \(one of them is needed\)$/);
  const backwards = await problems(`${base}alerts: [ { plugin: syslog, exit: "5-3" } ]`);
  assert.match(backwards[0]!.message, /exit range "5-3" is backwards/);
});

test('schema problems in plain words: unknown keys, types, enums, names', async () => {
  const top = await check('maxproc: 3\nwatches: {}\n');
  assert.match(top.problems[0]!.message, /unexpected key "maxproc" \(did you mean "maxprocs"\?\); expected one of: state_dir, maxprocs/);
  assert.equal(top.problems[0]!.loc?.column, 1);
  const svc = await problems('interval: 1m\nmonitor: { plugin: tcp, port: 1 }\ndep_behavior: x\nenv: { lower: "1" }\nallow_empty_group: "yes"');
  const msgs = svc.map((p) => p.message);
  assert.ok(msgs.some((m) => /"x" is not allowed here; use one of: "a", "m", "hm"/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /"lower" is not an environment variable name/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /expected true or false, found "yes"/.test(m)), msgs.join('\n'));
  const names = await check('hostgroups:\n  "bad name": [a]\n  ok: ["two hosts"]\n');
  assert.match(names.problems[0]!.message, /"bad name" is not a valid name; use only letters, digits/);
  assert.match(names.problems[1]!.message, /"two hosts" is not one host/);
  const dur = await check('randstart: soon\ncontrol: { listen: localhost }\n');
  assert.match(dur.problems[0]!.message, /"soon" is not a time value; write 10s, 5m, 1h or 1d/);
  assert.match(dur.problems[1]!.message, /"localhost" is not an address:port/);
  const secret = await check('control: { token: 12345678 }\n');
  assert.match(secret.problems[0]!.message, /^expected text, found the value \(not shown: it may be a secret\)$/);
  assert.doesNotMatch(formatProblem(secret.problems[0]!), /12345678/);
  const reserved = await check('periods: { always: "hr {1}" }\n');
  assert.match(reserved.problems[0]!.message, /"always" is a reserved word/);
  const re = await check('mon_protocol: { clientallow: ["10.(1"] }\n');
  assert.match(re.problems[0]!.message, /"10.\(1" is not a valid regular expression/);
});

test('YAML anchors and merge keys work; problems point into the anchored block', async () => {
  const text = [
    'x-service: &svc',
    '  interval: 30s',
    '  timeout: 5',
    'hostgroups: { web: [127.0.0.2] }',
    'watches:',
    '  web:',
    '    services:',
    '      a:',
    '        <<: *svc',
    '        monitor: { plugin: tcp, port: 1 }',
    '',
  ].join('\n');
  const r = await check(text);
  assert.equal(r.problems.length, 1, r.problems.map(formatProblem).join('\n'));
  assert.equal(r.problems[0]!.path, 'watches/web/services/a/timeout');
  assert.deepEqual([r.problems[0]!.loc?.line, r.problems[0]!.loc?.column], [3, 12]);
  const ok = await check(text.replace('timeout: 5', 'timeout: 5s'));
  assert.equal(ok.config!.watches[0]!.services[0]!.intervalMs, 30_000);
  assert.equal(ok.config!.watches[0]!.services[0]!.timeoutMs, 5_000);
});

test('JSON is read as well, with positions', async () => {
  const r = await check('{\n  "maxprocs": 5,\n  "watches": { "web": { "services": { "s": { "interval": 5 } } } }\n}\n', '.json');
  const unit = r.problems.find((p) => p.path === 'watches/web/services/s/interval');
  assert.equal(unit?.loc?.line, 3);
  assert.match(unit.message, /"5" has no unit/);
  const ok = await check('{ "maxprocs": 5 }', '.json');
  assert.equal(ok.config!.format, 'json');
  assert.equal(ok.config!.maxprocs, 5);
});

test('validateModel without a locator (the mon.cf path) points at the items\' own loc', async () => {
  const loc = { file: 'mon.cf', line: 12 };
  const config: Config = {
    file: '/etc/mon/mon.cf',
    dir: '/etc/mon',
    format: 'moncf',
    stateDir: '/var/lib/vigil',
    maxprocs: 0,
    plugins: [],
    hostgroups: {},
    periods: {},
    watches: [
      {
        name: 'www',
        loc: { file: 'mon.cf', line: 10 },
        services: [
          {
            watch: 'www',
            name: 'http',
            intervalMs: 60_000,
            timeoutMs: 10_000,
            depBehavior: 'a',
            excludeHosts: [],
            allowEmptyGroup: false,
            env: {},
            monitor: { plugin: 'tcp', options: { port: 80 }, loc },
            depend: 'www:ftp',
            periods: [
              {
                key: 'wd {Sat}',
                spec: 'wd {Sat-}',
                numalerts: 0,
                alerts: [{ plugin: 'mail', options: {}, loc: { file: 'mon.cf', line: 15 } }],
                upalerts: [],
                startupalerts: [],
                ackalerts: [],
                disablealerts: [],
                noCompAlerts: false,
                alertsDontCount: false,
                loc: { file: 'mon.cf', line: 14 },
              },
            ],
            loc: { file: 'mon.cf', line: 11 },
          },
        ],
      },
    ],
    mon: {},
    extra: {},
    notes: [],
  };
  const r = await validateModel(config, catalog);
  assert.deepEqual(config.hostgroups, { www: ['www'] });
  assert.equal(config.notes.length, 1);
  assert.deepEqual(config.watches[0]!.services[0]!.monitor!.options, { port: 80, send: '' });
  assert.deepEqual(
    r.problems.map((p) => [p.loc?.line, p.path]),
    [
      [14, 'watches/www/services/http/periods/0/when'],
      [11, 'watches/www/services/http/depend'],
      [15, 'watches/www/services/http/periods/0/alerts/0/plugin'],
    ],
  );
});

test('mon.cf files go to the mon.cf reader', () => {
  assert.equal(isMonCf('/etc/mon/mon.cf'), true);
  assert.equal(isMonCf('mon.m4'), true);
  assert.equal(isMonCf('vigil.yaml'), false);
  assert.equal(isMonCf('vigil.json'), false);
});

test('the published schema is draft-07 and rejects unknown top-level keys', () => {
  assert.equal(configSchema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(configSchema.additionalProperties, false);
  assert.deepEqual(Object.keys(configSchema.properties).sort(), [
    'control', 'hostgroups', 'log', 'maxprocs', 'metrics', 'mon', 'mon_protocol', 'periods', 'plugins', 'randstart', 'state_dir', 'store', 'watches',
  ]);
});

test('mon value forms as pure functions', () => {
  assert.deepEqual(parseAlertAfter('2 10m', 300_000), { value: { kind: 'count-within', count: 2, withinMs: 600_000 } });
  assert.match((parseAlertAfter('3 10m', 300_000) as { error: string }).error, /not sensible/);
  assert.deepEqual(parseAlertAfter('3 10m'), { value: { kind: 'count-within', count: 3, withinMs: 600_000 } }, 'no interval (cron): nothing to compare');
  assert.equal(parseAlertAfter(true), undefined);
  assert.equal(parseAlertEvery('1h strict extra'), undefined);
  assert.equal(parseAlertEvery('1h loud'), undefined);
  assert.deepEqual(parseExitRange(' 1 - 3 '), { value: [1, 3] });
  assert.deepEqual(parseExitRange(0), { value: [0, 0] });
  assert.equal(dependExpr([], 'w'), undefined);
  assert.equal(dependExpr(['a:b', 'SELF:c || x:y'], 'w'), 'a:b && (w:c || x:y)');
});
