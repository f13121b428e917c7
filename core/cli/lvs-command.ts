/**
 * @fileoverview `vigil lvs show -c FILE` (the IPVS table of every virtual service
 * the config's lvs alerts manage, with each real server's health and drain from the
 * running vigil) and `vigil lvs plan -c FILE` (the ipvsadm commands applying the
 * config would run, without running them; a server the running vigil has drained
 * stays out). Both only read the table (`ipvsadm -S -n`).
 */
import { Registry } from '../registry.ts';
import type { Config } from '../model.ts';
import type { StatusSnapshot } from '../runtime.ts';
import { errorMessage } from '../errors.ts';
import { loadEngineConfig } from '../engine/load.ts';
import { CONFIG_OPTION, UsageError, parse, requireConfig, withUsage } from './args.ts';
import { hostKey, serviceKey } from '../../alerts/lvs/address.ts';
import { SAVE_ARGS } from '../../alerts/lvs/argv.ts';
import type { PoolState, TableService } from '../../alerts/lvs/model.ts';
import { normalizeOptions, type LvsOptions, type Normalized } from '../../alerts/lvs/options.ts';
import { parseIpvsSave } from '../../alerts/lvs/parse-table.ts';
import { planPool, type DrainPhase } from '../../alerts/lvs/plan.ts';
import { execIpvsadm } from '../../alerts/lvs/runner.ts';
import { describePool, formatPool, type ServiceView } from '../../alerts/lvs/view.ts';
import { lookup } from 'node:dns/promises';

const USAGE = `Usage: vigil lvs show -c FILE
       vigil lvs plan -c FILE [--assume up|down|unknown]

show  prints every virtual service the config's lvs alerts manage, as the IPVS
      table has it now (ipvsadm -S -n): each real server in, out or quiescent,
      with its health and drain from the running vigil (control API), or
      "unknown".
plan  prints the ipvsadm commands vigil would run to bring the table in line
      with the config, assuming every real server is up (or --assume down,
      unknown); servers the running vigil has drained stay out. Nothing is
      changed.

Exit status: 0; 1 when show could not read the IPVS table.`;

/** One lvs alert of the config, with the hosts of its watch. */
interface LvsUse {
  watch: string;
  service: string;
  cfg: Normalized;
}

export function lvsCommand(argv: string[]): Promise<number> {
  return withUsage(async () => {
    const { values, positionals } = parse(argv, { ...CONFIG_OPTION, assume: { type: 'string' } }, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const sub = positionals[0];
    if (sub !== 'show' && sub !== 'plan') throw new UsageError(`say what to do: "vigil lvs show" or "vigil lvs plan"\n\n${USAGE}`);
    const assume = (values.assume ?? 'up') as string;
    if (!['up', 'down', 'unknown'].includes(assume)) throw new UsageError(`--assume takes up, down or unknown, not "${assume}"`);
    const file = requireConfig(values, USAGE);
    const config = await loadEngineConfig(file, new Registry());
    const uses = await lvsUses(config);
    if (uses.length === 0) {
      console.log(`${file}: no lvs alert is configured; nothing to show.`);
      return 0;
    }
    const live = await liveStatus(config);
    return sub === 'plan' ? plan(uses, assume as PoolState, live) : show(uses, live);
  });
}

/** Every distinct lvs alert of the config (the same options in several periods count once). */
export async function lvsUses(config: Config): Promise<LvsUse[]> {
  const seen = new Set<string>();
  const out: LvsUse[] = [];
  for (const w of config.watches) {
    for (const s of w.services) {
      const hosts = (config.hostgroups[s.watch] ?? []).filter((h) => !s.excludeHosts.includes(h));
      for (const p of s.periods) {
        for (const ref of [...p.alerts, ...p.upalerts, ...p.startupalerts]) {
          if (ref.plugin !== 'lvs') continue;
          const key = `${s.watch}/${s.name}/${JSON.stringify(ref.options)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          try {
            out.push({ watch: s.watch, service: s.name, cfg: await normalizeOptions(ref.options as unknown as LvsOptions, hosts, async (h) => (await lookup(h)).address) });
          } catch (err) {
            throw new Error(`${s.watch}/${s.name}: ${errorMessage(err)}`, { cause: err });
          }
        }
      }
    }
  }
  return out;
}

/** The table as `command` reads it; on failure an empty table and the reason. */
async function readTable(command: string[]): Promise<{ table: TableService[]; problem?: string }> {
  try {
    return { table: parseIpvsSave((await execIpvsadm([...command, ...SAVE_ARGS])).stdout) };
  } catch (err) {
    return { table: [], problem: errorMessage(err) };
  }
}

type Live = Awaited<ReturnType<typeof liveStatus>>;

/** The running vigil's view of one service: its hosts' health and the drains its lvs alerts hold. */
function liveView(live: Live, u: LvsUse): { health: Record<string, PoolState>; drains: Record<string, DrainPhase> } {
  const svc = live.status?.watches.find((w) => w.watch === u.watch)?.services.find((s) => s.service === u.service);
  const health: Record<string, PoolState> = {};
  for (const h of svc?.hosts ?? []) health[hostKey(h.host)] = h.state;
  const drains: Record<string, DrainPhase> = {};
  for (const a of svc?.alertStates ?? []) {
    if (a.plugin !== 'lvs' || !Array.isArray(a.state)) continue;
    for (const v of a.state as ServiceView[]) for (const r of v.servers ?? []) if (r.drain) drains[r.host] = r.drain;
  }
  return { health, drains };
}

async function plan(uses: LvsUse[], assume: PoolState, live: Live): Promise<number> {
  if (live.problem) console.log(`# drains unknown, a drained server may be planned back in: ${live.problem}`);
  for (const u of uses) {
    const { table, problem } = await readTable(u.cfg.command);
    const health: Record<string, PoolState> = {};
    for (const m of u.cfg.managed) for (const r of m.servers) health[r.host] = assume;
    const services = u.cfg.managed.map((m) => serviceKey(m.service)).join(', ');
    console.log(`# ${u.watch}/${u.service}: lvs ${services} (every real server assumed ${assume})`);
    if (problem) console.log(`# could not read the IPVS table, planning against an empty one: ${problem}`);
    const { drains } = liveView(live, u);
    for (const [host, phase] of Object.entries(drains)) console.log(`# ${host} is ${phase} by an operator (vigil undrain ${host} to end it)`);
    const p = planPool(u.cfg.managed, u.cfg.policy, health, table, drains);
    for (const w of p.warnings) console.log(`# warning: ${w}`);
    if (p.commands.length === 0) console.log('# nothing to do: the table already matches');
    for (const c of p.commands) console.log(`${[...u.cfg.command, ...c.args].join(' ')}   # ${c.reason}`);
  }
  return 0;
}

async function show(uses: LvsUse[], live: Live): Promise<number> {
  if (live.problem) console.log(`# health and drains unknown: ${live.problem}`);
  let unreadable = false;
  for (const u of uses) {
    const { table, problem } = await readTable(u.cfg.command);
    console.log(`# ${u.watch}/${u.service}`);
    if (problem) console.log(`# could not read the IPVS table: ${problem}`);
    unreadable ||= problem !== undefined;
    const { health, drains } = liveView(live, u);
    console.log(formatPool(describePool(u.cfg.managed, table, health, drains)).trimEnd());
  }
  return unreadable ? 1 : 0;
}

/** Status from the running vigil's control API, when it answers within 2 s. */
async function liveStatus(config: Config): Promise<{ status?: StatusSnapshot; problem?: string }> {
  const c = config.control;
  if (!c?.listen) return { problem: 'the config has no control: listen address, so the running vigil cannot be asked' };
  const token = c.token ?? process.env[c.tokenEnv ?? 'VIGIL_TOKEN'];
  const url = `http://${c.listen}/api/status`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000), headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) return { problem: `${url} answered ${res.status}${res.status === 401 ? ` (set ${c.tokenEnv ?? 'VIGIL_TOKEN'})` : ''}` };
    const body = (await res.json()) as StatusSnapshot | { data?: StatusSnapshot };
    const status = 'watches' in body ? body : body.data;
    return status ? { status } : { problem: `${url} gave no status` };
  } catch (err) {
    return { problem: `vigil is not answering at ${url} (${errorMessage(err)}); is it running?` };
  }
}
