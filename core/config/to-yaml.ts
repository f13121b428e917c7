/**
 * @fileoverview Model -> vigil.yaml text, for `vigil import`: a one-to-one
 * translation whose keys mirror mon's keywords (see core/config/schema.ts),
 * with the import notes as comments on top, so nothing is silently dropped.
 */
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import type { AlertAfter, AlertEvery, Config, ConfigNote, Period, PluginRef, Service } from '../model.ts';
import { formatDuration } from '../duration.ts';

export interface ToYamlOptions {
  /** Shown in the header: where the config came from. */
  source?: string;
}

export function modelToYaml(config: Config, opts: ToYamlOptions = {}): string {
  const doc = new Document(configObject(config));
  // Plugin entries read best on one line, as in DESIGN.md's examples.
  visit(doc, {
    Map(_key, node) {
      if (isMap(node) && node.has('plugin')) node.flow = true;
    },
    Seq(_key, node) {
      if (isSeq(node) && node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  doc.commentBefore = header(config, opts).join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

function header(config: Config, opts: ToYamlOptions): string[] {
  const lines = [` vigil configuration imported from ${opts.source ?? config.file} by "vigil import".`];
  if (config.notes.length === 0) return lines;
  lines.push(' Notes on the import (where vigil differs from mon or ignores a setting):');
  const byLine = [...config.notes].sort((a, b) => (a.loc?.line ?? Infinity) - (b.loc?.line ?? Infinity));
  for (const n of byLine) lines.push(`   ${noteWhere(n)}${n.message}`);
  return lines;
}

function noteWhere(n: ConfigNote): string {
  return n.loc ? `${n.loc.file.split('/').pop()}:${n.loc.line}: ` : '';
}

function configObject(c: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { state_dir: c.stateDir, maxprocs: c.maxprocs };
  if (c.randstartMs !== undefined) out.randstart = dur(c.randstartMs);
  if (c.control) out.control = { listen: c.control.listen, ...(c.control.tokenEnv ? { token_env: c.control.tokenEnv } : {}) };
  if (c.monProtocol) {
    const m = c.monProtocol;
    out.mon_protocol = strip({
      listen: m.listen,
      trap_listen: m.trapListen,
      auth_file: m.authFile,
      clientallow: m.clientAllow,
      cltimeout: m.cltimeoutMs !== undefined ? dur(m.cltimeoutMs) : undefined,
    });
  }
  if (c.plugins.length) out.plugins = c.plugins;
  out.hostgroups = c.hostgroups;
  if (Object.keys(c.periods).length) out.periods = c.periods;
  out.watches = Object.fromEntries(
    c.watches.map((w) => [w.name, { services: Object.fromEntries(w.services.map((s) => [s.name, serviceObject(s)])) }]),
  );
  const mon = Object.fromEntries(Object.entries(c.mon).filter(([k]) => !MON_KEYS_ELSEWHERE.has(k)));
  if (Object.keys(mon).length) out.mon = mon;
  Object.assign(out, c.extra);
  return out;
}

/** mon globals the YAML already carries as native keys (or applied to every service). */
const MON_KEYS_ELSEWHERE = new Set([
  'maxprocs', 'randstart', 'serverbind', 'serverport', 'trapbind', 'trapport', 'clientallow', 'cltimeout', 'statedir',
  'authfile', 'exclude_period', 'dep_behavior', 'dep_memory', 'unack_summary',
]);

function serviceObject(s: Service): Record<string, unknown> {
  return strip({
    description: s.description,
    interval: s.intervalMs !== undefined ? dur(s.intervalMs) : undefined,
    cron: s.cron,
    timeout: dur(s.timeoutMs),
    randskew: s.randskewMs !== undefined ? dur(s.randskewMs) : undefined,
    failure_interval: s.failureIntervalMs !== undefined ? dur(s.failureIntervalMs) : undefined,
    monitor: s.monitor ? pluginObject(s.monitor) : undefined,
    depend: s.depend,
    dep_behavior: s.depBehavior !== 'a' ? s.depBehavior : undefined,
    alertdepend: s.alertdepend,
    monitordepend: s.monitordepend,
    hostdepend: s.hostdepend,
    dep_memory: s.depMemoryMs ? dur(s.depMemoryMs) : undefined,
    exclude_hosts: s.excludeHosts.length ? s.excludeHosts : undefined,
    exclude_period: s.excludePeriod,
    allow_empty_group: s.allowEmptyGroup || undefined,
    env: Object.keys(s.env).length ? s.env : undefined,
    traptimeout: s.traptimeoutMs !== undefined ? dur(s.traptimeoutMs) : undefined,
    trapduration: s.trapdurationMs !== undefined ? dur(s.trapdurationMs) : undefined,
    unack_summary: s.unackSummary,
    redistribute: s.redistribute ? pluginObject(s.redistribute) : undefined,
    periods: s.periods.length ? s.periods.map(periodObject) : undefined,
  });
}

function periodObject(p: Period): Record<string, unknown> {
  const list = (refs: PluginRef[]) => (refs.length ? refs.map(pluginObject) : undefined);
  return strip({
    when: p.spec.trim() === '' ? 'always' : p.spec,
    label: p.label,
    alertafter: p.alertafter ? alertAfterText(p.alertafter) : undefined,
    alertevery: p.alertevery ? alertEveryText(p.alertevery) : undefined,
    numalerts: p.numalerts || undefined,
    alerts: list(p.alerts),
    upalerts: list(p.upalerts),
    startupalerts: list(p.startupalerts),
    ackalerts: list(p.ackalerts),
    disablealerts: list(p.disablealerts),
    no_comp_alerts: p.noCompAlerts || undefined,
    upalertafter: p.upalertafterMs !== undefined ? dur(p.upalertafterMs) : undefined,
    alerts_dont_count: p.alertsDontCount || undefined,
    alertexitrange: p.exitRange ? rangeText(p.exitRange) : undefined,
  });
}

function pluginObject(ref: PluginRef): Record<string, unknown> {
  const options = { ...ref.options };
  if (Array.isArray(options.args) && options.args.length === 0) delete options.args;
  return strip({ plugin: ref.plugin, ...options, exit: ref.exitRange ? rangeText(ref.exitRange) : undefined });
}

export function alertAfterText(a: AlertAfter): number | string {
  if (a.kind === 'count') return a.count;
  if (a.kind === 'duration') return dur(a.durationMs);
  return `${a.count} ${dur(a.withinMs)}`;
}

export function alertEveryText(a: AlertEvery): string {
  return a.mode === 'default' ? dur(a.ms) : `${dur(a.ms)} ${a.mode}`;
}

function rangeText([from, to]: [number, number]): number | string {
  return from === to ? from : `${from}-${to}`;
}

function dur(ms: number): string {
  return formatDuration(ms);
}

/** Drops undefined values so the YAML shows only what was set. */
function strip(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
