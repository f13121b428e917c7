/**
 * The `dns` monitor against a real dnsmasq on loopback: every record type, rcodes
 * (NXDOMAIN from --local, SERVFAIL from a failed DNSSEC validation), answers/regex,
 * minAnswers, latency limits, TCP, an IPv6 server and resolver mode.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dns from '../../monitors/dns.ts';
import type { DnsOptions } from '../../monitors/dns/options.ts';
import type { HostCheckResult, HostChecker, PluginContext } from '../../core/types.ts';
import { silentLogger } from '../../core/log.ts';
import { startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.ts';

// An arbitrary DS for the root: dnsmasq then validates every answer and turns the
// unsigned ones from its upstream into SERVFAIL, which is the real SERVFAIL we need.
const ROOT_ANCHOR = '--trust-anchor=.,20326,8,2,E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D';

const RECORDS = [
  '--host-record=www.example.test,192.0.2.10,2001:db8::10',
  '--host-record=multi.example.test,192.0.2.11',
  '--host-record=multi.example.test,192.0.2.12',
  '--txt-record=txt.example.test,v=spf1 -all',
  '--mx-host=example.test,mail.example.test,10',
  '--srv-host=_http._tcp.example.test,www.example.test,8080,1,5',
  '--cname=alias.example.test,www.example.test',
  '--ptr-record=10.2.0.192.in-addr.arpa,www.example.test',
  '--host-record=web1.example.test,192.0.2.21',
  '--local=/example.test/',
];

function ctx(hosts?: string[]): PluginContext {
  return { log: silentLogger, now: Date.now, configDir: '.', stateDir: '.', hosts };
}

async function check(opts: DnsOptions, host = '127.0.0.1', timeoutMs = 2000): Promise<HostCheckResult> {
  const m = (await dns.create(opts, ctx())) as HostChecker;
  try {
    return await m.check(host, AbortSignal.timeout(timeoutMs));
  } finally {
    await m.close?.();
  }
}

describe('dns monitor against dnsmasq', () => {
  let d: Dnsmasq;
  let d6: Dnsmasq;
  let upstream: Dnsmasq;
  let validating: Dnsmasq;

  before(async () => {
    d = await startDnsmasq(RECORDS);
    d6 = await startDnsmasq(RECORDS, { address: '::1' });
    upstream = await startDnsmasq(['--host-record=unsigned.sec.test,192.0.2.30']);
    validating = await startDnsmasq([`--server=127.0.0.1#${upstream.port}`, '--dnssec', ROOT_ANCHOR]);
  });
  after(async () => {
    await Promise.all([d, d6, upstream, validating].filter(Boolean).map((x) => x.stop()));
  });

  const cases: Array<{ type: DnsOptions['type']; name: string; want: string }> = [
    { type: 'A', name: 'www.example.test', want: '192.0.2.10' },
    { type: 'AAAA', name: 'www.example.test', want: '2001:db8::10' },
    { type: 'MX', name: 'example.test', want: '10 mail.example.test' },
    { type: 'TXT', name: 'txt.example.test', want: 'v=spf1 -all' },
    { type: 'SRV', name: '_http._tcp.example.test', want: '1 5 8080 www.example.test' },
    { type: 'CNAME', name: 'alias.example.test', want: 'www.example.test' },
    { type: 'PTR', name: '192.0.2.10', want: 'www.example.test' },
  ];
  for (const c of cases) {
    it(`${c.type} ${c.name} answers ${c.want}`, async () => {
      const r = await check({ name: c.name, type: c.type, port: d.port, answers: [c.want] });
      assert.equal(r.ok, true, r.summary);
      assert.match(r.summary, new RegExp(`^127\\.0\\.0\\.1: ${c.type} ${c.name}: NOERROR, 1 answer \\(`));
      assert.ok(r.summary.includes(c.want), r.summary);
      assert.ok(typeof r.latencyMs === 'number' && r.latencyMs > 0 && r.latencyMs < 2000);
    });
  }

  it('fails when an expected answer is missing, naming it and what came back', async () => {
    const r = await check({ name: 'www.example.test', port: d.port, answers: ['192.0.2.99'] });
    assert.equal(r.ok, false);
    assert.equal(r.summary, '127.0.0.1: A www.example.test: no answer matches "192.0.2.99" (got 192.0.2.10)');
  });

  it('matches /regex/ answers and counts minAnswers over records of the asked type', async () => {
    const ok = await check({ name: 'multi.example.test', port: d.port, answers: ['/^192\\.0\\.2\\.1[12]$/'], minAnswers: 2 });
    assert.equal(ok.ok, true, ok.summary);
    const few = await check({ name: 'multi.example.test', port: d.port, minAnswers: 3 });
    assert.equal(few.ok, false);
    assert.match(few.summary, /2 answers \(192\.0\.2\.1[12], 192\.0\.2\.1[12]\), expected at least 3$/);
    // A through a CNAME: the CNAME record is not an A answer, the target's A is.
    const viaCname = await check({ name: 'alias.example.test', port: d.port, answers: ['192.0.2.10'], minAnswers: 1 });
    assert.equal(viaCname.ok, true, viaCname.summary);
    assert.match(viaCname.detail ?? '', /alias\.example\.test CNAME www\.example\.test/);
  });

  it('reports NXDOMAIN as a failure, and passes when NXDOMAIN is what is expected', async () => {
    const r = await check({ name: 'nope.example.test', port: d.port });
    assert.equal(r.ok, false);
    assert.equal(r.summary, '127.0.0.1: A nope.example.test: NXDOMAIN (expected NOERROR)');
    const want = await check({ name: 'nope.example.test', port: d.port, rcode: 'NXDOMAIN' });
    assert.equal(want.ok, true, want.summary);
  });

  it('reports SERVFAIL from a validating dnsmasq', async () => {
    const r = await check({ name: 'unsigned.sec.test', port: validating.port });
    assert.equal(r.ok, false);
    assert.equal(r.summary, '127.0.0.1: A unsigned.sec.test: SERVFAIL (expected NOERROR)');
  });

  it('reports REFUSED for a name dnsmasq has no server for', async () => {
    const r = await check({ name: 'elsewhere.test', port: d.port });
    assert.equal(r.summary, '127.0.0.1: A elsewhere.test: REFUSED (expected NOERROR)');
  });

  it('asks over TCP with tcp: true', async () => {
    const r = await check({ name: 'www.example.test', port: d.port, tcp: true, answers: ['192.0.2.10'] });
    assert.equal(r.ok, true, r.summary);
    assert.match(r.detail ?? '', /via TCP/);
  });

  it('asks an IPv6 server given as [::1] or ::1', async () => {
    for (const host of ['[::1]', '::1']) {
      const r = await check({ name: 'www.example.test', type: 'AAAA', port: d6.port, answers: ['2001:db8:0::10'] }, host);
      assert.equal(r.ok, true, r.summary);
      assert.match(r.summary, /^::1: AAAA www\.example\.test: NOERROR/);
    }
  });

  it('marks a slow answer degraded over maxLatencyMs, failed with latencyFails', async () => {
    const slow = await check({ name: 'www.example.test', port: d.port, maxLatencyMs: 0.000001 });
    assert.equal(slow.ok, true);
    assert.equal(slow.degraded, true);
    assert.match(slow.summary, /answered in [\d.]+ ms, over the 0\.000001 ms limit \(NOERROR, 1 answer \(192\.0\.2\.10\)\)$/);
    const failed = await check({ name: 'www.example.test', port: d.port, maxLatencyMs: 0.000001, latencyFails: true });
    assert.equal(failed.ok, false);
    const fine = await check({ name: 'www.example.test', port: d.port, maxLatencyMs: 1500 });
    assert.equal(fine.ok, true);
    assert.equal(fine.degraded, undefined);
  });

  it('resolver mode asks one resolver about each host of the group', async () => {
    const m = (await dns.create({ resolver: `127.0.0.1:${d.port}`, answers: ['/^192\\.0\\.2\\./'] }, ctx())) as HostChecker;
    try {
      const good = await m.check('web1.example.test', AbortSignal.timeout(2000));
      assert.equal(good.ok, true, good.summary);
      assert.match(good.summary, /^127\.0\.0\.1:\d+: A web1\.example\.test: NOERROR, 1 answer \(192\.0\.2\.21\)/);
      const bad = await m.check('web9.example.test', AbortSignal.timeout(2000));
      assert.equal(bad.ok, false);
      assert.match(bad.summary, /A web9\.example\.test: NXDOMAIN \(expected NOERROR\)$/);
    } finally {
      await m.close?.();
    }
    const ptr = await check({ resolver: `127.0.0.1:${d.port}`, type: 'PTR', answers: ['www.example.test'] }, '192.0.2.10');
    assert.equal(ptr.ok, true, ptr.summary);
  });

  it('many queries through one socket with a small in-flight cap all succeed', async () => {
    const m = (await dns.create({ name: 'www.example.test', port: d.port, maxInFlight: 8, answers: ['192.0.2.10'] }, ctx())) as HostChecker;
    try {
      const signal = AbortSignal.timeout(5000);
      const results = await Promise.all(Array.from({ length: 400 }, () => m.check('127.0.0.1', signal)));
      assert.equal(results.filter((r) => r.ok).length, 400);
    } finally {
      await m.close?.();
    }
  });
});
