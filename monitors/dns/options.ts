/**
 * @fileoverview Options of the `dns` monitor: the JSON Schema the config is validated
 * against, and their checked, compiled form.
 */
import type { JsonSchema } from '../../core/types.ts';
import { compileMatcher } from './records.ts';
import { parseServer, type ServerAddress } from './server-address.ts';
import { RCODES, RECORD_TYPES, type RecordType } from './wire.ts';
import type { Expectations } from './evaluate.ts';

export interface DnsOptions {
  /** `query` (default) asks each host one question; `soa-sync` compares each host's zone serial with the master's. */
  mode?: 'query' | 'soa-sync';
  /** Name to ask for (query mode; with `resolver`, the host is the name instead). */
  name?: string;
  /** @default "A" */
  type?: RecordType;
  /** Port of the DNS server on each host. @default 53 */
  port?: number;
  /** "IP[:port]": ask this resolver, with each host of the group as the name. */
  resolver?: string;
  /** @default "NOERROR" */
  rcode?: string;
  /** Values (or "/regex/") each of which must match some answer of `type`. */
  answers?: string[];
  /** @default 0 */
  minAnswers?: number;
  /** Over this the host is degraded (failed with `latencyFails`). */
  maxLatencyMs?: number;
  /** @default false */
  latencyFails?: boolean;
  /** Ask over TCP only. @default false */
  tcp?: boolean;
  /** Set the RD bit. @default true */
  recursion?: boolean;
  /** Resend an unanswered UDP query after this many ms; 0 never. @default 2000 */
  retransmitMs?: number;
  /** UDP queries in flight at once per service. @default 128 */
  maxInFlight?: number;
  /** soa-sync: the zone whose SOA serial is compared. */
  zone?: string;
  /** soa-sync: "IP[:port]" of the master; default: the group's first host. */
  master?: string;
}

export const optionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { type: 'string', enum: ['query', 'soa-sync'], default: 'query' },
    name: { type: 'string', minLength: 1 },
    type: { type: 'string', enum: [...RECORD_TYPES], default: 'A' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 53 },
    resolver: { type: 'string', minLength: 1 },
    rcode: { type: 'string', enum: [...RCODES], default: 'NOERROR' },
    answers: { type: 'array', items: { type: 'string', minLength: 1 } },
    minAnswers: { type: 'integer', minimum: 0, default: 0 },
    maxLatencyMs: { type: 'number', exclusiveMinimum: 0 },
    latencyFails: { type: 'boolean', default: false },
    tcp: { type: 'boolean', default: false },
    recursion: { type: 'boolean', default: true },
    retransmitMs: { type: 'integer', minimum: 0, default: 2000 },
    maxInFlight: { type: 'integer', minimum: 1, maximum: 4096, default: 128 },
    zone: { type: 'string', minLength: 1 },
    master: { type: 'string', minLength: 1 },
  },
};

export interface CompiledOptions {
  mode: 'query' | 'soa-sync';
  name?: string;
  type: RecordType;
  port: number;
  resolver?: ServerAddress;
  expect: Expectations;
  tcp: boolean;
  recursion: boolean;
  retransmitMs: number;
  maxInFlight: number;
  zone?: string;
  master?: ServerAddress;
}

/** Check what the schema cannot (combinations, regexes, addresses); throws a message for the operator. */
export function compileOptions(o: DnsOptions, groupHosts: string[] | undefined): CompiledOptions {
  const port = o.port ?? 53;
  const mode = o.mode ?? 'query';
  const base = {
    mode,
    type: o.type ?? 'A',
    port,
    tcp: o.tcp ?? false,
    recursion: o.recursion ?? true,
    retransmitMs: o.retransmitMs ?? 2000,
    maxInFlight: o.maxInFlight ?? 128,
    expect: {
      rcode: o.rcode ?? 'NOERROR',
      answers: (o.answers ?? []).map(compileMatcher),
      minAnswers: o.minAnswers ?? 0,
      maxLatencyMs: o.maxLatencyMs,
      latencyFails: o.latencyFails ?? false,
    },
  } satisfies Partial<CompiledOptions>;

  if (mode === 'soa-sync') {
    if (!o.zone) throw new Error('dns: mode soa-sync needs `zone` (the zone whose SOA serial is compared)');
    const masterText = o.master ?? groupHosts?.[0];
    if (!masterText) throw new Error('dns: mode soa-sync needs `master: "IP[:port]"` or a hostgroup whose first host is the master');
    const master = parseServer(masterText, port);
    if (!master) throw new Error(`dns: master "${masterText}" is not IP, IP:port or [IPv6]:port`);
    return { ...base, type: 'SOA', zone: o.zone, master };
  }
  if (o.resolver) {
    if (o.name) throw new Error('dns: set `name` or `resolver`, not both (with `resolver`, each host of the group is the name asked for)');
    const resolver = parseServer(o.resolver, 53);
    if (!resolver) throw new Error(`dns: resolver "${o.resolver}" is not IP, IP:port or [IPv6]:port`);
    return { ...base, resolver, name: o.name };
  }
  if (!o.name) throw new Error('dns: set `name` (what to ask each host), or `resolver` to ask one resolver about each host');
  return { ...base, name: o.name };
}
