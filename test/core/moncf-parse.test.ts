import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monCfToModel, readMonCf } from '../../core/config/moncf.ts';
import { ConfigError } from '../../core/errors.ts';

const FULL = `# globals
basedir = BASE
alertdir = alert.d
mondir = mon.d:/nonexistent/mon.d
statedir = state.d
maxprocs = 7
randstart = 30s
serverbind = 127.0.0.1
serverport = 2999
trapbind = 127.0.0.1
trapport = 3000
clientallow = 127.0.0.1 10.1.*
cltimeout = 1m
dep_behavior = m
histlength = 50

hostgroup web 127.0.0.2 127.0.0.3 \\
    127.0.0.4
    127.0.0.5

watch web
    service http
        description front page # not a comment
        interval 10s
        failure_interval 5s
        randskew 2s
        monitor http.monitor -p 8080 -u "/health check"
        exclude_hosts 127.0.0.5
        exclude_period hr {3am-4am}
        depend SELF:ping && !routers:ping
        dep_behavior hm
        dep_memory 5m
        allow_empty_group
        unack_summary yes
        redistribute file.alert -d /tmp
        MY_VAR=some value "kept"
        period office: wd {Mon-Fri} hr {7am-7pm}
            alert exit=2-3 mail.alert ops@example.com "two words"
            alert page.alert pager
            upalert mail.alert -S "back up" ops
            startupalert file.alert start
            ackalert file.alert ack
            disablealert file.alert disabled
            alertevery 1h strict
            alertafter 2 5m
            numalerts 4
            no_comp_alerts
            upalertafter 10m
            alerts_dont_count
            alertexitrange 1-5
        period
            alert file.alert always
    service ping
        interval 1m
        monitor fping.monitor ;;
        traptimeout 10m
        trapduration 1h
        depend routers:ping serversbd2:ping
        period wd {Sun-Sat}
            alertafter 3
            alert mail.alert x

watch traponly
    service beat
        period
            alert file.alert t
`;

/** 1-based line of the first line of FULL containing `needle`. */
function lineOf(needle: string): number {
  return FULL.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

function model(text: string) {
  return monCfToModel(text, '/etc/mon/test.cf');
}

test('a config with every keyword becomes the model, with file:line on every item', () => {
  const c = model(FULL.replace('BASE', '/opt/mon'));
  assert.equal(c.format, 'moncf');
  assert.equal(c.maxprocs, 7);
  assert.equal(c.randstartMs, 30_000);
  assert.equal(c.stateDir, '/opt/mon/state.d');
  assert.deepEqual(c.hostgroups.web, ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']);
  assert.deepEqual(c.hostgroups.traponly, ['traponly']);
  assert.deepEqual(c.monProtocol, { listen: '127.0.0.1:2999', trapListen: '127.0.0.1:3000', clientAllow: ['127.0.0.1', '10.1.*'], cltimeoutMs: 60_000 });
  assert.equal(c.mon.histlength, '50');
  assert.equal(c.mon.mondir, '/opt/mon/mon.d:/nonexistent/mon.d');

  const [http, ping] = c.watches[0]!.services;
  assert.ok(http && ping);
  assert.deepEqual(http.loc, { file: '/etc/mon/test.cf', line: lineOf('service http') });
  assert.equal(http.description, 'front page # not a comment');
  assert.equal(http.intervalMs, 10_000);
  assert.equal(http.failureIntervalMs, 5000);
  assert.equal(http.randskewMs, 2000);
  assert.deepEqual(http.monitor, {
    plugin: 'script',
    options: { path: 'http.monitor', args: ['-p', '8080', '-u', '/health check'], mondir: '/opt/mon/mon.d:/nonexistent/mon.d' },
    loc: { file: '/etc/mon/test.cf', line: lineOf('monitor http.monitor') },
  });
  assert.deepEqual(http.excludeHosts, ['127.0.0.5']);
  assert.equal(http.excludePeriod, 'hr {3am-4am}');
  assert.equal(http.depend, 'web:ping && !routers:ping');
  assert.equal(http.depBehavior, 'hm');
  assert.equal(http.depMemoryMs, 300_000);
  assert.equal(http.allowEmptyGroup, true);
  assert.equal(http.unackSummary, true);
  assert.deepEqual(http.env, { MY_VAR: 'some value "kept"' });
  assert.equal(http.redistribute?.options.path, 'file.alert');
  assert.ok(http.timeoutMs >= http.intervalMs!);

  const [office, always] = http.periods;
  assert.ok(office && always);
  assert.equal(office.key, 'office');
  assert.equal(office.label, 'office');
  assert.equal(office.spec, 'wd {Mon-Fri} hr {7am-7pm}');
  assert.deepEqual(office.alerts[0], {
    plugin: 'script',
    options: { path: 'mail.alert', args: ['ops@example.com', 'two words'], alertdir: '/opt/mon/alert.d' },
    loc: { file: '/etc/mon/test.cf', line: lineOf('alert exit=2-3') },
    exitRange: [2, 3],
  });
  assert.equal(office.alerts[1]!.exitRange, undefined);
  assert.deepEqual(office.upalerts[0]!.options.args, ['-S', 'back up', 'ops']);
  assert.equal(office.startupalerts.length, 1);
  assert.equal(office.ackalerts.length, 1);
  assert.equal(office.disablealerts.length, 1);
  assert.deepEqual(office.alertevery, { ms: 3_600_000, mode: 'strict' });
  assert.deepEqual(office.alertafter, { kind: 'count-within', count: 2, withinMs: 300_000 });
  assert.equal(office.numalerts, 4);
  assert.equal(office.noCompAlerts, true);
  assert.equal(office.upalertafterMs, 600_000);
  assert.equal(office.alertsDontCount, true);
  assert.deepEqual(office.exitRange, [1, 5]);
  assert.equal(always.key, 'always');
  assert.equal(always.spec, '');

  assert.equal(ping.monitor?.options.noHosts, true);
  assert.deepEqual(ping.monitor?.options.args, []);
  assert.equal(ping.depBehavior, 'm', 'global dep_behavior is the default for later services');
  assert.equal(ping.traptimeoutMs, 600_000);
  assert.equal(ping.trapdurationMs, 3_600_000);
  assert.equal(c.watches[1]!.services[0]!.intervalMs, undefined, 'no interval: trap-only');
});

test('every mon BUG vigil fixes gets a note naming its line', () => {
  const c = model(FULL.replace('BASE', '/opt/mon'));
  const at = (re: RegExp) => c.notes.filter((n) => re.test(n.message)).map((n) => n.loc?.line);
  assert.deepEqual(at(/^disablealert/), [lineOf('disablealert file.alert')]);
  assert.deepEqual(at(/^upalertafter/), [lineOf('upalertafter 10m')]);
  assert.deepEqual(at(/^dep_memory/), [lineOf('dep_memory 5m')]);
  assert.deepEqual(at(/without an operator/), [lineOf('depend routers:ping serversbd2')]);
  assert.deepEqual(at(/killed by a signal/), [lineOf('monitor http.monitor')]);
  assert.deepEqual(at(/watch traponly has no hostgroup/), [lineOf('watch traponly')]);
  assert.ok(c.notes.some((n) => /histlength|monitor http.monitor not found/.test(n.message)));
});

test('errors name the line and say what to do; all of them, not just the first', () => {
  const bad = `hostgroup g h1

watch g
    interval 5m
    service s
        interval 30
        period wd {Mon-Fri}
            alert mail.alert x
            interval 5m
bogus = 1
`;
  assert.throws(() => model(bad), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    const lines = err.problems.map((p) => p.loc?.line);
    assert.deepEqual(lines, [4, 6, 9, 10]);
    assert.match(err.problems[0]!.message, /need to specify service/);
    assert.match(err.problems[1]!.message, /invalid interval '30'/);
    assert.match(err.problems[2]!.message, /service keyword and must come before the first "period"/);
    assert.match(err.problems[3]!.message, /unknown syntax \[bogus = 1\]/, 'inside a watch, name = value is keyword "bogus"');
    return true;
  });
  assert.throws(() => model('foo = bar\n'), /test.cf:1: unknown variable 'foo'/);
  assert.throws(() => model('watch a\n service s\nwatch a\n service t\n'), /watch 'a' already defined/);
  assert.throws(() => model('watch a\n service s\n service s\n'), /service s already defined/);
  assert.throws(() => model('watch a\n service s\n  depend a:b &&\n'), /bad dependency expression/);
  assert.throws(() => model('watch a\n service s\n  period p: wd {Mon}\n  period p: wd {Tue}\n'), /period 'p' already defined/);
});

test('mon quirks kept: a watch right after a hostgroup without a blank line is more hosts; stray lines are noted', () => {
  const c = model('hostgroup g a b\nwatch g\n  service s\n\nservice x\n');
  assert.deepEqual(c.hostgroups.g, ['a', 'b', 'watch', 'g', 'service', 's']);
  assert.equal(c.watches.length, 0);
  assert.ok(c.notes.some((n) => n.loc?.line === 2 && /blank line/.test(n.message)));
  assert.ok(c.notes.some((n) => n.loc?.line === 5 && /line ignored/.test(n.message)));
});

test('globals may sit inside a hostgroup without ending it; a blank line ends it', () => {
  const c = model('hostgroup g a\nmaxprocs = 3\n  b\n\nwatch g\n  service s\n');
  assert.deepEqual(c.hostgroups.g, ['a', 'b']);
  assert.equal(c.maxprocs, 3);
});

test('monitor and alert scripts resolve through mondir/alertdir relative to basedir', () => {
  const base = mkdtempSync(join(tmpdir(), 'moncf-'));
  mkdirSync(join(base, 'mon.d'));
  mkdirSync(join(base, 'alert.d'));
  writeFileSync(join(base, 'mon.d', 'ok.monitor'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(base, 'mon.d', 'ok.monitor'), 0o755);
  writeFileSync(join(base, 'alert.d', 'x.alert'), '#!/bin/sh\n');
  chmodSync(join(base, 'alert.d', 'x.alert'), 0o755);
  const c = model(`basedir = ${base}\nmondir = mon.d\nalertdir = alert.d\nwatch h\n service s\n  monitor ok.monitor\n  period\n   alert x.alert\n   alert missing.alert\n`);
  assert.equal(c.watches[0]!.services[0]!.monitor!.options.mondir, join(base, 'mon.d'));
  const missing = c.notes.filter((n) => /not found/.test(n.message));
  assert.equal(missing.length, 1);
  assert.match(missing[0]!.message, /alert missing\.alert not found in alertdir/);
  assert.equal(missing[0]!.loc?.line, 9);
});

test('.m4 configs go through m4', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moncf-m4-'));
  const f = join(dir, 'mon.m4');
  writeFileSync(f, "dnl header\ndefine(_HOSTS_, `127.0.0.2 127.0.0.3')dnl\nhostgroup g _HOSTS_\n\nwatch g\n service s\n  interval 1m\n");
  const c = await readMonCf(f);
  assert.deepEqual(c.hostgroups.g, ['127.0.0.2', '127.0.0.3']);
});

test('global exclude_period applies to every service (OR-ed with its own), as mon skips all monitors then', () => {
  const c = model('exclude_period = hr {2am-3am}\nwatch w\n service a\n  exclude_period wd {Sat}\n service b\n');
  assert.equal(c.watches[0]!.services[0]!.excludePeriod, 'wd {Sat}, hr {2am-3am}');
  assert.equal(c.watches[0]!.services[1]!.excludePeriod, 'hr {2am-3am}');
});

test('dep_behavior/dep_memory/unack_summary globals are defaults for services defined after them only', () => {
  const c = model('watch w\n service a\n\ndep_behavior = hm\nunack_summary = yes\nwatch v\n service b\n');
  assert.equal(c.watches[0]!.services[0]!.depBehavior, 'a');
  assert.equal(c.watches[0]!.services[0]!.unackSummary, undefined);
  assert.equal(c.watches[1]!.services[0]!.depBehavior, 'hm');
  assert.equal(c.watches[1]!.services[0]!.unackSummary, true);
  assert.throws(() => model('dep_behavior = x\n'), /unknown dependency behavior 'x'/);
  assert.throws(() => model('watch w\n service a\n  unack_summary\n'), /invalid unack_summary value ''/);
});
