/**
 * @fileoverview mon's `list ...` client commands over the Runtime interface,
 * with mon's exact data lines and completion texts (mon-reference.md d.2).
 */
import type { Config, Service } from '../model.ts';
import type { HistoryRecord, Runtime, StatusSnapshot } from '../runtime.ts';
import { escStr } from './escape.ts';
import { findProgram } from '../kit/find-program.ts';
import { FAILURE_STATES, SUCCESS_STATES, WARNING_STATES, opstatusLine } from './opstatus.ts';

export interface ListContext {
  runtime: Runtime;
  now: () => number;
  histlength: number;
  /** When the scheduler was stopped through this server (the snapshot has no such time). */
  stoppedSince?: number;
}

const secs = (ms: number) => Math.floor(ms / 1000);

function serviceOf(cfg: Config, watch: string, service: string): Service | undefined {
  return cfg.watches.find((w) => w.name === watch)?.services.find((s) => s.name === service);
}

function opstatusLines(ctx: ListContext, snap: StatusSnapshot, keep: (watch: string, service: string, opstatus: number) => boolean): string[] {
  const cfg = ctx.runtime.config();
  const out: string[] = [];
  for (const w of snap.watches) {
    for (const v of w.services) if (keep(v.watch, v.service, v.opstatus)) out.push(opstatusLine(v, serviceOf(cfg, v.watch, v.service), ctx.now()));
  }
  return out;
}

/** mon's alert history TYPE: the dispatcher stores mon's words (core/dispatch/history-type.ts). */
function alertType(r: HistoryRecord): string {
  return /alert$/.test(r.type) ? r.type : 'alert';
}

export function listCommand(args: string, ctx: ListContext): string[] {
  const [sub = '', ...restWords] = args.split(/\s+/).filter(Boolean);
  const rest = restWords.join(' ');
  const rt = ctx.runtime;
  const snap = () => rt.status();
  switch (sub) {
    case 'opstatus': {
      const s = snap();
      if (!rest) return [...opstatusLines(ctx, s, () => true), '220 list opstatus completed'];
      const wanted: Array<[string, string]> = [];
      for (const gs of rest.split(/\s+/)) {
        const [g = '', sv = ''] = gs.split(',');
        if (sv !== '' && !s.watches.some((w) => w.watch === g && w.services.some((x) => x.service === sv))) return [`520 ${g},${sv} does not exist`];
        wanted.push([g, sv]);
      }
      const lines = wanted.flatMap(([g, sv]) => opstatusLines(ctx, s, (w, x) => w === g && (sv === '' || x === sv)));
      return [...lines, '220 list opstatus completed'];
    }
    case 'failures':
      return [...opstatusLines(ctx, snap(), (_w, _s, o) => FAILURE_STATES.has(o)), '220 list failures completed'];
    case 'successes':
      return [...opstatusLines(ctx, snap(), (_w, _s, o) => SUCCESS_STATES.has(o)), '220 list successes completed'];
    case 'warnings':
      // mon answers "list successes completed" here too (its BUG); clients only look at the 220.
      return [...opstatusLines(ctx, snap(), (_w, _s, o) => WARNING_STATES.has(o)), '220 list successes completed'];
    case 'disabled': {
      const s = snap();
      const disabled = new Set(s.disabledHosts);
      const out: string[] = [];
      for (const [g, hosts] of Object.entries(rt.config().hostgroups)) {
        const d = hosts.filter((h) => disabled.has(h));
        if (d.length) out.push(`group ${g}: ${d.join(' ')}`);
      }
      for (const w of s.watches) {
        if (w.disabled) out.push(`watch ${w.watch}`);
        for (const v of w.services) if (v.disabled) out.push(`watch ${w.watch} service ${v.service}`);
      }
      return [...out, '220 list disabled completed'];
    }
    case 'watch':
      return [...snap().watches.flatMap((w) => w.services.map((v) => `${w.watch} ${v.service}`)), '220 list watch completed'];
    case 'descriptions':
      return [...snap().watches.flatMap((w) => w.services.map((v) => `${w.watch} ${v.service} ${escStr(v.description, true)}`)), '220 list descriptions completed'];
    case 'group': {
      const hosts = rt.config().hostgroups[rest];
      if (!hosts) return ['520 list group error, undefined group'];
      const disabled = new Set(snap().disabledHosts);
      return [`hostgroup ${rest} ${hosts.map((h) => (disabled.has(h) ? `*${h}` : h)).join(' ')}`, '220 list group completed'];
    }
    case 'pids':
      // vigil runs checks in-process or as short-lived children it does not expose; only the server line is certain.
      return [`server ${process.pid}`, '220 list pids completed'];
    case 'state': {
      const s = snap();
      return [s.schedulerRunning ? 'scheduler running' : `scheduler stopped since ${secs(ctx.stoppedSince ?? s.now)}`, '220 list state completed'];
    }
    case 'alerthist':
      return [
        ...history(ctx, 'alert').map((r) => {
          const { path, args } = alertCall(rt.config(), r);
          return escStr(`${alertType(r)} ${r.watch} ${r.service} ${secs(r.at)} ${path} (${args}) ${r.summary}`);
        }),
        '220 list alerthist completed',
      ];
    case 'failurehist':
      return [...history(ctx, 'failure').map((r) => escStr(`${r.watch} ${r.service} ${secs(r.at)} ${r.summary}`)), '220 list failurehist completed'];
    case 'deps': {
      const out: string[] = [];
      for (const w of rt.config().watches) {
        for (const s of w.services) {
          out.push(s.depend ? `exp ${w.name} ${s.name} '${escStr(s.depend, true)}'` : `exp ${w.name} ${s.name} 'NONE'`);
          const terms = s.depend?.match(/[a-zA-Z0-9_.-]+:[a-zA-Z0-9_.-]+/g) ?? [];
          out.push(`cmp ${w.name} ${s.name} ${terms.length ? terms.join(' ') : 'NONE'}`);
        }
      }
      return [...out, '220 list deps completed'];
    }
    case 'dtlog':
      return ['520 list dtlog error, dtlogging is not turned on'];
    case 'aliases':
      return ['220 list aliases completed'];
    case 'aliasgroups':
      return ['220 list aliasgroups completed'];
    case 'views':
      return ['views ', '220 list group completed'];
    default:
      return ['520 unknown list command'];
  }
}

/**
 * ALERTPATH and ARGS of mon's alerthist line: the record's target id is
 * `watch/service/PERIODKEY/LIST/INDEX`; for a script alert that is the script
 * (found in its alertdir, as mon prints the full path) and its arguments.
 */
function alertCall(cfg: Config, r: HistoryRecord): { path: string; args: string } {
  const fallback = { path: r.plugin ?? '-', args: r.args ?? '' };
  const prefix = `${r.watch}/${r.service}/`;
  const m = r.args?.startsWith(prefix) ? /^(.*)\/(\w+)\/(\d+)$/.exec(r.args.slice(prefix.length)) : null;
  if (!m) return fallback;
  const period = serviceOf(cfg, r.watch, r.service)?.periods.find((p) => p.key === m[1]);
  const list = period?.[m[2] as 'alerts' | 'upalerts' | 'startupalerts' | 'ackalerts' | 'disablealerts'];
  const ref = Array.isArray(list) ? list[Number(m[3])] : undefined;
  if (!ref) return fallback;
  if (ref.plugin !== 'script') return { path: ref.plugin, args: '' };
  const name = String(ref.options.path);
  const dirs = typeof ref.options.alertdir === 'string' ? ref.options.alertdir.split(':') : [];
  const path = findProgram(name, dirs, cfg.dir) ?? name;
  return { path, args: ((ref.options.args as string[] | undefined) ?? []).join(' ') };
}

/** Oldest first, at most histlength + 1 entries, as mon keeps them. */
function history(ctx: ListContext, kind: 'alert' | 'failure'): HistoryRecord[] {
  const recs = ctx.runtime.history({ kind, limit: ctx.histlength + 1 });
  return [...recs].sort((a, b) => a.at - b.at).slice(-(ctx.histlength + 1));
}
