/**
 * @fileoverview The desired-state planner: from the IPVS table, the managed
 * services and the pool state of each host, the ipvsadm commands that bring the
 * table in line. Pure, so every rule is tested without a kernel.
 *
 * Rules: only configured real servers (and the sorry server) are touched; a host
 * whose health is unknown is left as it is; adds and edits come before deletes
 * so a pool never empties on the way; minServers keeps failing servers that are
 * still in service; the sorry server goes in when every known server is out.
 * An operator's drain wins over health and minServers: a draining host's servers
 * get weight 0 (removed if not in the table), a drained host's are removed.
 */
import { addServerArgs, addServiceArgs, deleteServerArgs, editServerArgs } from './argv.ts';
import { formatEndpoint, serviceKey } from './address.ts';
import type { IpvsCommand, ManagedService, PoolPolicy, PoolState, RealServer, TableServer, TableService } from './model.ts';

export interface Plan {
  commands: IpvsCommand[];
  /** Things the operator should know that no command can fix (a missing service ...). */
  warnings: string[];
}

export type DrainPhase = 'draining' | 'drained';

type Want = { in: true; weight: number; reason: string } | { in: false; reason: string } | null;

export function planPool(
  managed: readonly ManagedService[],
  policy: PoolPolicy,
  health: Readonly<Record<string, PoolState>>,
  table: readonly TableService[],
  drains: Readonly<Record<string, DrainPhase>> = {},
): Plan {
  const commands: IpvsCommand[] = [];
  const warnings: string[] = [];
  const tableByKey = new Map(table.map((t) => [serviceKey(t.service), t]));
  for (const m of managed) {
    const key = serviceKey(m.service);
    let current = tableByKey.get(key);
    if (!current) {
      if (!policy.manageService) {
        warnings.push(`virtual service ${key} is not in the IPVS table; create it (ipvsadm -A) or set manageService: true`);
        continue;
      }
      commands.push({ op: 'add-service', service: key, args: addServiceArgs(m), reason: 'virtual service missing (manageService)' });
      current = { service: m.service, servers: [] };
    }
    planService(m, key, policy, health, current, commands, drains);
  }
  // adds and edits first, deletes last: a server swap never leaves the pool empty
  const rank = (c: IpvsCommand) => (c.op === 'add-service' ? 0 : c.op === 'delete-server' ? 2 : 1);
  return { commands: commands.map((c, i) => [c, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([c]) => c), warnings };
}

function planService(
  m: ManagedService,
  key: string,
  policy: PoolPolicy,
  health: Readonly<Record<string, PoolState>>,
  current: TableService,
  out: IpvsCommand[],
  drains: Readonly<Record<string, DrainPhase>>,
): void {
  const inTable = (r: RealServer) => current.servers.find((s) => s.address === r.address && s.port === r.port);
  const wants = new Map<RealServer, Want>();
  let serving = 0; // servers that will carry traffic: healthy, or unknown and serving now
  let known = false;
  for (const r of m.servers) {
    const state = health[r.host] ?? 'unknown';
    const cur = inTable(r);
    const drain = drains[r.host];
    const want = drain ? drainWant(r, drain, cur) : wantFor(r, state, policy);
    wants.set(r, want);
    if (state !== 'unknown' || drain) known = true;
    if (want ? want.in && want.weight > 0 : cur !== undefined && cur.weight > 0) serving++;
  }
  if (m.sorryServer) {
    const sorry = m.sorryServer;
    // with every host unknown (just started) the sorry server is left as it is
    const want: Want = !known
      ? null
      : serving === 0
        ? { in: true, weight: sorry.weight, reason: 'every real server is out: sorry server in' }
        : { in: false, reason: 'a real server is in service: sorry server out' };
    wants.set(sorry, want);
    if (want?.in && sorry.weight > 0) serving++;
  }
  if (serving < policy.minServers) {
    // keep failing servers that still carry traffic, in config order, until minServers are in service
    for (const r of m.servers) {
      if (serving >= policy.minServers) break;
      const want = wants.get(r);
      const cur = inTable(r);
      if (drains[r.host]) continue; // the operator asked for it out
      if (want && !(want.in && want.weight > 0) && cur && cur.weight > 0) {
        wants.set(r, null);
        serving++;
      }
    }
  }
  for (const [r, want] of wants) {
    if (!want) continue;
    const cur = inTable(r);
    const server = formatEndpoint(r.address, r.port);
    if (want.in) {
      if (!cur) out.push({ op: 'add-server', service: key, server, args: addServerArgs(m.service, r, r.method, want.weight), reason: want.reason });
      else if (cur.weight !== want.weight || cur.method !== r.method)
        out.push({ op: 'edit-server', service: key, server, args: editServerArgs(m.service, r, r.method, want.weight), reason: `${want.reason}${differs(cur, r.method, want.weight)}` });
    } else if (cur) {
      out.push({ op: 'delete-server', service: key, server, args: deleteServerArgs(m.service, r), reason: want.reason });
    }
  }
}

function drainWant(r: RealServer, phase: DrainPhase, cur: TableServer | undefined): Want {
  if (phase === 'drained') return { in: false, reason: `${r.host} is drained (vigil undrain ${r.host} to put it back)` };
  // weight 0 keeps established connections; a server that is not in the table is not added for that
  return cur ? { in: true, weight: 0, reason: `${r.host} is draining (weight 0 until its connections close)` } : { in: false, reason: `${r.host} is draining` };
}

function wantFor(r: RealServer, state: PoolState, policy: PoolPolicy): Want {
  switch (state) {
    case 'up':
      return { in: true, weight: r.weight, reason: `${r.host} is up` };
    case 'degraded': {
      const w = Math.round(r.weight * policy.degradedWeight);
      // a fraction above 0 never rounds a server out of service
      const weight = policy.degradedWeight > 0 && r.weight > 0 ? Math.max(1, w) : w;
      return { in: true, weight, reason: `${r.host} is degraded (weight x${policy.degradedWeight})` };
    }
    case 'down':
      return policy.mode === 'quiescent'
        ? { in: true, weight: 0, reason: `${r.host} is down (quiescent: weight 0)` }
        : { in: false, reason: `${r.host} is down` };
    default:
      return null;
  }
}

function differs(cur: TableServer, method: string, weight: number): string {
  const parts: string[] = [];
  if (cur.weight !== weight) parts.push(`weight ${cur.weight} -> ${weight}`);
  if (cur.method !== method) parts.push(`method ${cur.method} -> ${method}`);
  return ` (${parts.join(', ')})`;
}
