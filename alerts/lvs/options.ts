/**
 * @fileoverview Options of the lvs alert: JSON Schema (validated by core when the
 * config loads) and their normalisation into managed services. Name resolution
 * of real servers is injected, so this stays testable without DNS.
 */
import { isIP } from 'node:net';
import type { JsonSchema } from '../../core/types.ts';
import { canonicalIp, hostKey, parseVirtualService, serviceKey, splitHostPort } from './address.ts';
import type { ManagedService, Method, PoolPolicy, RealServer } from './model.ts';

export interface ServerOption {
  /** Host name or address; health is looked up under this name. */
  address: string;
  /** @default the VIP's port (0 for fwmark services) */
  port?: number;
  method?: Method;
  weight?: number;
}

export interface ServiceOption {
  /** `tcp VIP:PORT`, `udp VIP:PORT`, `fwmark N` (`fwmark N ipv6`). */
  service: string;
  scheduler?: string;
  persistent?: number;
  /** Port of the real servers. @default the VIP's port */
  port?: number;
  method?: Method;
  weight?: number;
  /** @default the hosts of the watched hostgroup */
  servers?: (string | ServerOption)[];
  sorryServer?: string | ServerOption;
}

export interface LvsOptions {
  service?: string;
  services?: (string | ServiceOption)[];
  /** @default "wlc" (ipvsadm's default) */
  scheduler?: string;
  persistent?: number;
  /** Port of the real servers. @default the VIP's port (0 for fwmark) */
  port?: number;
  /** @default "dr" (ipvsadm's default, -g) */
  method?: Method;
  /** @default 1 */
  weight?: number;
  /** Real servers for every service; strings are `host`, `host:port` or `[v6]:port`. @default the watched hostgroup */
  servers?: (string | ServerOption)[];
  /** @default "remove" */
  mode?: 'remove' | 'quiescent';
  /** @default 0 */
  minServers?: number;
  sorryServer?: string | ServerOption;
  /** @default false */
  manageService?: boolean;
  /** @default ["ipvsadm"] */
  command?: string[];
  /** @default false */
  dryRun?: boolean;
  /** @default 1 */
  fall?: number;
  /** @default 1 */
  rise?: number;
  /** @default 0.5 */
  degradedWeight?: number;
}

const METHODS = ['nat', 'dr', 'tunnel'];
const SERVICE_PATTERN = '^\\s*((tcp|udp|TCP|UDP)\\s+\\S+|(fwmark|FWMARK)\\s+\\d+(\\s+ipv6)?)\\s*$';
const serverSchema: JsonSchema = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['address'],
      properties: {
        address: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        method: { enum: METHODS },
        weight: { type: 'integer', minimum: 0, maximum: 65535 },
      },
    },
  ],
};
const perService = {
  scheduler: { type: 'string', pattern: '^[a-z0-9]+$' },
  persistent: { type: 'integer', minimum: 1 },
  port: { type: 'integer', minimum: 0, maximum: 65535 },
  method: { enum: METHODS },
  weight: { type: 'integer', minimum: 0, maximum: 65535 },
  servers: { type: 'array', items: serverSchema },
  sorryServer: serverSchema,
};

export const optionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['service'] }, { required: ['services'] }],
  properties: {
    service: { type: 'string', pattern: SERVICE_PATTERN },
    services: {
      type: 'array',
      minItems: 1,
      items: {
        oneOf: [
          { type: 'string', pattern: SERVICE_PATTERN },
          { type: 'object', additionalProperties: false, required: ['service'], properties: { service: { type: 'string', pattern: SERVICE_PATTERN }, ...perService } },
        ],
      },
    },
    ...perService,
    mode: { enum: ['remove', 'quiescent'] },
    minServers: { type: 'integer', minimum: 0 },
    manageService: { type: 'boolean' },
    command: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    dryRun: { type: 'boolean' },
    fall: { type: 'integer', minimum: 1 },
    rise: { type: 'integer', minimum: 1 },
    degradedWeight: { type: 'number', minimum: 0, maximum: 1 },
  },
};

export interface Normalized {
  managed: ManagedService[];
  policy: PoolPolicy;
  command: string[];
  dryRun: boolean;
  fall: number;
  rise: number;
}

/** Host name -> numeric address; the default only accepts addresses (core resolves names with DNS). */
export type Resolve = (host: string) => Promise<string>;

/**
 * Turns options (already schema-valid) into managed services. `hosts` is the
 * watched hostgroup, the default real servers. Throws with an operator-readable
 * message when something cannot be used.
 */
export async function normalizeOptions(o: LvsOptions, hosts: readonly string[], resolve: Resolve): Promise<Normalized> {
  const entries: ServiceOption[] = [];
  if (o.service) entries.push({ service: o.service });
  for (const s of o.services ?? []) entries.push(typeof s === 'string' ? { service: s } : s);
  if (entries.length === 0) throw new Error('lvs alert: name a virtual service, e.g. service: "tcp 10.0.0.1:80"');
  const managed: ManagedService[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const service = parseVirtualService(e.service);
    const key = serviceKey(service);
    if (seen.has(key)) throw new Error(`lvs alert: virtual service ${key} is listed twice`);
    seen.add(key);
    const defaults = {
      port: e.port ?? o.port ?? (service.protocol === 'fwmark' ? 0 : service.port!),
      method: e.method ?? o.method ?? 'dr',
      weight: e.weight ?? o.weight ?? 1,
    };
    const list = e.servers ?? o.servers ?? hosts;
    if (list.length === 0) throw new Error(`lvs alert: virtual service ${key} has no real servers: list "servers" or attach the alert to a watch with hosts`);
    const servers: RealServer[] = [];
    for (const s of list) servers.push(await realServer(s, defaults, resolve, key));
    const sorrySpec = e.sorryServer ?? o.sorryServer;
    managed.push({
      service,
      scheduler: e.scheduler ?? o.scheduler ?? 'wlc',
      persistent: e.persistent ?? o.persistent,
      servers,
      sorryServer: sorrySpec === undefined ? undefined : await realServer(sorrySpec, defaults, resolve, key),
    });
  }
  return {
    managed,
    policy: {
      mode: o.mode ?? 'remove',
      minServers: o.minServers ?? 0,
      manageService: o.manageService ?? false,
      degradedWeight: o.degradedWeight ?? 0.5,
    },
    command: o.command ?? ['ipvsadm'],
    dryRun: o.dryRun ?? false,
    fall: o.fall ?? 1,
    rise: o.rise ?? 1,
  };
}

async function realServer(
  spec: string | ServerOption,
  d: { port: number; method: Method; weight: number },
  resolve: Resolve,
  key: string,
): Promise<RealServer> {
  const o: ServerOption = typeof spec === 'string' ? hostPortOption(spec) : spec;
  const { host, port } = o.address.includes(':') || o.address.startsWith('[') ? splitHostPort(o.address) : { host: o.address, port: undefined };
  let address: string;
  try {
    address = isIP(host) ? canonicalIp(host) : canonicalIp(await resolve(host));
  } catch (err) {
    throw new Error(`lvs alert: real server "${host}" of ${key} has no address: ${(err as Error).message}`, { cause: err });
  }
  return { host: hostKey(host), address, port: o.port ?? port ?? d.port, method: o.method ?? d.method, weight: o.weight ?? d.weight };
}

function hostPortOption(text: string): ServerOption {
  const { host, port } = splitHostPort(text);
  return { address: host, port };
}
