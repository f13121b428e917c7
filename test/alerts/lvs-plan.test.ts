import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPool } from '../../alerts/lvs/plan.ts';
import { parseIpvsSave } from '../../alerts/lvs/parse-table.ts';
import { normalizeOptions, type LvsOptions } from '../../alerts/lvs/options.ts';
import { stepPool, poolFromState, type HostPool } from '../../alerts/lvs/pool-state.ts';
import type { PoolState } from '../../alerts/lvs/model.ts';

const HOSTS = ['127.0.0.2', '127.0.0.3'];
const noDns = async (h: string) => {
  throw new Error(`no DNS in this test (${h})`);
};

async function plan(opts: Partial<LvsOptions>, health: Record<string, PoolState>, table: string, hosts = HOSTS) {
  const n = await normalizeOptions({ service: 'tcp 127.0.0.100:80', method: 'nat', ...opts } as LvsOptions, hosts, noDns);
  const p = planPool(n.managed, n.policy, health, parseIpvsSave(table));
  return { lines: p.commands.map((c) => c.args.join(' ')), warnings: p.warnings };
}

const SVC = '-A -t 127.0.0.100:80 -s rr';
const BOTH = [SVC, '-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 1', '-a -t 127.0.0.100:80 -r 127.0.0.3:80 -m -w 1'].join('\n');

const cases: { name: string; opts?: Partial<LvsOptions>; health: Record<string, PoolState>; table: string; expect: string[]; warn?: RegExp }[] = [
  { name: 'all up and in: nothing to do', health: { '127.0.0.2': 'up', '127.0.0.3': 'up' }, table: BOTH, expect: [] },
  { name: 'one down: removed', health: { '127.0.0.2': 'up', '127.0.0.3': 'down' }, table: BOTH, expect: ['-d -t 127.0.0.100:80 -r 127.0.0.3:80'] },
  {
    name: 'quiescent: weight 0 instead of removal',
    opts: { mode: 'quiescent' },
    health: { '127.0.0.2': 'up', '127.0.0.3': 'down' },
    table: BOTH,
    expect: ['-e -t 127.0.0.100:80 -r 127.0.0.3:80 -m -w 0'],
  },
  {
    name: 'back up: re-added with its weight',
    opts: { weight: 5 },
    health: { '127.0.0.2': 'up', '127.0.0.3': 'up' },
    table: [SVC, '-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 5'].join('\n'),
    expect: ['-a -t 127.0.0.100:80 -r 127.0.0.3:80 -m -w 5'],
  },
  { name: 'unknown health: left as it is', health: { '127.0.0.2': 'unknown' }, table: SVC + '\n-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 7', expect: [] },
  {
    name: 'unmanaged servers and services are never touched',
    health: { '127.0.0.2': 'up', '127.0.0.3': 'up' },
    table: BOTH + '\n-a -t 127.0.0.100:80 -r 127.0.0.9:80 -g -w 3\n-A -t 127.0.0.200:80 -s rr\n-a -t 127.0.0.200:80 -r 127.0.0.2:80 -g -w 1',
    expect: [],
  },
  {
    name: 'degraded: weight lowered to the fraction, never below 1',
    opts: { weight: 10, degradedWeight: 0.3, servers: ['127.0.0.2', { address: '127.0.0.3', weight: 1 }] },
    health: { '127.0.0.2': 'degraded', '127.0.0.3': 'degraded' },
    table: [SVC, '-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 10', '-a -t 127.0.0.100:80 -r 127.0.0.3:80 -m -w 1'].join('\n'),
    expect: ['-e -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 3'],
  },
  {
    name: 'minServers keeps the last serving server in',
    opts: { minServers: 1 },
    health: { '127.0.0.2': 'down', '127.0.0.3': 'down' },
    table: BOTH,
    expect: ['-d -t 127.0.0.100:80 -r 127.0.0.3:80'],
  },
  {
    name: 'minServers does not re-add a down server that is already out',
    opts: { minServers: 1 },
    health: { '127.0.0.2': 'down', '127.0.0.3': 'down' },
    table: SVC,
    expect: [],
  },
  {
    name: 'sorry server in when all are down, added before the deletes',
    opts: { sorryServer: '127.0.0.9:8080' },
    health: { '127.0.0.2': 'down', '127.0.0.3': 'down' },
    table: BOTH,
    expect: ['-a -t 127.0.0.100:80 -r 127.0.0.9:8080 -m -w 1', '-d -t 127.0.0.100:80 -r 127.0.0.2:80', '-d -t 127.0.0.100:80 -r 127.0.0.3:80'],
  },
  {
    name: 'sorry server out when one is back',
    opts: { sorryServer: '127.0.0.9:8080' },
    health: { '127.0.0.2': 'up', '127.0.0.3': 'down' },
    table: SVC + '\n-a -t 127.0.0.100:80 -r 127.0.0.9:8080 -m -w 1',
    expect: ['-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 1', '-d -t 127.0.0.100:80 -r 127.0.0.9:8080'],
  },
  {
    name: 'sorry server left alone while every host is unknown',
    opts: { sorryServer: '127.0.0.9:8080' },
    health: {},
    table: SVC,
    expect: [],
  },
  {
    name: 'missing service without manageService: a warning, no command',
    health: { '127.0.0.2': 'up' },
    table: '',
    expect: [],
    warn: /tcp 127.0.0.100:80 is not in the IPVS table.*manageService/,
  },
  {
    name: 'missing service with manageService: created first',
    opts: { manageService: true, scheduler: 'rr' },
    health: { '127.0.0.2': 'up', '127.0.0.3': 'down' },
    table: '',
    expect: ['-A -t 127.0.0.100:80 -s rr', '-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 1'],
  },
  {
    name: 'a hand-changed weight and method are put back',
    health: { '127.0.0.2': 'up', '127.0.0.3': 'up' },
    table: [SVC, '-a -t 127.0.0.100:80 -r 127.0.0.2:80 -g -w 1', '-a -t 127.0.0.100:80 -r 127.0.0.3:80 -m -w 0'].join('\n'),
    expect: ['-e -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 1', '-e -t 127.0.0.100:80 -r 127.0.0.3:80 -m -w 1'],
  },
  {
    name: 'IPv6 VIP with hosts written in brackets',
    opts: { service: 'tcp [::1]:80' },
    health: { '::2': 'up', '::3': 'down' },
    table: '-A -t [::1]:80 -s rr\n-a -t [::1]:80 -r [::3]:80 -m -w 1',
    expect: ['-a -t [::1]:80 -r [::2]:80 -m -w 1', '-d -t [::1]:80 -r [::3]:80'],
  },
];

for (const c of cases) {
  test(`plan: ${c.name}`, async () => {
    const hosts = c.opts?.service?.includes('::') ? ['[::2]', '[::3]'] : HOSTS;
    const { lines, warnings } = await plan(c.opts ?? {}, c.health, c.table, hosts);
    assert.deepEqual(lines, c.expect);
    if (c.warn) assert.match(warnings.join('\n'), c.warn);
    else assert.deepEqual(warnings, []);
  });
}

test('options: several services, per-service servers, defaults from the hostgroup', async () => {
  const n = await normalizeOptions(
    { services: ['tcp 10.0.0.1:80', { service: 'udp 10.0.0.1:53', servers: ['10.0.1.5:5353'], method: 'dr', scheduler: 'sh' }], method: 'nat' },
    ['10.0.1.1', 'web2'],
    async (h) => (h === 'web2' ? '10.0.1.2' : Promise.reject(new Error('NXDOMAIN'))),
  );
  assert.equal(n.managed.length, 2);
  assert.deepEqual(n.managed[0]!.servers.map((s) => [s.host, s.address, s.port, s.method, s.weight]), [
    ['10.0.1.1', '10.0.1.1', 80, 'nat', 1],
    ['web2', '10.0.1.2', 80, 'nat', 1],
  ]);
  assert.equal(n.managed[0]!.scheduler, 'wlc');
  assert.deepEqual(n.managed[1]!.servers.map((s) => [s.address, s.port, s.method]), [['10.0.1.5', 5353, 'dr']]);
  assert.deepEqual([n.fall, n.rise, n.policy.mode, n.command], [1, 1, 'remove', ['ipvsadm']]);
  await assert.rejects(normalizeOptions({ service: 'tcp 10.0.0.1:80' }, ['nosuch'], async () => Promise.reject(new Error('NXDOMAIN'))), /real server "nosuch".*NXDOMAIN/);
  await assert.rejects(normalizeOptions({ service: 'tcp 10.0.0.1:80' }, [], noDns), /no real servers/);
  await assert.rejects(normalizeOptions({ services: ['tcp 10.0.0.1:80', 'tcp 10.0.0.1:80'] }, HOSTS, noDns), /listed twice/);
});

test('fall/rise: remove after 2 failures, re-add after 3 successes', () => {
  let p: HostPool = poolFromState('up');
  const seq: [string, PoolState][] = [];
  for (const o of ['failed', 'ok', 'failed', 'failed', 'ok', 'ok', 'failed', 'ok', 'ok', 'ok', 'degraded'] as const) {
    p = stepPool(p, o, 2, 3);
    seq.push([o, p.state]);
  }
  assert.deepEqual(seq.map((s) => s[1]), ['up', 'up', 'up', 'down', 'down', 'down', 'down', 'down', 'down', 'up', 'degraded']);
  // defaults 1/1: state follows each result at once; unknown stays unknown until counts are met
  assert.equal(stepPool(poolFromState('unknown'), 'failed', 1, 1).state, 'down');
  assert.equal(stepPool(poolFromState('unknown'), 'failed', 2, 1).state, 'unknown');
  assert.equal(stepPool(poolFromState('down'), 'degraded', 1, 1).state, 'degraded');
});
