/**
 * @fileoverview mon's dependencies evaluated against the running services:
 * a `group:service` term is OK when that service is not failing (untested counts
 * as OK, as in mon), AND-ed with that service's own dependency of the same kind.
 * Parsing is core/depend.ts (no eval); this file only looks the terms up.
 */
import { dependFor, evalDepend, parseDepend, rememberedOk, type ParsedDepend } from '../depend.ts';
import { serviceId } from '../model.ts';
import type { ServiceRuntime } from './engine.ts';

export type DependKind = 'alert' | 'monitor' | 'host';

/** mon's dep_recur_limit. */
const RECURSION_LIMIT = 10;
const WHAT = { alert: 'alerts', monitor: 'monitor', host: 'hosts' } as const;

interface Services {
  services: Map<string, ServiceRuntime>;
  now(): number;
}

const parsed = new Map<string, ParsedDepend>();
function parse(expr: string): ParsedDepend {
  let p = parsed.get(expr);
  if (!p) {
    p = parseDepend(expr);
    parsed.set(expr, p);
  }
  return p;
}

function termService(e: Services, term: string): ServiceRuntime | undefined {
  const i = term.indexOf(':');
  return e.services.get(serviceId(term.slice(0, i), term.slice(i + 1)));
}

function okRec(e: Services, svc: ServiceRuntime, kind: DependKind, depth: number): boolean {
  if (depth > RECURSION_LIMIT) return true;
  return dependFor(svc.model, WHAT[kind]).every((expr) =>
    evalDepend(parse(expr).ast, (term) => {
      const parent = termService(e, term);
      if (!parent) return true;
      const okNow = parent.state.status !== 'fail';
      return rememberedOk(okNow, parent.state.lastFailure, svc.model.depMemoryMs, e.now()) && okRec(e, parent, kind, depth + 1);
    }),
  );
}

export function hasDepend(svc: ServiceRuntime, kind: DependKind): boolean {
  return dependFor(svc.model, WHAT[kind]).length > 0;
}

export function dependencyView(e: Services, svc: ServiceRuntime, kind: DependKind): { ok: boolean; failingSummaries: string[] } {
  const exprs = dependFor(svc.model, WHAT[kind]);
  if (exprs.length === 0) return { ok: true, failingSummaries: [] };
  const ok = okRec(e, svc, kind, 0);
  const failingSummaries: string[] = [];
  if (kind === 'host') {
    for (const expr of exprs) {
      for (const term of parse(expr).terms) {
        const parent = termService(e, term);
        if (parent && parent.state.status === 'fail') failingSummaries.push(parent.state.summary);
      }
    }
  }
  return { ok, failingSummaries };
}
