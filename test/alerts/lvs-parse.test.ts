import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, hostKey, parseVirtualService, serviceKey, splitHostPort } from '../../alerts/lvs/address.ts';
import { parseIpvsSave } from '../../alerts/lvs/parse-table.ts';
import { addServerArgs, addServiceArgs, deleteServerArgs, editServerArgs } from '../../alerts/lvs/argv.ts';

test('virtual service strings: tcp, udp, IPv6, fwmark', () => {
  assert.deepEqual(parseVirtualService('tcp 127.0.0.100:80'), { protocol: 'tcp', address: '127.0.0.100', port: 80, family: 4 });
  assert.deepEqual(parseVirtualService(' UDP  [2001:DB8:0::1]:53 '), { protocol: 'udp', address: '2001:db8::1', port: 53, family: 6 });
  assert.deepEqual(parseVirtualService('fwmark 7'), { protocol: 'fwmark', fwmark: 7, family: 4 });
  assert.equal(serviceKey(parseVirtualService('fwmark 7 ipv6')), 'fwmark 7 ipv6');
  assert.equal(serviceKey(parseVirtualService('udp [::1]:53')), 'udp [::1]:53');
  assert.throws(() => parseVirtualService('tcp web.example:80'), /numeric IPv4 or IPv6/);
  assert.throws(() => parseVirtualService('tcp 10.0.0.1'), /needs a port/);
  assert.throws(() => parseVirtualService('sctp 10.0.0.1:80'), /is not "tcp VIP:PORT"/);
});

test('host forms and canonical keys', () => {
  assert.deepEqual(splitHostPort('10.0.0.2:8080'), { host: '10.0.0.2', port: 8080 });
  assert.deepEqual(splitHostPort('[::1]'), { host: '::1', port: undefined });
  assert.deepEqual(splitHostPort('0:0::1'), { host: '::1' });
  assert.deepEqual(splitHostPort('web1'), { host: 'web1' });
  assert.equal(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(hostKey('[::1]'), hostKey('0::1'));
  assert.equal(hostKey('Web1'), 'web1');
});

test('ipvsadm -S -n output is parsed, unknown options skipped, sctp ignored', () => {
  const text = [
    '-A -t 127.0.0.100:80 -s rr',
    '-a -t 127.0.0.100:80 -r 127.0.0.2:80 -m -w 1',
    '-a -t 127.0.0.100:80 -r 127.0.0.3:8080 -g -w 0 -x 100 -y 10',
    '-A -u [2001:db8::1]:53 -s wlc -p 300 -M 255.255.255.255',
    '-a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -i -w 5',
    '-A -f 9 -s sh -b sh-port',
    '-a -f 9 -r 10.1.1.1:0 -g -w 2',
    '-A --sctp-service 10.0.0.1:9 -s rr',
    '',
  ].join('\n');
  const t = parseIpvsSave(text);
  assert.equal(t.length, 3);
  assert.equal(serviceKey(t[0]!.service), 'tcp 127.0.0.100:80');
  assert.equal(t[0]!.scheduler, 'rr');
  assert.deepEqual(t[0]!.servers, [
    { address: '127.0.0.2', port: 80, method: 'nat', weight: 1 },
    { address: '127.0.0.3', port: 8080, method: 'dr', weight: 0 },
  ]);
  assert.equal(t[1]!.persistent, 300);
  assert.deepEqual(t[1]!.servers, [{ address: '2001:db8::2', port: 53, method: 'tunnel', weight: 5 }]);
  assert.equal(serviceKey(t[2]!.service), 'fwmark 9');
  assert.deepEqual(t[2]!.servers[0], { address: '10.1.1.1', port: 0, method: 'dr', weight: 2 });
  assert.deepEqual(parseIpvsSave(''), []);
  assert.throws(() => parseIpvsSave('-a -t 1.2.3.4:80 -r 1.2.3.5:80 -g -w 1'), /line 1.*before its virtual service/);
  assert.throws(() => parseIpvsSave('garbage'), /expected -A or -a/);
});

test('argument vectors: one argv word per value', () => {
  const svc = parseVirtualService('tcp 127.0.0.100:80');
  const r = { address: '127.0.0.2', port: 80 };
  assert.deepEqual(addServiceArgs({ service: svc, scheduler: 'rr', servers: [] }), ['-A', '-t', '127.0.0.100:80', '-s', 'rr']);
  assert.deepEqual(addServiceArgs({ service: svc, scheduler: 'wlc', persistent: 60, servers: [] }), ['-A', '-t', '127.0.0.100:80', '-s', 'wlc', '-p', '60']);
  assert.deepEqual(addServerArgs(svc, r, 'nat', 3), ['-a', '-t', '127.0.0.100:80', '-r', '127.0.0.2:80', '-m', '-w', '3']);
  assert.deepEqual(editServerArgs(svc, r, 'dr', 0), ['-e', '-t', '127.0.0.100:80', '-r', '127.0.0.2:80', '-g', '-w', '0']);
  assert.deepEqual(deleteServerArgs(svc, r), ['-d', '-t', '127.0.0.100:80', '-r', '127.0.0.2:80']);
  const fw6 = parseVirtualService('fwmark 3 ipv6');
  assert.deepEqual(addServerArgs(fw6, { address: '::2', port: 0 }, 'tunnel', 1), ['-a', '-f', '3', '-6', '-r', '[::2]:0', '-i', '-w', '1']);
  assert.deepEqual(deleteServerArgs(parseVirtualService('udp [::1]:53'), { address: '::5', port: 53 }), ['-d', '-u', '[::1]:53', '-r', '[::5]:53']);
});
