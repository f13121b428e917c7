/**
 * Unit tests of the `dns` monitor's own logic: answer formatting and matching, the
 * judgement of an answer, wire helpers, server addresses and option checks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import dnsPacket from 'dns-packet';
import dns from '../../monitors/dns.ts';
import icmp from '../../monitors/icmp.ts';
import { evaluate, type Expectations } from '../../monitors/dns/evaluate.ts';
import { compileOptions } from '../../monitors/dns/options.ts';
import { compileMatcher, formatRecord } from '../../monitors/dns/records.ts';
import { canonicalIPv6, parseServer } from '../../monitors/dns/server-address.ts';
import { answersQuestion, decodeAnswers, encodeQuery, isTruncated, ptrName, rcodeOf, stampId } from '../../monitors/dns/wire.ts';

const expect = (e: Partial<Expectations> = {}): Expectations => ({ rcode: 'NOERROR', answers: [], minAnswers: 0, latencyFails: false, ...e });
const a = (data: string): dnsPacket.Answer => ({ type: 'A', name: 'www.example.test', data });

describe('dns records', () => {
  it('formats each type as dig presents it, without trailing dots', () => {
    assert.equal(formatRecord({ type: 'MX', name: 'x', data: { preference: 10, exchange: 'mail.example.test.' } }), '10 mail.example.test');
    assert.equal(formatRecord({ type: 'SRV', name: 'x', data: { priority: 1, weight: 5, port: 80, target: 'www.example.test' } }), '1 5 80 www.example.test');
    assert.equal(formatRecord({ type: 'TXT', name: 'x', data: [Buffer.from('v=spf1 '), Buffer.from('-all')] }), 'v=spf1 -all');
    assert.equal(
      formatRecord({ type: 'SOA', name: 'x', data: { mname: 'ns.z', rname: 'h.z', serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 4 } }),
      'ns.z h.z 7 1 2 3 4',
    );
  });

  it('matches exact values ignoring case, trailing dot and IPv6 spelling; /regex/ with flags', () => {
    assert.ok(compileMatcher('WWW.Example.test.').test('www.example.test'));
    assert.ok(compileMatcher('2001:db8:0:0::10').test('2001:db8::10'));
    assert.ok(!compileMatcher('192.0.2.1').test('192.0.2.10'));
    assert.ok(compileMatcher('/^192\\.0\\.2\\.\\d+$/').test('192.0.2.10'));
    assert.ok(compileMatcher('/^V=SPF1/i').test('v=spf1 -all'));
    assert.throws(() => compileMatcher('/[/'), /answers: \/\[\/ is not a valid regular expression/);
  });
});

describe('dns evaluate', () => {
  const seen = { prefix: '127.0.0.1: A www.example.test', type: 'A', latencyMs: 1.234, via: 'UDP' };

  it('passes a matching answer and lists what was seen', () => {
    const r = evaluate({ ...seen, rcode: 'NOERROR', records: [a('192.0.2.1'), a('192.0.2.2')] }, expect({ answers: [compileMatcher('192.0.2.2')] }));
    assert.equal(r.ok, true);
    assert.equal(r.summary, '127.0.0.1: A www.example.test: NOERROR, 2 answers (192.0.2.1, 192.0.2.2), 1.23 ms');
    assert.equal(r.metrics?.answers, 2);
  });

  it('fails on the rcode first, then missing answers, then too few', () => {
    assert.equal(evaluate({ ...seen, rcode: 'SERVFAIL', records: [] }, expect()).summary, '127.0.0.1: A www.example.test: SERVFAIL (expected NOERROR)');
    const missing = evaluate({ ...seen, rcode: 'NOERROR', records: [a('192.0.2.1')] }, expect({ answers: [compileMatcher('192.0.2.1'), compileMatcher('/^10\\./')] }));
    assert.equal(missing.summary, '127.0.0.1: A www.example.test: no answer matches "/^10\\\\./" (got 192.0.2.1)');
    const few = evaluate({ ...seen, rcode: 'NOERROR', records: [] }, expect({ minAnswers: 1 }));
    assert.equal(few.summary, '127.0.0.1: A www.example.test: 0 answers (none), expected at least 1');
  });

  it('shortens long answer lists in the summary, keeps them all in the detail', () => {
    const records = Array.from({ length: 8 }, (_, i) => a(`192.0.2.${i}`));
    const r = evaluate({ ...seen, rcode: 'NOERROR', records }, expect());
    assert.match(r.summary, /192\.0\.2\.4, \+3 more\), 1\.23 ms$/);
    assert.equal(r.detail!.split('\n').length, 9);
  });
});

describe('dns wire and addresses', () => {
  it('reads rcode and TC, matches the echoed question case-insensitively', () => {
    const t = encodeQuery('WwW.example.test', 'A', true);
    const q = stampId(t, 0x1234);
    assert.equal(q.readUInt16BE(0), 0x1234);
    assert.equal(t.bytes.readUInt16BE(0), 0, 'the template itself is not changed');
    const resp = dnsPacket.encode({ type: 'response', id: 0x1234, flags: dnsPacket.TRUNCATED_RESPONSE | 3, questions: [{ type: 'A', name: 'www.EXAMPLE.test' }] });
    assert.equal(rcodeOf(resp), 'NXDOMAIN');
    assert.equal(isTruncated(resp), true);
    assert.equal(answersQuestion(resp, t), true);
    assert.equal(answersQuestion(resp, encodeQuery('www.example.test', 'AAAA', true)), false);
    assert.equal(answersQuestion(q, t), false, 'a query is not an answer');
  });

  it('builds PTR names for IPv4 and IPv6', () => {
    assert.equal(ptrName('192.0.2.10'), '10.2.0.192.in-addr.arpa');
    assert.equal(ptrName('2001:db8::1'), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
    assert.equal(ptrName('10.2.0.192.in-addr.arpa'), '10.2.0.192.in-addr.arpa');
  });

  it('parses IP[:port] and [IPv6]:port', () => {
    assert.deepEqual(parseServer('127.0.0.53', 53), { label: '127.0.0.53', host: '127.0.0.53', port: 53 });
    assert.equal(parseServer('127.0.0.53:5353', 53)!.port, 5353);
    assert.deepEqual(parseServer('[::1]:5353', 53), { label: '[::1]:5353', host: '::1', port: 5353 });
    assert.equal(parseServer('::1', 53)!.host, '::1');
    assert.equal(parseServer('ns1.example.test:53', 53)!.host, 'ns1.example.test');
    assert.equal(parseServer('1.2.3.4:99999', 53), undefined);
    assert.equal(parseServer('a:b:c', 53), undefined);
    assert.equal(canonicalIPv6('0:0:0::1'), '::1');
  });
});

describe('dns options', () => {
  it('says what is missing or contradictory, in words for the operator', () => {
    assert.throws(() => compileOptions({}, undefined), /set `name` \(what to ask each host\), or `resolver`/);
    assert.throws(() => compileOptions({ name: 'x', resolver: '127.0.0.53' }, undefined), /not both/);
    assert.throws(() => compileOptions({ mode: 'soa-sync' }, ['127.0.0.1']), /needs `zone`/);
    assert.throws(() => compileOptions({ mode: 'soa-sync', zone: 'z' }, []), /needs `master/);
    assert.throws(() => compileOptions({ resolver: 'a:b:c' }, undefined), /resolver "a:b:c" is not IP/);
    const soa = compileOptions({ mode: 'soa-sync', zone: 'z', port: 5353 }, ['[::1]', '127.0.0.2']);
    assert.deepEqual(soa.master, { label: '[::1]', host: '::1', port: 5353 });
  });

  it('the schemas compile under strict ajv and reject unknown options and bad values', () => {
    const ajv = new Ajv({ strict: true, useDefaults: true, allErrors: true });
    const v = ajv.compile(dns.optionsSchema!);
    const o: Record<string, unknown> = { name: 'www.example.test' };
    assert.equal(v(o), true);
    assert.equal(o.type, 'A');
    assert.equal(o.port, 53);
    assert.equal(v({ name: 'x', type: 'ANY' }), false);
    assert.equal(v({ name: 'x', timout: 3 }), false);
    assert.equal(v({ name: 'x', rcode: 'NXDOMIAN' }), false);
    const vi = ajv.compile(icmp.optionsSchema!);
    const io: Record<string, unknown> = {};
    assert.equal(vi(io), true);
    assert.deepEqual(io, { count: 3, maxLossPercent: 50, rttFails: false, periodMs: 500, intervalMs: 10, timeoutMs: 500, fping: '/usr/bin/fping' });
    assert.equal(vi({ count: 0 }), false);
  });
});

describe('dns answer section', () => {
  const msg = dnsPacket.encode({
    type: 'response',
    id: 7,
    questions: [{ type: 'A', name: 'www.example.test' }],
    answers: [
      { type: 'CNAME', name: 'www.example.test', data: 'web.example.test' },
      { type: 'A', name: 'web.example.test', data: '192.0.2.1' },
    ],
    authorities: [{ type: 'NS', name: 'example.test', data: 'ns.example.test' }],
    additionals: [{ type: 'A', name: 'ns.example.test', data: '192.0.2.53' }],
  });

  it('decodes exactly the answer records, as dns-packet does', () => {
    assert.deepEqual(decodeAnswers(msg), dnsPacket.decode(msg).answers);
    assert.deepEqual(decodeAnswers(msg).map(formatRecord), ['web.example.test', '192.0.2.1']);
  });

  it('throws on a message cut inside the question or the answers', () => {
    assert.throws(() => decodeAnswers(msg.subarray(0, 20)), /name runs past the 20-byte message/);
    assert.throws(() => decodeAnswers(msg.subarray(0, 60)), /Cannot decode name/);
    const answersOnly = dnsPacket.encode({ type: 'response', id: 7, questions: [{ type: 'A', name: 'a.test' }], answers: [{ type: 'A', name: 'a.test', data: '192.0.2.1' }] });
    assert.throws(() => decodeAnswers(answersOnly.subarray(0, answersOnly.length - 3)), /records end past the \d+-byte message/);
    assert.throws(() => decodeAnswers(msg.subarray(0, 8)), /shorter than a DNS header/);
  });
});
