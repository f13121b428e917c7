/**
 * @fileoverview `vigil history -c FILE`: recent alerts, failures and events from
 * the store, and the alert deliveries still pending or given up. Reads the store
 * read-only, so it is safe beside a running daemon.
 */
import { resolve } from 'node:path';
import { Registry } from '../registry.ts';
import { loadEngineConfig } from '../engine/load.ts';
import { ConfigError, VigilError, errorMessage } from '../errors.ts';
import { parseDuration } from '../duration.ts';
import { openStore, storeOptionsFromConfig, type Store } from '../store.ts';
import type { HistoryQuery, HistoryRecord, OutboxEntry } from '../runtime.ts';
import { parse, UsageError, withUsage } from './args.ts';
import { formatDeliveries, formatHistory } from './history-format.ts';

const USAGE = `Usage: vigil history -c FILE [--watch W] [--service S] [--since 1h] [--kind alert|failure|event]
                     [--deliveries] [--limit N] [--json]
       vigil history --state-dir DIR ...

Shows what happened, oldest first: alerts sent (mon's alerthist), failures
(mon's failurehist) and host events, then any alert deliveries still pending or
given up. --deliveries lists every delivery in the outbox instead (pending,
delivered, given-up) with its attempts and last error.

  --watch W, --service S   only this watch / service (--service W/S also works)
  --since T                from T ago (30m, 1h, 2d) or from a date (2026-11-26T03:00)
  --kind K                 only alert, failure or event records
  --limit N                at most N lines (the newest), default 50
  --json                   machine-readable output
  --state-dir DIR          read DIR/vigil.db without loading the config`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  'state-dir': { type: 'string' },
  watch: { type: 'string', short: 'w' },
  service: { type: 'string', short: 's' },
  since: { type: 'string' },
  kind: { type: 'string' },
  limit: { type: 'string', short: 'n' },
  deliveries: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export interface HistoryFilter {
  watch?: string;
  service?: string;
  since?: number;
  kind?: HistoryRecord['kind'];
  limit: number;
}

/** Turns the command-line values into a filter; throws UsageError for nonsense. */
export function historyFilter(v: Record<string, string | boolean | undefined>, now: number): HistoryFilter {
  const f: HistoryFilter = { limit: 50 };
  if (typeof v.watch === 'string') f.watch = v.watch;
  if (typeof v.service === 'string') {
    const slash = v.service.indexOf('/');
    if (slash > 0 && !f.watch) {
      f.watch = v.service.slice(0, slash);
      f.service = v.service.slice(slash + 1);
    } else f.service = v.service;
  }
  if (typeof v.since === 'string') {
    const ago = parseDuration(v.since);
    const date = Date.parse(v.since);
    if (ago !== undefined) f.since = now - ago;
    else if (!Number.isNaN(date)) f.since = date;
    else throw new UsageError(`--since ${v.since}: give a duration (30m, 1h, 2d) or a date (2026-11-26T03:00)`);
  }
  if (typeof v.kind === 'string') {
    if (!['alert', 'failure', 'event'].includes(v.kind)) throw new UsageError(`--kind ${v.kind}: use alert, failure or event`);
    f.kind = v.kind as HistoryRecord['kind'];
  }
  if (typeof v.limit === 'string') {
    const n = Number(v.limit);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit ${v.limit}: give a whole number of at least 1`);
    f.limit = n;
  }
  return f;
}

export function historyCommand(argv: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parse(argv, OPTIONS, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const filter = historyFilter(values, Date.now());
    let store: Store;
    try {
      store = await openFor(values);
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(`vigil history: the config has problems:\n${err.message}\n(use --state-dir DIR to read the store without it)`);
        return 1;
      }
      if (err instanceof VigilError) {
        console.error(`vigil history: ${err.message}`);
        return 1;
      }
      throw err;
    }
    try {
      const { history, deliveries } = query(store, filter, !!values.deliveries);
      if (values.json) {
        console.log(JSON.stringify({ store: store.file, history, deliveries }, null, 2));
      } else {
        if (!values.deliveries) for (const l of formatHistory(history)) console.log(l);
        if (values.deliveries || deliveries.length) {
          if (!values.deliveries) console.log('\nAlert deliveries pending or given up:');
          for (const l of formatDeliveries(deliveries)) console.log(l);
        }
      }
      return 0;
    } catch (err) {
      console.error(`vigil history: ${errorMessage(err)}`);
      return 1;
    } finally {
      store.close();
    }
  });
}

async function openFor(values: { config?: string; 'state-dir'?: string }): Promise<Store> {
  if (values['state-dir']) return openStore(resolve(values['state-dir']), { readonly: true });
  if (!values.config) throw new UsageError(`which config? Give it with -c FILE (or --state-dir DIR)\n\n${USAGE}`);
  const cfg = await loadEngineConfig(values.config, new Registry());
  return openStore(cfg.stateDir, { ...storeOptionsFromConfig(cfg.extra, cfg.file), readonly: true });
}

/** History records and the deliveries to show: all of them with --deliveries, else those not delivered. */
export function query(store: Store, f: HistoryFilter, allDeliveries: boolean): { history: HistoryRecord[]; deliveries: OutboxEntry[] } {
  const hq: HistoryQuery = { limit: f.limit };
  if (f.watch) hq.watch = f.watch;
  if (f.service) hq.service = f.service;
  if (f.since !== undefined) hq.since = f.since;
  if (f.kind) hq.kind = f.kind;
  const history = allDeliveries ? [] : store.history(hq);
  const base = { watch: f.watch, service: f.service, since: f.since, limit: f.limit };
  const deliveries = allDeliveries
    ? store.list(base)
    : [...store.list({ ...base, state: 'pending' }), ...store.list({ ...base, state: 'given-up' })];
  // Oldest first, like the history.
  deliveries.sort((a, b) => a.createdAt - b.createdAt);
  return { history, deliveries };
}
