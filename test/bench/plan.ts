/**
 * @fileoverview Where the benchmark's targets live and the vigil config that
 * watches them, pure. Every host has its own loopback address (127.20-22.x.y,
 * one /16 per kind) and a port that varies by group, so checks spread across
 * 127.0.0.0/8 addresses and ports like real servers behind LVS virtual services.
 */

/** `null`: no targets, a plugin that passes at once (the framework's own cost). */
export type Kind = 'tcp' | 'http' | 'dns' | 'null';

export interface Endpoint {
  /** Host index in the scenario, 0..n-1. */
  i: number;
  group: number;
  addr: string;
  port: number;
}

export interface Layout {
  kind: Kind;
  n: number;
  /** Hosts per hostgroup (one watch with one service each, like one LVS virtual service). */
  groupSize: number;
}

const SECOND_OCTET: Record<Kind, number> = { tcp: 20, http: 21, dns: 22, null: 23 };
const PORT_BASE: Record<Kind, number> = { tcp: 21000, http: 22000, dns: 23000, null: 24000 };
/** Ports per kind: groups cycle through them. */
const PORTS = 20;
/** Last octet 1..250: no .0 or .255 in the addresses. */
const PER_THIRD = 250;

export function endpointOf(kind: Kind, i: number, groupSize: number): Endpoint {
  const group = Math.floor(i / groupSize);
  const third = Math.floor(i / PER_THIRD);
  if (third > 255) throw new Error(`bench: host index ${i} does not fit in one /16 (at most ${256 * PER_THIRD} hosts per kind)`);
  return { i, group, addr: `127.${SECOND_OCTET[kind]}.${third}.${1 + (i % PER_THIRD)}`, port: PORT_BASE[kind] + (group % PORTS) };
}

export function endpoints(l: Layout): Endpoint[] {
  const out: Endpoint[] = [];
  for (let i = 0; i < l.n; i++) out.push(endpointOf(l.kind, i, l.groupSize));
  return out;
}

export function groupName(kind: Kind, group: number): string {
  return `${kind}-g${String(group).padStart(4, '0')}`;
}

/** The plugin module of the `null` scenario (absolute: the config lives in a temp directory). */
export const NULL_MONITOR = new URL('./null-monitor.ts', import.meta.url).pathname;

/** Name the DNS targets answer for (they answer any name). */
export const DNS_NAME = 'bench.vigil.test';

export interface ConfigParams extends Layout {
  stateDir: string;
  intervalS: number;
  timeoutS: number;
  maxprocs?: number;
}

function monitorFor(kind: Kind, port: number): Record<string, unknown> {
  if (kind === 'tcp') return { plugin: 'tcp', port };
  if (kind === 'http') return { plugin: 'http', port, path: '/health', status: [200] };
  if (kind === 'null') return { plugin: 'bench-null' };
  return { plugin: 'dns', port, name: DNS_NAME, type: 'A', retransmitMs: 1000 };
}

/** The vigil config (JSON-compatible object): one watch per group, one service, the log alert. */
export function vigilConfig(p: ConfigParams): Record<string, unknown> {
  const hostgroups: Record<string, string[]> = {};
  const watches: Record<string, unknown> = {};
  const groups = Math.ceil(p.n / p.groupSize);
  for (let g = 0; g < groups; g++) {
    const name = groupName(p.kind, g);
    const hosts: string[] = [];
    let port = 0;
    for (let i = g * p.groupSize; i < Math.min(p.n, (g + 1) * p.groupSize); i++) {
      const e = endpointOf(p.kind, i, p.groupSize);
      hosts.push(e.addr);
      port = e.port;
    }
    hostgroups[name] = hosts;
    watches[name] = {
      services: {
        [p.kind]: {
          interval: `${p.intervalS}s`,
          timeout: `${p.timeoutS}s`,
          monitor: monitorFor(p.kind, port),
          periods: [{ when: 'always', alerts: [{ plugin: 'log' }] }],
        },
      },
    };
  }
  return {
    state_dir: p.stateDir,
    maxprocs: p.maxprocs ?? 200,
    // Spread the services' phases over the whole interval, not the first 2 s.
    randstart: `${p.intervalS}s`,
    // The control plane runs as in production, on a free port (the default 2580 may be taken).
    control: { listen: '127.0.0.1:0' },
    ...(p.kind === 'null' ? { plugins: [NULL_MONITOR] } : {}),
    hostgroups,
    watches,
  };
}
