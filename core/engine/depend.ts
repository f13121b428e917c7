/**
 * @fileoverview mon's dependencies evaluated against the running services:
 * a `group:service` term is OK when that service is not failing (untested counts
 * as OK, as in mon), AND-ed with that service's own dependency of the same kind.
 */
import { evalDepend, parseDepend } from '../depend.ts';
import { serviceId } from '../model.ts';
import type { ServiceRuntime } from './engine.ts';

export type DependKind = 'alert' | 'monitor' | 'host';

/** mon's dep_recur_limit. */
const RECURSION_LIMIT = 10;

interface Services {
  services: Map<string, ServiceRuntime>;
}

function exprOf(svc: ServiceRuntime, kind: DependKind): string | undefined {
  const s = svc.model;
  if (kind === 'alert') return s.alertdepend ?? (s.depBehavior === 'a' ? s.depend : undefined);
  if (kind === 'monitor') return s.monitordepend ?? (s.depBehavior === 'm' ? s.depend : undefined);
  return s.hostdepend ?? (s.depBehavior === 'hm' ? s.depend : undefined);
}

function termService(e: Services, term: string): ServiceRuntime | undefined {
  const i = term.indexOf(':');
  return e.services.get(serviceId(term.slice(0, i), term.slice(i + 1)));
}

function okRec(e: Services, svc: ServiceRuntime, kind: DependKind, depth: number): boolean {
  const expr = exprOf(svc, kind);
  if (!expr || depth > RECURSION_LIMIT) return true;
  const ast = parseDepend(expr);
  return evalDepend(ast, (term) => {
    const parent = termService(e, term);
    if (!parent) return true;
    return parent.state.status !== 'fail' && okRec(e, parent, kind, depth + 1);
  });
}

export function dependencyView(e: Services, svc: ServiceRuntime, kind: DependKind): { ok: boolean; failingSummaries: string[] } {
  const expr = exprOf(svc, kind);
  if (!expr) return { ok: true, failingSummaries: [] };
  const ok = okRec(e, svc, kind, 0);
  const failingSummaries: string[] = [];
  if (kind === 'host') {
    for (const term of parseDepend(expr).terms) {
      const parent = termService(e, term);
      if (parent && parent.state.status === 'fail') failingSummaries.push(parent.state.summary);
    }
  }
  return { ok, failingSummaries };
}
