import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getoptStd, nativeCandidate } from '../../core/config/native-monitors.ts';
import type { PluginRef } from '../../core/model.ts';

const script = (path: string, args: string[] = [], noHosts = false): PluginRef => ({ plugin: 'script', options: { path, args, ...(noHosts ? { noHosts } : {}) } });

test('getopt like Perl Getopt::Std', () => {
  assert.deepEqual(getoptStd(['-p80', '-t', '5', 'h'], 'p:t:'), { opts: { p: '80', t: '5' }, rest: ['h'] });
  assert.deepEqual(getoptStd(['-ao', '-u', '/x'], 'au:o'), { opts: { a: true, o: true, u: '/x' }, rest: [] });
  assert.equal(getoptStd(['-z'], 'p:'), undefined);
  assert.equal(getoptStd(['-p'], 'p:'), undefined);
});

test('table: mon monitor lines and their built-in equivalents', () => {
  const rows: Array<[PluginRef, unknown]> = [
    [script('tcp.monitor', ['-p', '8080', '-t', '3']), { plugin: 'tcp', options: { port: 8080 }, timeoutMs: 3000 }],
    [script('/usr/lib/mon/mon.d/tcp.monitor'), { plugin: 'tcp', options: { port: 23 }, timeoutMs: 10_000 }],
    [script('http.monitor', ['-p', '81', '-u', '/health']), { plugin: 'http', options: { port: 81, path: '/health', status: [200, 301, 302, 401] }, timeoutMs: 30_000, caveat: 'http.monitor speaks HTTP/1.0; the built-in http monitor uses HTTP/1.1' }],
    [script('fping.monitor', ['-r', '1', '-t', '500']), { plugin: 'icmp', options: { count: 2, maxLossPercent: 99, timeoutMs: 500, periodMs: 500 }, timeoutMs: 2000 }],
    [script('ping.monitor', ['-c', '3']), { plugin: 'icmp', options: { count: 3, maxLossPercent: 99 } }],
    [script('dns.monitor', ['-caching_only', '-query', 'www.example.com:A:192.0.2.1', '-tcp']), { plugin: 'dns', options: { tcp: true, name: 'www.example.com', type: 'A', answers: ['192.0.2.1'] } }],
    [script('dns.monitor', ['-zone', 'example.com', '-master', '192.0.2.53', '-timeout', '5']), { plugin: 'dns', options: { mode: 'soa-sync', zone: 'example.com', master: '192.0.2.53' }, timeoutMs: 5000, caveat: 'dns.monitor compares the whole zone answers; the built-in compares the SOA serial with the master' }],
  ];
  for (const [ref, want] of rows) assert.deepEqual(nativeCandidate(ref), want, JSON.stringify(ref.options));
});

test('what does not carry over exactly stays a script, with the reason', () => {
  const reasons = [
    script('http.monitor', ['-a', 'agent']),
    script('http.monitor', ['-m', 'OK']),
    script('fping.monitor', ['-a']),
    script('ping.monitor', ['-6']),
    script('tcp.monitor', ['-x']),
    script('tcp.monitor', [], true),
    script('dns.monitor', ['-caching_only', '-query', 'a', '-query', 'b']),
    script('telnet.monitor'),
    { plugin: 'tcp', options: { port: 1 } },
  ].map((r) => nativeCandidate(r as PluginRef));
  for (const r of reasons) assert.ok('reason' in r && r.reason.length > 10, JSON.stringify(r));
});
