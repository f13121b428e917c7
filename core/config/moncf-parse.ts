/**
 * @fileoverview mon.cf logical lines -> a model that still names mon scripts
 * as written (resolution against mondir/alertdir is moncf-resolve.ts's job,
 * because mon resolves after the whole file is read). Follows mon's
 * `read_cf` block recognition order line for line; see mon-reference.md a.2-a.7.
 */
import type { ConfigNote, Loc, Period, PluginRef, Service, Watch } from '../model.ts';
import type { ConfigProblem } from '../errors.ts';
import type { LogicalLine } from './moncf-lexer.ts';
import { parseAlertAfter, parseAlertEvery, parseExitRange, timevalMs } from './moncf-time.ts';
import { quoteWords } from './moncf-words.ts';
import { DependSyntaxError, parseDepend } from '../depend.ts';

export interface MonCfParse {
  /** Global `name = value` settings, last one wins. */
  globals: Record<string, { value: string; loc: Loc }>;
  hostgroups: Record<string, string[]>;
  watches: Watch[];
  notes: ConfigNote[];
  problems: ConfigProblem[];
}

export const GLOBAL_KEYWORDS = new Set([
  'alertdir', 'basedir', 'cfbasedir', 'mondir', 'logdir', 'histlength', 'serverport', 'trapport', 'serverbind',
  'clientallow', 'trapbind', 'pidfile', 'randstart', 'maxprocs', 'statedir', 'authfile', 'authtype', 'pamservice',
  'userfile', 'historicfile', 'historictime', 'cltimeout', 'monerrfile', 'dtlogfile', 'dtlogging', 'dep_recur_limit',
  'dep_behavior', 'dep_memory', 'unack_summary', 'syslog_facility', 'startupalerts_on_reset', 'monremote', 'exclude_period',
]);
const TIMEVAL_GLOBALS = new Set(['randstart', 'historictime', 'cltimeout', 'dep_memory']);
const NAME = /^[a-zA-Z0-9_.-]+$/;
const ALERT_KINDS = { alert: 'alerts', upalert: 'upalerts', startupalert: 'startupalerts', ackalert: 'ackalerts', disablealert: 'disablealerts' } as const;

type Block = 'none' | 'hostgroup' | 'alias' | 'view' | 'watch';

export function parseMonCf(lines: LogicalLine[], file: string): MonCfParse {
  const out: MonCfParse = { globals: {}, hostgroups: {}, watches: [], notes: [], problems: [] };
  const hostgroupLoc: Record<string, Loc> = {};
  let block: Block = 'none';
  let group = '';
  let watch: Watch | undefined;
  let svc: Service | undefined;
  let period: Period | undefined;
  const defaults = { depBehavior: 'a' as Service['depBehavior'], depMemoryMs: 0, unackSummary: false };

  for (const ll of lines) {
    const l = ll.text;
    const loc: Loc = { file, line: ll.line };
    const problem = (message: string) => out.problems.push({ loc, message });
    const note = (message: string) => out.notes.push({ loc, message });

    const g = block !== 'watch' ? /^(\w+)\s*=\s*(.*)$/.exec(l) : null;
    if (g) {
      globalVar(g[1]!, g[2]!.trim(), loc, out, defaults, problem);
      continue;
    }
    if (l === '') {
      block = 'none';
      watch = svc = period = undefined;
      continue;
    }
    let m = /^hostgroup\s+([a-zA-Z0-9_.-]+)\s*(.*)/.exec(l);
    if (m) {
      block = 'hostgroup';
      group = m[1]!;
      out.hostgroups[group] = splitWords(m[2]!);
      hostgroupLoc[group] = loc;
      continue;
    }
    if (block === 'hostgroup') {
      out.hostgroups[group]!.push(...splitWords(l));
      if (/^(watch|service)\s/.test(l)) note(`"${l}" is read as more host names of hostgroup ${group}, as mon does: put a blank line before it to start a new block`);
      continue;
    }
    if ((m = /^alias\s+([a-zA-Z0-9_.-]+)\s*$/.exec(l))) {
      block = 'alias';
      note(`alias ${m[1]} is kept by mon only for mon.cgi; vigil ignores it`);
      continue;
    }
    if (block === 'alias') continue;
    if ((m = /^view\s+([a-zA-Z0-9_.-]+)\s+(.*)$/.exec(l))) {
      block = 'view';
      note(`view ${m[1]} (client-side filtering with setview) is not supported by vigil yet; it is ignored`);
      continue;
    }
    if (block === 'view') continue;
    if ((m = /^watch\s+([a-zA-Z0-9_.-]+)\s*/.exec(l))) {
      const name = m[1]!;
      block = 'watch';
      svc = period = undefined;
      if (out.watches.some((w) => w.name === name)) {
        problem(`watch '${name}' already defined; merge the two watch blocks`);
        watch = { name: `${name}\0dup`, services: [], loc };
        continue;
      }
      if (!out.hostgroups[name]) {
        out.hostgroups[name] = [name];
        hostgroupLoc[name] = loc;
        note(`watch ${name} has no hostgroup; as in mon it watches the single host "${name}" (fine for trap-only watches)`);
      }
      watch = { name, services: [], loc };
      out.watches.push(watch);
      continue;
    }
    if (block === 'watch' && watch) {
      const env = /^([A-Z_][A-Z0-9_]*)=(.*)/.exec(l);
      if (env) {
        if (!svc) problem('environment variable defined without a service: put it below a "service NAME" line');
        else svc.env[env[1]!] = env[2]!;
        continue;
      }
      const kw = /^(\w+)\s*(.*)$/.exec(l);
      if (!kw) {
        problem(`unknown syntax [${l}]`);
        continue;
      }
      const [, v, args] = kw as unknown as [string, string, string];
      if (v === 'service') {
        if (!NAME.test(args)) problem(`invalid service tag '${args}': use letters, digits, _ . -`);
        else if (watch.services.some((s) => s.name === args)) problem(`service ${args} already defined for watch group ${watch.name}`);
        svc = newService(watch.name, args, loc, defaults);
        period = undefined;
        if (NAME.test(args) && !watch.services.some((s) => s.name === args)) watch.services.push(svc);
        continue;
      }
      if (!svc) {
        problem(`need to specify service in watch record (a "service NAME" line must come before [${l}])`);
        continue;
      }
      if (v === 'period') {
        period = newPeriod(args, loc, svc, problem);
        continue;
      }
      if (period) periodKeyword(v, args, loc, svc, period, problem, note, l);
      else serviceKeyword(v, args, loc, watch.name, svc, problem, note, l);
      continue;
    }
    note(`line ignored, as mon ignores it outside any block: [${l}]`);
  }
  for (const [name, loc] of Object.entries(hostgroupLoc)) {
    if (!out.watches.some((w) => w.name === name)) out.notes.push({ loc, message: `hostgroup ${name} has no watch assigned to it` });
  }
  return out;
}

function splitWords(s: string): string[] {
  return s.split(/\s+/).filter((w) => w !== '');
}

function globalVar(
  name: string,
  value: string,
  loc: Loc,
  out: MonCfParse,
  defaults: { depBehavior: Service['depBehavior']; depMemoryMs: number; unackSummary: boolean },
  problem: (m: string) => void,
): void {
  if (!GLOBAL_KEYWORDS.has(name)) {
    problem(`unknown variable '${name}' (mon's global settings are: ${[...GLOBAL_KEYWORDS].join(', ')})`);
    return;
  }
  if (TIMEVAL_GLOBALS.has(name) && timevalMs(value) === undefined) {
    problem(`bad value '${value}' for ${name} (syntax: ${name} = TIMEVAL with a unit, e.g. 30s, 5m, 1h)`);
    return;
  }
  if (name === 'dep_behavior') {
    if (value !== 'a' && value !== 'm' && value !== 'hm') return problem(`unknown dependency behavior '${value}' (use a, m or hm)`);
    defaults.depBehavior = value;
  } else if (name === 'dep_memory') defaults.depMemoryMs = timevalMs(value)!;
  else if (name === 'unack_summary') {
    const v = unackValue(value);
    if (v === undefined) return problem(`invalid unack_summary value '${value}' (syntax: unack_summary = 0|1|y|yes|n|no)`);
    defaults.unackSummary = v;
  }
  out.globals[name] = { value, loc };
}

/** mon's unanchored `/y(es)?/i` then `/n(o)?/i`, then 0/1. */
function unackValue(v: string): boolean | undefined {
  if (/y(es)?/i.test(v)) return true;
  if (/n(o)?/i.test(v)) return false;
  if (v === '0' || v === '1') return v === '1';
  return undefined;
}

function newService(watch: string, name: string, loc: Loc, d: { depBehavior: Service['depBehavior']; depMemoryMs: number; unackSummary: boolean }): Service {
  const s: Service = { watch, name, timeoutMs: 0, depBehavior: d.depBehavior, excludeHosts: [], allowEmptyGroup: false, env: {}, periods: [], loc };
  if (d.depMemoryMs) s.depMemoryMs = d.depMemoryMs;
  if (d.unackSummary) s.unackSummary = true;
  return s;
}

function newPeriod(args: string, loc: Loc, svc: Service, problem: (m: string) => void): Period {
  const lm = /^([a-z_]\w*)\s*:\s*(.*)$/i.exec(args);
  // An unlabelled empty spec ("always") gets the key the native config gives it, so both read the same.
  const key = lm ? lm[1]! : args.trim() === '' ? 'always' : args;
  const p: Period = {
    key, spec: lm ? lm[2]! : args, numalerts: 0, alerts: [], upalerts: [], startupalerts: [], ackalerts: [], disablealerts: [],
    noCompAlerts: false, alertsDontCount: false, loc,
  };
  if (lm) p.label = key;
  if (svc.periods.some((q) => q.key === key)) problem(`period '${key}' already defined for watch group ${svc.watch} service ${svc.name}: give one of them a label ("period LABEL: ${p.spec}")`);
  else svc.periods.push(p);
  return p;
}

function scriptRef(words: string[], loc: Loc): PluginRef {
  return { plugin: 'script', options: { path: words[0]!, args: words.slice(1) }, loc };
}

function periodKeyword(v: string, args: string, loc: Loc, svc: Service, p: Period, problem: (m: string) => void, note: (m: string) => void, l: string): void {
  if (Object.hasOwn(ALERT_KINDS, v)) {
    let rest = args;
    let exitRange: [number, number] | undefined;
    const em = /^exit\s*=\s*(\d+|\d+-\d+)\s+(.*)$/i.exec(rest);
    if (em) [exitRange, rest] = [parseExitRange(em[1]!), em[2]!];
    const words = quoteWords(rest);
    if (!words || words.length === 0) return problem(`${v} needs an alert program (e.g. "${v} mail.alert ops@example.com")${words ? '' : ': a quote is not closed'}`);
    const ref = scriptRef(words, loc);
    if (exitRange) ref.exitRange = exitRange;
    p[ALERT_KINDS[v as keyof typeof ALERT_KINDS]].push(ref);
    if (v === 'disablealert') note('disablealert: mon never fires it (BUG: the service is disabled before the alert is tried); vigil fires it on "disable service"');
    return;
  }
  switch (v) {
    case 'alertevery': {
      const r = parseAlertEvery(args);
      if (typeof r === 'string') return problem(r);
      p.alertevery = r;
      return;
    }
    case 'alertafter': {
      const r = parseAlertAfter(args, svc.intervalMs);
      if (typeof r === 'string') return problem(r);
      p.alertafter = r;
      return;
    }
    case 'upalertafter': {
      const ms = timevalMs(args);
      if (!ms) return problem(`invalid upalertafter '${args}' (syntax: upalertafter TIMEVAL, e.g. 10m)`);
      p.upalertafterMs = ms;
      note('upalertafter: mon ignores it (BUG: stored on the period, tested on the service); vigil sends the upalert only when the outage lasted this long');
      return;
    }
    case 'numalerts':
      if (!/^\d+$/.test(args)) return problem(`numalerts needs a whole number, not '${args}'`);
      p.numalerts = Number(args);
      return;
    case 'no_comp_alerts':
      p.noCompAlerts = true;
      return;
    case 'alerts_dont_count':
      p.alertsDontCount = true;
      return;
    case 'alertexitrange': {
      const r = /^\s*(\d+|\d+-\d+)\s*$/.test(args) ? parseExitRange(args) : undefined;
      if (!r) return problem(`invalid exit code range '${args}' (use N or N-M)`);
      p.exitRange = r;
      return;
    }
  }
  problem(`unknown syntax [${l}]${SERVICE_ONLY.has(v) ? `: "${v}" is a service keyword and must come before the first "period" line of the service` : ''}`);
}

const SERVICE_ONLY = new Set(['interval', 'failure_interval', 'monitor', 'redistribute', 'allow_empty_group', 'description', 'unack_summary', 'traptimeout', 'trapduration', 'randskew', 'dep_behavior', 'dep_memory', 'depend', 'alertdepend', 'monitordepend', 'hostdepend', 'exclude_hosts', 'exclude_period']);
const POSITIVE_TIMEVALS: Record<string, 'intervalMs' | 'failureIntervalMs' | 'traptimeoutMs' | 'trapdurationMs' | 'randskewMs' | 'depMemoryMs'> = {
  interval: 'intervalMs', failure_interval: 'failureIntervalMs', traptimeout: 'traptimeoutMs', trapduration: 'trapdurationMs', randskew: 'randskewMs', dep_memory: 'depMemoryMs',
};

function serviceKeyword(v: string, args: string, loc: Loc, watch: string, svc: Service, problem: (m: string) => void, note: (m: string) => void, l: string): void {
  if (Object.hasOwn(POSITIVE_TIMEVALS, v)) {
    const ms = timevalMs(args);
    if (!ms) return problem(`invalid ${v} '${args}' (syntax: ${v} TIMEVAL with a unit, e.g. 5m; mon has no trailing comments)`);
    svc[POSITIVE_TIMEVALS[v]!] = ms;
    if (v === 'dep_memory') note('dep_memory: mon ignores it (BUG: the failure time it compares is never set); vigil keeps a recovered dependency failed for this long');
    return;
  }
  switch (v) {
    case 'monitor': {
      let text = args;
      const noHosts = /;;\s*$/.test(text);
      if (noHosts) text = text.replace(/\s*;;\s*$/, '');
      const words = quoteWords(text);
      if (!words || words.length === 0) return problem(`monitor needs a program (e.g. "monitor tcp.monitor -p 80")${words ? '' : ': a quote is not closed'}`);
      svc.monitor = scriptRef(words, loc);
      if (noHosts) svc.monitor.options.noHosts = true;
      return;
    }
    case 'redistribute': {
      const words = quoteWords(args);
      if (!words || words.length === 0) return problem('redistribute needs an alert program');
      svc.redistribute = scriptRef(words, loc);
      return;
    }
    case 'allow_empty_group':
      svc.allowEmptyGroup = true;
      return;
    case 'description':
      svc.description = args;
      return;
    case 'unack_summary': {
      const u = unackValue(args);
      if (u === undefined) return problem(`invalid unack_summary value '${args}' (syntax: unack_summary 0|1|y|yes|n|no)`);
      svc.unackSummary = u;
      return;
    }
    case 'dep_behavior':
      if (args !== 'a' && args !== 'm' && args !== 'hm') return problem(`unknown dependency behavior '${args}' (use a, m or hm)`);
      svc.depBehavior = args;
      return;
    case 'depend':
    case 'alertdepend':
    case 'monitordepend':
    case 'hostdepend': {
      const expr = args.replace(/SELF:/g, `${watch}:`);
      try {
        if (parseDepend(expr).implicitAnd) {
          note(`${v} "${expr}" lists terms without an operator: mon fails to evaluate it and silences the service's alerts for good (BUG); vigil AND-s them (write "&&" to make it explicit)`);
        }
      } catch (err) {
        return problem(err instanceof DependSyntaxError ? err.message : String(err));
      }
      svc[v] = expr;
      return;
    }
    case 'exclude_hosts':
      svc.excludeHosts = splitWords(args);
      return;
    case 'exclude_period':
      svc.excludePeriod = args;
      return;
  }
  problem(`unknown syntax [${l}]${Object.hasOwn(ALERT_KINDS, v) || v === 'alertevery' || v === 'alertafter' || v === 'numalerts' ? `: "${v}" belongs under a "period" line` : ''}`);
}
