/**
 * @fileoverview The ceiling, run as a child process: a bare Node loop doing the
 * same probes as vigil against the same targets at the same rate (one group of
 * hosts at a time, groups spread over the interval), with no framework: no
 * scheduler, no deadline timers, no state, no events. Prints one JSON line:
 * probes, failures and CPU ms (process.cpuUsage) of the loop.
 * argv[2]: JSON { kind, n, groupSize, intervalS, durationS, warmS, exclude }: the loop
 * runs warmS seconds unmeasured first (its code optimised, as vigil's is when measured);
 * `exclude` lists host indexes it leaves out (targets the benchmark killed).
 */
import net from 'node:net';
import http from 'node:http';
import dgram from 'node:dgram';
import { DNS_NAME, endpointOf, type Endpoint, type Kind } from './plan.ts';
import { dnsQuery } from './dns-wire.ts';
import { numericLookup } from '../../monitors/dns/udp-transport.ts';

interface Args {
  kind: Kind;
  n: number;
  groupSize: number;
  intervalS: number;
  durationS: number;
  warmS?: number;
  exclude?: number[];
}
const a = JSON.parse(process.argv[2] ?? '{}') as Args;
const PROBE_CAP_MS = 3000;

function tcpProbe(e: Endpoint): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: e.addr, port: e.port });
    s.once('connect', () => {
      s.resetAndDestroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function httpProbe(e: Endpoint): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host: e.addr, port: e.port, path: '/health', agent: false }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        // node:http has already half-closed the socket (Connection: close), so no reset here.
        res.socket?.destroy();
        resolve(res.statusCode === 200);
      });
    });
    req.once('error', () => resolve(false));
    req.end();
  });
}

let udp: dgram.Socket | undefined;
const waiting = new Map<number, (ok: boolean) => void>();
let nextId = 1;
function dnsProbe(e: Endpoint): Promise<boolean> {
  if (!udp) {
    // The same numeric lookup as vigil's transport: dgram would otherwise pass every
    // send through dns.lookup, and the ceiling must not pay what vigil does not.
    udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20, lookup: numericLookup });
    udp.on('message', (m) => {
      const id = m.readUInt16BE(0);
      const w = waiting.get(id);
      waiting.delete(id);
      w?.((m[3]! & 0x0f) === 0);
    });
  }
  const id = nextId;
  nextId = (nextId % 0xffff) + 1;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    udp!.send(dnsQuery(id, DNS_NAME), e.port, e.addr);
  });
}

const probe = a.kind === 'tcp' ? tcpProbe : a.kind === 'http' ? httpProbe : dnsProbe;

async function main(): Promise<void> {
  const eps: Endpoint[] = [];
  for (let i = 0; i < a.n; i++) eps.push(endpointOf(a.kind, i, a.groupSize));
  const skip = new Set(a.exclude ?? []);
  const groups = Math.ceil(a.n / a.groupSize);
  const stepMs = (a.intervalS * 1000) / groups;
  let probes = 0;
  let failed = 0;
  const inflight = new Set<Promise<void>>();
  let cpu0 = process.cpuUsage();
  const tw = performance.now();
  const warmEnd = tw + (a.warmS ?? 0) * 1000;
  let t0 = tw;
  let warming = warmEnd > tw;
  const end = warmEnd + a.durationS * 1000;
  for (let k = 0; ; k++) {
    const due = tw + k * stepMs;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (warming && due >= warmEnd) {
      // Measured from here: what the warm-up's probes still in flight cost is counted, as vigil's are.
      warming = false;
      probes = 0;
      failed = 0;
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    }
    const g = k % groups;
    for (const e of eps.slice(g * a.groupSize, (g + 1) * a.groupSize)) {
      if (skip.has(e.i)) continue;
      const p = probe(e).then((ok) => {
        probes++;
        if (!ok) failed++;
        inflight.delete(p);
      });
      inflight.add(p);
    }
  }
  await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, PROBE_CAP_MS).unref())]);
  const c = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  process.stdout.write(JSON.stringify({ probes, failed, unfinished: inflight.size, cpuMs: (c.user + c.system) / 1000, wallMs }) + '\n');
  udp?.close();
  process.exit(0);
}

void main();
