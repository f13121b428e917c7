/**
 * The `dns` monitor's transport against small scripted DNS servers of our own, for what
 * dnsmasq will not do on demand: answer late, answer truncated over UDP and in full over
 * TCP, drop the first packet, send an answer to a different question first.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import dns from '../../monitors/dns.ts';
import type { DnsOptions } from '../../monitors/dns/options.ts';
import type { HostChecker, PluginContext } from '../../core/types.ts';
import { silentLogger } from '../../core/log.ts';

const ctx: PluginContext = { log: silentLogger, now: Date.now, configDir: '.', stateDir: '.' };

type Reply = (q: dnsPacket.DecodedPacket, n: number) => Buffer | Buffer[] | undefined | Promise<Buffer | Buffer[] | undefined>;

interface Scripted {
  port: number;
  udpQueries: number;
  tcpQueries: number;
  close(): Promise<void>;
}

function answerTo(q: dnsPacket.DecodedPacket, over: { ips?: string[]; tc?: boolean; id?: number; name?: string }): Buffer {
  const question = q.questions![0]!;
  const name = over.name ?? question.name;
  return dnsPacket.encode({
    type: 'response',
    id: over.id ?? q.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (over.tc ? dnsPacket.TRUNCATED_RESPONSE : 0),
    questions: [{ ...question, name }],
    answers: (over.ips ?? []).map((data) => ({ type: 'A' as const, name, ttl: 60, data })),
  });
}

/**
 * A UDP socket on a free port and, when given, the TCP server on the same number.
 * Another test may hold that TCP port (tests run side by side): then both are
 * tried again on another port, a bounded number of times.
 */
async function bindBoth(makeSocket: () => dgram.Socket, server: net.Server | undefined): Promise<{ sock: dgram.Socket; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const sock = makeSocket();
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const port = sock.address().port;
    if (!server) return { sock, port };
    const err = await new Promise<NodeJS.ErrnoException | undefined>((r) => {
      server.once('error', r);
      server.listen(port, '127.0.0.1', () => (server.off('error', r), r(undefined)));
    });
    if (!err) return { sock, port };
    await new Promise<void>((r) => sock.close(() => r()));
    if (err.code !== 'EADDRINUSE' || attempt >= 20) throw err;
  }
}

/** A UDP (and TCP) DNS server on 127.0.0.1 using the same port for both, driven by `udp`/`tcp` callbacks. */
async function scripted(udp: Reply, tcp?: Reply): Promise<Scripted> {
  const s: Scripted = { port: 0, udpQueries: 0, tcpQueries: 0, close: async () => {} };
  let closed = false;
  const makeSocket = () => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', async (msg, rinfo) => {
      const n = ++s.udpQueries;
      const out = await udp(dnsPacket.decode(msg), n);
      for (const b of out === undefined ? [] : Array.isArray(out) ? out : [out]) {
        if (!closed) sock.send(b, rinfo.port, rinfo.address); // a late reply may outlive the test
      }
    });
    return sock;
  };
  const server = net.createServer((c) => {
    let buf: Buffer = Buffer.alloc(0);
    c.on('error', () => {});
    c.on('data', async (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < buf.readUInt16BE(0) + 2) return;
      s.tcpQueries++;
      const out = await tcp!(dnsPacket.decode(buf.subarray(2, buf.readUInt16BE(0) + 2)), s.tcpQueries);
      if (out && !Array.isArray(out)) {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(out.length);
        c.end(Buffer.concat([len, out]));
      } else c.end();
    });
  });
  const { sock, port } = await bindBoth(makeSocket, tcp ? server : undefined);
  s.port = port;
  s.close = async () => {
    closed = true;
    await new Promise<void>((r) => sock.close(() => r()));
    if (tcp) await new Promise<void>((r) => server.close(() => r()));
  };
  return s;
}

async function withMonitor<T>(opts: DnsOptions, fn: (m: HostChecker) => Promise<T>): Promise<T> {
  const m = (await dns.create(opts, ctx)) as HostChecker;
  try {
    return await fn(m);
  } finally {
    await m.close?.();
  }
}

describe('dns transport', () => {
  const servers: Scripted[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('throws when the answer comes after the timeout, promptly at the abort', async () => {
    const s = await scripted((q) => new Promise((r) => setTimeout(() => r(answerTo(q, { ips: ['192.0.2.1'] })), 1500)));
    servers.push(s);
    const t0 = Date.now();
    await withMonitor({ name: 'slow.test', port: s.port }, async (m) => {
      await assert.rejects(m.check('127.0.0.1', AbortSignal.timeout(300)), /^Error: 127\.0\.0\.1: A slow\.test: no answer over UDP before the check timed out$/);
    });
    const took = Date.now() - t0;
    assert.ok(took >= 280 && took < 1000, `took ${took} ms`);
  });

  it('sends to a numeric server without a dns.lookup per query (dgram would look up every send)', async () => {
    const s = await scripted((q) => answerTo(q, { ips: ['192.0.2.1'] }));
    servers.push(s);
    const nodeDns = (await import('node:dns')).default;
    const lookup = nodeDns.lookup;
    let lookups = 0;
    // dgram reads dns.lookup when a socket is made without its own.
    nodeDns.lookup = ((...args: Parameters<typeof lookup>) => (lookups++, (lookup as (...a: unknown[]) => void)(...args))) as typeof lookup;
    try {
      await withMonitor({ name: 'www.test', port: s.port }, async (m) => {
        for (let i = 0; i < 5; i++) assert.equal((await m.check('127.0.0.1', AbortSignal.timeout(2000))).ok, true);
      });
    } finally {
      nodeDns.lookup = lookup;
    }
    assert.equal(s.udpQueries, 5);
    assert.equal(lookups, 0);
  });

  it('retries over TCP when the UDP answer is truncated (TC=1)', async () => {
    const s = await scripted(
      (q) => answerTo(q, { tc: true }),
      (q) => answerTo(q, { ips: ['192.0.2.7', '192.0.2.8'] }),
    );
    servers.push(s);
    const r = await withMonitor({ name: 'big.test', port: s.port, answers: ['192.0.2.7', '192.0.2.8'] }, (m) => m.check('127.0.0.1', AbortSignal.timeout(2000)));
    assert.equal(r.ok, true, r.summary);
    assert.match(r.detail ?? '', /via UDP, truncated, then TCP/);
    assert.equal(s.udpQueries, 1);
    assert.equal(s.tcpQueries, 1);
  });

  it('throws when the TCP retry is refused, naming TCP', async () => {
    const s = await scripted((q) => answerTo(q, { tc: true }));
    servers.push(s);
    await withMonitor({ name: 'big.test', port: s.port }, async (m) => {
      await assert.rejects(m.check('127.0.0.1', AbortSignal.timeout(2000)), /A big\.test: TCP 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    });
  });

  it('resends an unanswered UDP query after retransmitMs', async () => {
    const s = await scripted((q, n) => (n === 1 ? undefined : answerTo(q, { ips: ['192.0.2.3'] })));
    servers.push(s);
    const r = await withMonitor({ name: 'lossy.test', port: s.port, retransmitMs: 100 }, (m) => m.check('127.0.0.1', AbortSignal.timeout(2000)));
    assert.equal(r.ok, true, r.summary);
    assert.equal(s.udpQueries, 2);
    assert.ok(r.latencyMs! >= 90, `latency ${r.latencyMs} counts from the first send`);
  });

  it('resends each unanswered query retransmitMs after its own last send, for as long as it waits', async () => {
    const sends = new Map<number, number[]>();
    const s = await scripted((q) => {
      sends.set(q.id!, [...(sends.get(q.id!) ?? []), performance.now()]);
      return undefined; // a silent server
    });
    servers.push(s);
    await withMonitor({ name: 'silent.test', port: s.port, retransmitMs: 100 }, async (m) => {
      const first = m.check('127.0.0.1', AbortSignal.timeout(450));
      await new Promise((r) => setTimeout(r, 50));
      const second = m.check('127.0.0.1', AbortSignal.timeout(450));
      await Promise.allSettled([first, second]);
    });
    assert.equal(sends.size, 2);
    for (const times of sends.values()) {
      // Sent at 0, then resent at 100, 200, 300 and 400 ms, each on its own schedule.
      assert.equal(times.length, 5, `sends at ${times.map((t) => Math.round(t - times[0]!)).join(', ')} ms`);
      for (let i = 1; i < times.length; i++) {
        const gap = times[i]! - times[i - 1]!;
        assert.ok(gap >= 80 && gap < 160, `resend ${i} came ${gap.toFixed(1)} ms after the send before it`);
      }
    }
  });

  it('ignores answers with a wrong id or question and takes the right one', async () => {
    const s = await scripted((q) => [
      answerTo(q, { ips: ['203.0.113.66'], id: (q.id! + 1) & 0xffff }),
      answerTo(q, { ips: ['203.0.113.66'], name: 'other.test' }),
      answerTo(q, { ips: ['192.0.2.4'] }),
    ]);
    servers.push(s);
    const r = await withMonitor({ name: 'spoof.test', port: s.port, answers: ['192.0.2.4'] }, (m) => m.check('127.0.0.1', AbortSignal.timeout(2000)));
    assert.equal(r.ok, true, r.summary);
    assert.doesNotMatch(r.detail ?? '', /203\.0\.113\.66/);
  });

  it('a malformed answer is a failed host, not a failed check', async () => {
    for (const cut of [3, 8]) {
      const s = await scripted((q) => answerTo(q, { ips: ['192.0.2.1'] }).subarray(0, -cut));
      servers.push(s);
      const r = await withMonitor({ name: 'broken.test', port: s.port }, (m) => m.check('127.0.0.1', AbortSignal.timeout(2000)));
      assert.equal(r.ok, false, `cut ${cut}: ${r.summary}`);
      assert.match(r.summary, /^127\.0\.0\.1: A broken\.test: NOERROR, malformed answer \(.+\)$/);
    }
  });

  it('tcp: true never uses UDP', async () => {
    const s = await scripted(
      (q) => answerTo(q, { ips: ['192.0.2.1'] }),
      (q) => answerTo(q, { ips: ['192.0.2.2'] }),
    );
    servers.push(s);
    const r = await withMonitor({ name: 'tcp.test', port: s.port, tcp: true, answers: ['192.0.2.2'] }, (m) => m.check('127.0.0.1', AbortSignal.timeout(2000)));
    assert.equal(r.ok, true, r.summary);
    assert.equal(s.udpQueries, 0);
  });

  it('queries waiting for an in-flight slot give up at their abort too', async () => {
    const s = await scripted(() => undefined);
    servers.push(s);
    await withMonitor({ name: 'blackhole.test', port: s.port, maxInFlight: 2, retransmitMs: 0 }, async (m) => {
      const signal = AbortSignal.timeout(200);
      const all = await Promise.allSettled(Array.from({ length: 10 }, () => m.check('127.0.0.1', signal)));
      assert.ok(all.every((x) => x.status === 'rejected'));
    });
    assert.equal(s.udpQueries, 2);
  });
});
