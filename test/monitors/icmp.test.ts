/**
 * The `icmp` monitor: fping's output parser and the per-host judgement on captured
 * output (loss, unreachable, unresolvable, slow), then the real fping on loopback:
 * 127.0.0.x and ::1 answer; ::2 is not on any interface here and gets no reply, which is
 * the real failure path.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import icmp, { fpingArgs } from '../../monitors/icmp.ts';
import { parseFpingOutput } from '../../monitors/icmp/fping-output.ts';
import { evaluatePing } from '../../monitors/icmp/evaluate.ts';
import type { GroupChecker, PluginContext, RunInfo } from '../../core/types.ts';
import { silentLogger } from '../../core/log.ts';

const ctx: PluginContext = { log: silentLogger, now: Date.now, configDir: '.', stateDir: '.' };
const run: RunInfo = { watch: 'w', service: 'ping' };
const limits = { count: 3, maxLossPercent: 50, rttFails: false };
const strip = (h: string) => h.replace(/^\[(.*)\]$/, '$1');

/** fping processes that are children of this test process (from /proc). */
function childFpings(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && m[1] === 'fping' && Number(m[2]) === process.pid) out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

// Captured from `fping -q -C 3 -p 20 -t 200 127.0.0.1 10.255.255.1 ::1 nosuch.invalid 127.0.0.2` (fping 5.1).
const CAPTURED = `127.0.0.1    : 0.030 0.028 0.041
10.255.255.1 : - - -
::1          : 0.050 - 0.061
127.0.0.2    : 0.031 - -
`;

describe('fping output', () => {
  it('parses per-host rtts and loss, keeps other lines apart', () => {
    const { stats, other } = parseFpingOutput(CAPTURED + 'fping: some warning\n');
    assert.deepEqual(stats.get('127.0.0.1'), { sent: 3, received: 3, rtts: [0.03, 0.028, 0.041], lossPercent: 0 });
    assert.deepEqual(stats.get('10.255.255.1'), { sent: 3, received: 0, rtts: [], lossPercent: 100 });
    assert.equal(stats.get('::1')!.lossPercent, 33.3);
    assert.equal(stats.get('127.0.0.2')!.lossPercent, 66.7);
    assert.deepEqual(other, ['fping: some warning']);
  });

  it('fails exactly the lost, lossy and unresolvable hosts; summary is mon\'s sorted host list', () => {
    const { stats } = parseFpingOutput(CAPTURED);
    const hosts = ['127.0.0.1', '10.255.255.1', '[::1]', 'nosuch.invalid', '127.0.0.2'];
    const r = evaluatePing(hosts, strip, stats, limits);
    assert.equal(r.ok, false);
    assert.deepEqual(r.failedHosts, ['10.255.255.1', '127.0.0.2', 'nosuch.invalid']);
    assert.equal(r.summary, '10.255.255.1 127.0.0.2 nosuch.invalid');
    assert.equal(r.hosts!['[::1]']!.ok, true, '33% loss is within the 50% default');
    assert.equal(r.hosts!['10.255.255.1']!.summary, '10.255.255.1: no reply: 0/3 replies, 100% loss');
    assert.match(r.hosts!['nosuch.invalid']!.summary, /no result from fping/);
    assert.equal(r.hosts!['127.0.0.1']!.latencyMs!.toFixed(3), '0.033');
    assert.match(r.detail!, /^unreachable hosts\n  10\.255\.255\.1: no reply/);
    const strict = evaluatePing(['[::1]'], strip, stats, { ...limits, maxLossPercent: 0 });
    assert.deepEqual(strict.failedHosts, ['[::1]']);
  });

  it('marks slow hosts degraded, or failed with rttFails', () => {
    const { stats } = parseFpingOutput(CAPTURED);
    const slow = evaluatePing(['127.0.0.1', '::1'], strip, stats, { ...limits, maxRttMs: 0.04 });
    assert.equal(slow.ok, true);
    assert.deepEqual(slow.degradedHosts, ['::1']);
    assert.equal(slow.summary, 'slow: ::1');
    const failing = evaluatePing(['127.0.0.1', '::1'], strip, stats, { ...limits, maxRttMs: 0.04, rttFails: true });
    assert.deepEqual(failing.failedHosts, ['::1']);
  });

  it('builds an argument vector with -- before the hosts', () => {
    assert.deepEqual(fpingArgs({ count: 2, maxLossPercent: 50, rttFails: false, periodMs: 20, intervalMs: 1, timeoutMs: 200 }, ['-x', '127.0.0.1']), [
      '-q', '-C', '2', '-p', '20', '-i', '1', '-t', '200', '--', '-x', '127.0.0.1',
    ]);
  });
});

describe('icmp monitor with the real fping', () => {
  const fast = { count: 3, periodMs: 20, intervalMs: 1, timeoutMs: 200 };

  async function check(hosts: string[], opts: Record<string, unknown> = {}, timeoutMs = 5000) {
    assert.ok(existsSync('/usr/bin/fping'), "/usr/bin/fping is missing: install Debian's fping (.ci/apt.d/dns-icmp.txt)");
    const m = (await icmp.create({ ...fast, ...opts }, ctx)) as GroupChecker;
    return m.check(hosts, AbortSignal.timeout(timeoutMs), run);
  }

  it('loopback v4 and v6 hosts answer, with rtts per host', async () => {
    const r = await check(['127.0.0.1', '127.0.0.2', '[::1]']);
    assert.equal(r.ok, true, r.summary + '\n' + r.detail);
    assert.equal(r.summary, '3 hosts answer ping');
    for (const h of ['127.0.0.1', '127.0.0.2', '[::1]']) {
      assert.equal(r.hosts![h]!.ok, true);
      assert.match(r.hosts![h]!.summary, /: 3\/3 replies, 0% loss, rtt min\/avg\/max [\d.]+\/[\d.]+\/[\d.]+ ms$/);
      assert.ok(r.hosts![h]!.latencyMs! > 0 && r.hosts![h]!.latencyMs! < 200);
    }
  });

  it('an unassigned IPv6 address (::2) gets no reply and is the only failed host', async () => {
    const r = await check(['127.0.0.1', '::2', '[::1]']);
    assert.equal(r.ok, false);
    assert.deepEqual(r.failedHosts, ['::2']);
    assert.equal(r.summary, '::2');
    assert.equal(r.hosts!['::2']!.summary, '::2: no reply: 0/3 replies, 100% loss');
  });

  it('marks hosts slower than maxRttMs degraded (a limit no real rtt meets)', async () => {
    const r = await check(['127.0.0.1'], { maxRttMs: 0.000001 });
    assert.equal(r.ok, true);
    assert.deepEqual(r.degradedHosts, ['127.0.0.1']);
    const f = await check(['127.0.0.1'], { maxRttMs: 0.000001, rttFails: true });
    assert.deepEqual(f.failedHosts, ['127.0.0.1']);
  });

  it('kills fping when the signal aborts', async () => {
    const t0 = Date.now();
    const pending = check(['127.0.0.1'], { count: 50, periodMs: 100 }, 300);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(childFpings().length, 1, 'fping runs while the check does');
    await assert.rejects(pending, /fping was killed: the check timed out/);
    assert.ok(Date.now() - t0 < 2000);
    for (let i = 0; i < 20 && childFpings().length; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(childFpings(), [], 'no fping left behind');
  });

  it('throws a clear error when fping is not where the option says', async () => {
    await assert.rejects(check(['127.0.0.1'], { fping: '/nonexistent/fping' }), /\/nonexistent\/fping not found: install Debian's fping/);
  });
});
