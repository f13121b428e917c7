/**
 * `dns` in soa-sync mode against three real dnsmasq authoritative servers on
 * 127.0.0.1-3 (same port), the third one with a newer serial.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dns from '../../monitors/dns.ts';
import type { DnsOptions } from '../../monitors/dns/options.ts';
import type { HostChecker, PluginContext } from '../../core/types.ts';
import { silentLogger } from '../../core/log.ts';
import { freeDnsPort, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const SERIALS = [2024010101, 2024010101, 2024010102];

function authArgs(address: string, serial: number): string[] {
  return [
    '--auth-zone=zone.test',
    `--auth-soa=${serial},hostmaster.zone.test`,
    `--auth-server=ns.zone.test,${address}`,
    '--host-record=www.zone.test,192.0.2.50',
    '--log-queries',
  ];
}

async function startAll(): Promise<{ port: number; servers: Dnsmasq[] }> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeDnsPort('127.0.0.1');
    const servers: Dnsmasq[] = [];
    try {
      for (const [i, address] of HOSTS.entries()) servers.push(await startDnsmasq(authArgs(address, SERIALS[i]!), { address, port }));
      return { port, servers };
    } catch (err) {
      last = err;
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  throw last;
}

function soaQueries(d: Dnsmasq): number {
  return d.log().split('\n').filter((l) => /(?:auth|query)\[SOA\] zone\.test /.test(l)).length;
}

describe('dns soa-sync against dnsmasq', () => {
  let port = 0;
  let servers: Dnsmasq[] = [];
  before(async () => {
    ({ port, servers } = await startAll());
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  async function run(opts: DnsOptions, hosts = HOSTS) {
    const ctx: PluginContext = { log: silentLogger, now: Date.now, configDir: '.', stateDir: '.', hosts };
    const m = (await dns.create(opts, ctx)) as HostChecker;
    try {
      const signal = AbortSignal.timeout(3000);
      return await Promise.all(hosts.map((h) => m.check(h, signal)));
    } finally {
      await m.close?.();
    }
  }

  it('fails exactly the host whose serial differs from the first host (the master)', async () => {
    const before1 = soaQueries(servers[0]!);
    const [a, b, c] = await run({ mode: 'soa-sync', zone: 'zone.test', port });
    assert.equal(a!.ok, true, a!.summary);
    assert.equal(a!.summary, '127.0.0.1: SOA zone.test: serial 2024010101 (master)');
    assert.equal(b!.ok, true, b!.summary);
    assert.equal(b!.summary, '127.0.0.2: SOA zone.test: serial 2024010101, same as master 127.0.0.1');
    assert.equal(c!.ok, false);
    assert.equal(c!.summary, '127.0.0.3: SOA zone.test: serial 2024010102 differs from master 127.0.0.1 serial 2024010101');
    assert.equal(c!.metrics?.serial, 2024010102);
    // The master is asked once per run, not once per host (its own check shares that answer).
    // dnsmasq's log arrives through a pipe: give it up to 1 s, then make sure no second query shows up.
    for (let i = 0; i < 20 && soaQueries(servers[0]!) === before1; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(soaQueries(servers[0]!) - before1, 1, servers[0]!.log());
  });

  it('takes the master from the master option, with a port', async () => {
    const results = await run({ mode: 'soa-sync', zone: 'zone.test', port, master: `127.0.0.3:${port}` });
    assert.deepEqual(results.map((r) => r.ok), [false, false, true]);
    assert.match(results[0]!.summary, /differs from master 127\.0\.0\.3:\d+ serial 2024010102$/);
  });

  it('fails a host that has no SOA for the zone, and throws when the master cannot be asked', async () => {
    const [r] = await run({ mode: 'soa-sync', zone: 'other.test', port, master: `127.0.0.1:${port}` }, ['127.0.0.2']);
    assert.equal(r!.ok, false);
    assert.equal(r!.summary, '127.0.0.2: SOA other.test: REFUSED, no SOA record for the zone');
    const ctx: PluginContext = { log: silentLogger, now: Date.now, configDir: '.', stateDir: '.', hosts: HOSTS };
    const m = (await dns.create({ mode: 'soa-sync', zone: 'zone.test', port, master: '127.0.0.9' }, ctx)) as HostChecker;
    try {
      await assert.rejects(m.check('127.0.0.2', AbortSignal.timeout(500)));
    } finally {
      await m.close?.();
    }
  });
});
