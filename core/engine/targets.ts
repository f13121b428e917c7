/**
 * @fileoverview Alert targets of one service: one plugin instance per alert entry
 * of the config, keyed by a stable name so outbox rows find their target again
 * after a restart or a reload.
 */
import type { Alert, AlertPlugin, EventType, PluginContext } from '../types.ts';
import { SERVICE_EVENTS } from '../types.ts';
import type { PluginRef, Service } from '../model.ts';

export const ALERT_LISTS = ['alerts', 'upalerts', 'startupalerts', 'ackalerts', 'disablealerts'] as const;
export type AlertList = (typeof ALERT_LISTS)[number];

export interface Target {
  /** `watch/service/periodKey/list/index`, or `watch/service/redistribute`. */
  key: string;
  ref: PluginRef;
  plugin: AlertPlugin;
  alert: Alert;
  events: readonly EventType[];
  /** Same plugin and options as an earlier target of this service: host events and observe go to the first only. */
  duplicateOf?: string;
}

export function targetKey(service: Service, periodKey: string, list: AlertList, index: number): string {
  return `${service.watch}/${service.name}/${periodKey}/${list}/${index}`;
}

/** Every alert ref of a service with its key, in config order. */
export function serviceRefs(service: Service): Array<{ key: string; ref: PluginRef }> {
  const out: Array<{ key: string; ref: PluginRef }> = [];
  for (const p of service.periods) {
    for (const list of ALERT_LISTS) {
      p[list].forEach((ref, i) => out.push({ key: targetKey(service, p.key, list, i), ref }));
    }
  }
  if (service.redistribute) out.push({ key: `${service.watch}/${service.name}/redistribute`, ref: service.redistribute });
  return out;
}

export async function createTargets(
  service: Service,
  getPlugin: (name: string) => Promise<AlertPlugin | undefined>,
  ctxFor: (ref: PluginRef) => PluginContext,
): Promise<Map<string, Target>> {
  const out = new Map<string, Target>();
  const seen = new Map<string, string>();
  for (const { key, ref } of serviceRefs(service)) {
    const plugin = await getPlugin(ref.plugin);
    if (!plugin) throw new Error(`unknown alert plugin "${ref.plugin}"`);
    const alert = await plugin.create(ref.options as never, ctxFor(ref));
    const identity = `${ref.plugin}\u0000${JSON.stringify(ref.options)}`;
    const first = seen.get(identity);
    if (!first) seen.set(identity, key);
    out.set(key, { key, ref, plugin, alert, events: alert.events ?? plugin.events ?? SERVICE_EVENTS, duplicateOf: first });
  }
  return out;
}

/** Map from a ref object (as the state machine returns it) to its target key. */
export function refKeys(targets: Map<string, Target>): Map<PluginRef, string> {
  const m = new Map<PluginRef, string>();
  for (const t of targets.values()) m.set(t.ref, t.key);
  return m;
}
