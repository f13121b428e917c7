/**
 * @fileoverview Starts a real dnsmasq (Debian's dnsmasq-base) on a free loopback port for
 * a test, with only the records the test gives it: no system resolv.conf, no /etc/hosts,
 * no config file, no pid file, no daemonizing. Killed by `stop()` (and at process exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import net from 'node:net';
import dnsPacket from 'dns-packet';

export const DNSMASQ = '/usr/sbin/dnsmasq';

export interface Dnsmasq {
  port: number;
  address: string;
  /** Everything dnsmasq wrote (for assertion messages). */
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/** A port free for both UDP and TCP on `address` (dnsmasq binds both). */
export async function freeDnsPort(address = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const udp = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    const port = await new Promise<number>((res, rej) => {
      udp.once('error', rej);
      udp.bind(0, address, () => res(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((res) => {
      const srv = net.createServer();
      srv.once('error', () => res(false));
      srv.listen(port, address, () => srv.close(() => res(true)));
    });
    await new Promise<void>((res) => udp.close(() => res()));
    if (tcpFree) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${address} after 20 tries`);
}

/**
 * Start dnsmasq with `args` (e.g. `--host-record=www.example.test,192.0.2.10`) on
 * `address` (default 127.0.0.1) and `port` (default: a free one), and wait until it answers. Throws with its output when it does not start within 5 s.
 */
export async function startDnsmasq(args: string[], opts: { address?: string; port?: number } = {}): Promise<Dnsmasq> {
  const address = opts.address ?? '127.0.0.1';
  if (!existsSync(DNSMASQ)) {
    throw new Error(`${DNSMASQ} is missing: install Debian's dnsmasq-base (listed in .ci/apt.d/dns-icmp.txt)`);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = opts.port ?? (await freeDnsPort(address));
    const argv = [
      '--keep-in-foreground', `--port=${port}`, `--listen-address=${address}`, '--bind-interfaces',
      '--no-resolv', '--no-hosts', '--no-poll', '--conf-file=/dev/null', '--pid-file=', '--log-facility=-',
      ...(process.getuid?.() === 0 ? ['--user=root', '--group=root'] : []),
      ...args,
    ];
    const child = spawn(DNSMASQ, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((res) => child.once('exit', () => (running.delete(child), res())));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    };
    if (await answers(address, port, child)) return { port, address, log: () => out, stop };
    await stop();
    if (opts.port !== undefined || !/Address already in use/.test(out)) throw new Error(`dnsmasq did not start:\n${out}`);
  }
  throw new Error('dnsmasq could not get a free port in 3 attempts');
}

/** Poll with a query until any answer comes back (bounded: 50 x 100 ms). */
async function answers(address: string, port: number, child: ChildProcess): Promise<boolean> {
  const sock = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const q = dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'probe.invalid' }] });
  let got = false;
  sock.on('message', () => (got = true));
  sock.on('error', () => {});
  try {
    for (let i = 0; i < 50 && !got && child.exitCode === null; i++) {
      sock.send(q, port, address);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    sock.close();
  }
  return got;
}
