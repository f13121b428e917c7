/**
 * @fileoverview Types shared by the LVS alert's parts: the virtual services and
 * real servers as configured, and the IPVS table as `ipvsadm -S -n` shows it.
 */

export type Method = 'nat' | 'dr' | 'tunnel';
export type Protocol = 'tcp' | 'udp' | 'fwmark';
export type PoolState = 'up' | 'down' | 'degraded' | 'unknown';

/** A virtual service: `tcp|udp VIP:PORT` or `fwmark N`. */
export interface VirtualService {
  protocol: Protocol;
  /** Canonical numeric address (IPv6 without brackets); absent for fwmark. */
  address?: string;
  port?: number;
  fwmark?: number;
  /** Address family; fwmark services need `-6` for IPv6. */
  family: 4 | 6;
}

/** One real server vigil manages inside a virtual service. */
export interface RealServer {
  /** The hostgroup member (or config entry) whose health decides this server. */
  host: string;
  /** Numeric address (resolved from `host` when that is a name). */
  address: string;
  port: number;
  method: Method;
  weight: number;
}

/** A virtual service with everything vigil manages in it. */
export interface ManagedService {
  service: VirtualService;
  /** Scheduler for `ipvsadm -A -s` when vigil creates the service. */
  scheduler: string;
  /** Persistence timeout in seconds for `ipvsadm -A -p`. */
  persistent?: number;
  servers: RealServer[];
  sorryServer?: RealServer;
}

/** Policy that applies to every managed service of one alert instance. */
export interface PoolPolicy {
  mode: 'remove' | 'quiescent';
  /** Keep at least this many real servers in service even when they fail. */
  minServers: number;
  /** Create the virtual service when it is missing. */
  manageService: boolean;
  /** Weight multiplier for degraded servers (0..1). */
  degradedWeight: number;
}

/** One real server line of `ipvsadm -S -n`. */
export interface TableServer {
  address: string;
  port: number;
  method: Method;
  weight: number;
}

/** One virtual service of `ipvsadm -S -n`, with its real servers. */
export interface TableService {
  service: VirtualService;
  scheduler?: string;
  persistent?: number;
  servers: TableServer[];
}

/** One ipvsadm invocation, without the command prefix (`ipvsadm`, `sudo ipvsadm`). */
export interface IpvsCommand {
  op: 'add-service' | 'add-server' | 'edit-server' | 'delete-server';
  /** `tcp 127.0.0.100:80` */
  service: string;
  /** `127.0.0.2:80` */
  server?: string;
  args: string[];
  /** Why: for logs and `vigil lvs plan`. */
  reason: string;
}
