// Status page: the lvs alert's view under a service (one line per virtual service)
// and, with actions unlocked, Drain / Undrain per real server.
import { el } from './dom.js';

export function lvsLines(s) {
  const lines = [];
  for (const a of s.alertStates || []) {
    if (a.plugin !== 'lvs' || !Array.isArray(a.state)) continue;
    for (const v of a.state) {
      if (!v || typeof v.service !== 'string' || !Array.isArray(v.servers)) continue;
      const head = `${v.service}${v.scheduler ? ` ${v.scheduler}` : ''}`;
      if (v.present === false) {
        lines.push(`${head} — not in the IPVS table`);
        continue;
      }
      const text = (r) => {
        const notes = [r.pool === 'in' && r.weight !== undefined ? `w${r.weight}` : '', r.sorry ? 'sorry server' : '', r.drain || ''].filter(Boolean);
        return notes.length ? `${r.server} (${notes.join(', ')})` : r.server;
      };
      const parts = ['in', 'quiescent', 'out']
        .map((pool) => [pool, v.servers.filter((r) => r.pool === pool && !(pool === 'out' && r.sorry))])
        .filter(([, list]) => list.length)
        .map(([pool, list]) => `${pool}: ${list.map(text).join(', ')}`);
      lines.push(`${head} — ${parts.length ? parts.join('; ') : 'no real servers'}`);
    }
  }
  return lines;
}

/** Drain / Undrain per real server an lvs alert of the service manages; the caller shows them only with actions unlocked. */
export function drainButtons(s, act) {
  const hosts = new Map(); // host -> its drain phase, if any
  for (const a of s.alertStates || []) {
    if (a.plugin !== 'lvs' || !Array.isArray(a.state)) continue;
    for (const v of a.state) {
      for (const r of v && Array.isArray(v.servers) ? v.servers : []) {
        if (typeof r.host === 'string' && !r.sorry) hosts.set(r.host, hosts.get(r.host) || r.drain);
      }
    }
  }
  if (!hosts.size) return null;
  const button = ([h, phase]) =>
    phase
      ? el('button.small.ghost', { type: 'button', dataset: { action: 'undrain', host: h }, onclick: () => act(`Undrained ${h}: health decides again`, 'POST', `/api/hosts/${encodeURIComponent(h)}/undrain`, {}) }, `Undrain ${h}`)
      : el(
          'button.small.ghost',
          {
            type: 'button',
            dataset: { action: 'drain', host: h },
            onclick: () => {
              if (confirm(`Drain ${h}? Weight 0 now in every virtual service that has it, removed once its connections close (at most 5 minutes), out until you undrain it.`)) {
                act(`Draining ${h}: weight 0, removed when its connections close`, 'POST', `/api/hosts/${encodeURIComponent(h)}/drain`, {});
              }
            },
          },
          `Drain ${h}`,
        );
  return el('div.drains', {}, [...hosts].map(button));
}
