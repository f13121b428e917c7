/**
 * @fileoverview Benchmark targets, run as a child process: thousands of TCP, HTTP
 * or DNS (UDP) endpoints, one listening socket per host address and port, served
 * by one process so the targets cost little. Control on stdin, one JSON per line:
 *   {"kill": i}  stop endpoint i (its socket is closed: connects are refused,
 *                DNS queries go unanswered); answers {"killed": i, "at": epochMs}.
 * Prints {"ready": true, "count": n} once every endpoint listens, or
 * {"ready": false, "error": "..."} and exits 1.
 * argv[2]: JSON { kind, n, groupSize, from, to }.
 */
import net from 'node:net';
import http from 'node:http';
import dgram from 'node:dgram';
import readline from 'node:readline';
import { endpointOf, type Kind } from './plan.ts';
import { dnsAnswer } from './dns-wire.ts';

interface Args {
  kind: Kind;
  n: number;
  groupSize: number;
  from: number;
  to: number;
}

interface Closable {
  close(): void;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const live = new Map<number, Closable>();
const BODY = Buffer.from('ok\n');

const httpServer = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  res.end(BODY);
});
httpServer.keepAliveTimeout = 5000;

function out(o: unknown): void {
  process.stdout.write(JSON.stringify(o) + '\n');
}

function listenOne(i: number): Promise<void> {
  const e = endpointOf(args.kind, i, args.groupSize);
  return new Promise((resolve, reject) => {
    if (args.kind === 'dns') {
      const s = dgram.createSocket('udp4');
      s.on('message', (msg, rinfo) => {
        const r = dnsAnswer(msg);
        if (r) s.send(r, rinfo.port, rinfo.address);
      });
      s.once('error', reject);
      s.bind(e.port, e.addr, () => {
        s.off('error', reject);
        s.on('error', () => {});
        live.set(i, s);
        resolve();
      });
      return;
    }
    const onConn =
      args.kind === 'http'
        ? (sock: net.Socket) => {
            sock.on('error', () => {});
            httpServer.emit('connection', sock);
          }
        : (sock: net.Socket) => {
            // Probes reset at once; the error is the normal end here.
            sock.on('error', () => {});
            sock.on('data', () => {});
          };
    const srv = net.createServer(onConn);
    srv.once('error', reject);
    srv.listen({ host: e.addr, port: e.port, backlog: 1024 }, () => {
      srv.off('error', reject);
      srv.on('error', () => {});
      live.set(i, srv);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const ids: number[] = [];
  for (let i = args.from; i < args.to; i++) ids.push(i);
  try {
    for (let k = 0; k < ids.length; k += 500) await Promise.all(ids.slice(k, k + 500).map(listenOne));
  } catch (err) {
    out({ ready: false, error: `cannot listen: ${(err as Error).message}` });
    process.exit(1);
  }
  out({ ready: true, count: live.size });
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let cmd: { kill?: number };
    try {
      cmd = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof cmd.kill === 'number') {
      const s = live.get(cmd.kill);
      live.delete(cmd.kill);
      s?.close();
      out({ killed: cmd.kill, at: Date.now() });
    }
  });
  rl.on('close', () => process.exit(0));
}

void main();
