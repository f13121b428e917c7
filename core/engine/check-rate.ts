/**
 * @fileoverview How many checks a second a config asks for: each interval service
 * checks each of its hosts once an interval (a group-scope plugin, such as a mon
 * script, once for the group). Cron and trap-only services are left out. Sizes the
 * young generation (core/cli/young-generation.ts).
 */

export interface RatedService {
  model: { intervalMs?: number; cron?: string };
  groupHosts: readonly string[];
  plugin?: { scope?: 'host' | 'group' };
}

export function checksPerSecond(services: Iterable<RatedService>): number {
  let rate = 0;
  for (const s of services) {
    const interval = s.model.intervalMs;
    if (s.model.cron || !interval) continue;
    const checks = s.plugin?.scope === 'group' ? 1 : s.groupHosts.length;
    rate += (checks * 1000) / interval;
  }
  return rate;
}
