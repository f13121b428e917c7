/**
 * @fileoverview The engine's use of the store, made fault-tolerant: if the store
 * cannot be opened or written (read-only or full disk, corrupt file), vigil says
 * so clearly and keeps monitoring; losing history never stops the checks.
 */
import type { Logger } from '../types.ts';
import type { Config } from '../model.ts';
import type { HistoryQuery, HistoryRecord, OutboxEntry } from '../runtime.ts';
import { StoreError, openStore, storeOptionsFromConfig, type Store } from '../store.ts';
import { errorMessage } from '../errors.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EngineOperatorState {
  disabledHosts: string[];
  disabledWatches: string[];
  /** `watch/service` ids. */
  disabledServices: string[];
}

/** An operator's drain (`vigil drain`): the host and when the wait for its connections ends (ms). */
export interface SavedDrain {
  host: string;
  deadline: number;
}

export interface Persistence {
  /** The durable store, or a throw-away one in a temp directory when that cannot be had. */
  store: Store;
  loadServiceStates(): Record<string, unknown>;
  saveServiceStates(states: Record<string, unknown>, opts?: { partial?: boolean }): void;
  /** What operators switched off, and the drains they asked for, in one read. */
  loadOperatorState(): EngineOperatorState & { drains: SavedDrain[] };
  saveOperatorState(s: EngineOperatorState): void;
  /** Records a drain (undefined deadline: it ended). */
  saveDrain(host: string, deadline: number | undefined): void;
  appendHistory(rec: HistoryRecord): void;
  history(q: HistoryQuery): HistoryRecord[];
  outbox(q: { state?: OutboxEntry['state']; limit?: number }): OutboxEntry[];
  close(): void;
}

/** A store in a fresh temp directory, removed on close: same code, no durability. */
function volatileStore(): { store: Store; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-volatile-'));
  return { store: openStore(dir), dir };
}

export function openPersistence(cfg: Config, log: Logger, opts: { volatile?: boolean } = {}): Persistence {
  let store: Store | undefined;
  let tempDir: string | undefined;
  if (!opts.volatile) {
    try {
      store = openStore(cfg.stateDir, storeOptionsFromConfig(cfg.extra, cfg.file));
    } catch (err) {
      // Another vigil owns this state directory: running beside it would send every alert twice.
      if (err instanceof StoreError && err.problem === 'locked') throw err;
      log.error(
        { stateDir: cfg.stateDir, err: errorMessage(err) },
        'cannot open the state store; monitoring goes on, but alert retries, history and disabled/ack state will not survive a restart until this is fixed',
      );
    }
  }
  if (!store) ({ store, dir: tempDir } = volatileStore());
  let lastWriteError = 0;
  const guard = <T>(what: string, fallback: T, fn: (s: Store) => T): T => {
    try {
      return fn(store!);
    } catch (err) {
      const now = Date.now();
      if (now - lastWriteError > 60_000) {
        lastWriteError = now;
        log.error({ stateDir: cfg.stateDir, err: errorMessage(err) }, `state store: cannot ${what}; monitoring goes on`);
      }
      return fallback;
    }
  };
  return {
    store,
    loadServiceStates: () => guard('load service state', {}, (s) => s.loadServiceStates()),
    saveServiceStates: (states, opts) => guard('save service state', undefined, (s) => s.saveServiceStates(states, opts)),
    loadOperatorState: () =>
      guard('load disabled/ack state and drains', { disabledHosts: [], disabledWatches: [], disabledServices: [], drains: [] }, (s) => {
        const o = s.getOperatorState();
        return {
          disabledHosts: o.disabledHosts,
          disabledWatches: o.disabledWatches,
          disabledServices: o.disabledServices.map((x) => `${x.watch}/${x.service}`),
          drains: o.drains,
        };
      }),
    saveOperatorState: (o) =>
      guard('save disabled state', undefined, (s) => {
        const cur = s.getOperatorState();
        s.setOperatorState({
          ...cur,
          disabledHosts: o.disabledHosts,
          disabledWatches: o.disabledWatches,
          disabledServices: o.disabledServices.map((id) => {
            const i = id.indexOf('/');
            return { watch: id.slice(0, i), service: id.slice(i + 1) };
          }),
        });
      }),
    saveDrain: (host, deadline) => guard('save a drain', undefined, (s) => s.setDrain(host, deadline)),
    appendHistory: (rec) => guard('write history', undefined, (s) => s.appendHistory(rec)),
    history: (q) => guard('read history', [], (s) => s.history(q)),
    outbox: (q) => guard('read the outbox', [], (s) => s.list(q)),
    close: () => {
      guard('close', undefined, (s) => s.close());
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
