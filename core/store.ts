/**
 * @fileoverview The durable store: history, the alert outbox, operator state and
 * persisted service state, behind one interface so another backend (Redis/etcd
 * for a fleet) can come later. `openStore` gives the SQLite backend.
 */
import type { AlertEvent } from './types.ts';
import type { HistoryQuery, HistoryRecord, OutboxEntry } from './runtime.ts';

export { openStore, STORE_FILE } from './store/sqlite-store.ts';
export { StoreError } from './store/store-error.ts';
export { storeOptionsFromConfig, storeConfigSchema, DEFAULT_RETENTION_MS, DEFAULT_MAX_HISTORY } from './store/store-options.ts';
export type { StoreOptions } from './store/store-options.ts';

/** A delivery to write to the outbox. `id` is stable: see `deliveryId`. */
export interface NewDelivery {
  id: string;
  target: string;
  plugin: string;
  event: AlertEvent;
  createdAt: number;
}

/** An outbox row together with the event it carries, so a restart can resend it. */
export interface PendingDelivery extends OutboxEntry {
  event: AlertEvent;
}

export interface OutboxQuery {
  state?: OutboxEntry['state'];
  watch?: string;
  service?: string;
  since?: number;
  limit?: number;
}

/** An operator's acknowledgement of a failing service (mon's `ack`). */
export interface Ack {
  watch: string;
  service: string;
  comment: string;
  user?: string;
  at: number;
}

/** What operators switched off or acknowledged; survives restarts. */
export interface OperatorState {
  disabledHosts: string[];
  disabledWatches: string[];
  disabledServices: Array<{ watch: string; service: string }>;
  acks: Ack[];
  /** Hosts drained by an operator (`vigil drain`), with when the wait for their connections ends (ms). */
  drains: Array<{ host: string; deadline: number }>;
}

export interface Store {
  /** Absolute path of the backing file (for messages). */
  readonly file: string;

  /** Append one history record; a record whose id is already stored is ignored. */
  appendHistory(rec: HistoryRecord): void;
  /** Matching records, oldest first; the newest `limit` (default 100) of them. */
  history(q: HistoryQuery): HistoryRecord[];
  /** Apply retention now (also runs on its own every `pruneIntervalMs`). */
  prune(): { history: number; outbox: number };

  /**
   * Write deliveries to the outbox in one transaction, durably, before any is
   * attempted. Returns those that were new: an id already present (a restart
   * re-emitting the same event) is not written again.
   */
  enqueue(deliveries: NewDelivery[]): PendingDelivery[];
  /**
   * Run `fn`, whose writes through this store become one atomic commit: one
   * disk sync for all of them (a burst of delivery outcomes, say). If `fn`
   * throws, none of its writes are kept and the error is rethrown. A call
   * inside another joins the outer commit.
   */
  transaction<T>(fn: () => T): T;
  /** Delivered; `record` (its alert-history line) is written in the same transaction: one disk sync, not two. */
  markDelivered(id: string, at: number, record?: HistoryRecord): void;
  /** One more failed attempt; the delivery stays pending until `nextAttemptAt`. */
  markFailed(id: string, nextAttemptAt: number, error: string): void;
  /** No more attempts. `attempted` (default true) counts this as one more attempt. */
  markGivenUp(id: string, at: number, error: string, attempted?: boolean): void;
  /** Every pending delivery, in enqueue order. */
  pending(): PendingDelivery[];
  /** Outbox rows, newest first. */
  list(q: OutboxQuery): OutboxEntry[];

  getOperatorState(): OperatorState;
  /** Replace the whole operator state. */
  setOperatorState(s: OperatorState): void;
  /** `key` is the host, the watch, or `watch/service`. */
  setDisabled(kind: 'host' | 'watch' | 'service', key: string, disabled: boolean): void;
  setAck(ack: Ack): void;
  clearAck(watch: string, service: string): void;
  /** Records an operator's drain of `host` (undefined: the drain ended). */
  setDrain(host: string, deadline: number | undefined): void;

  /**
   * Save service states (id = `watch/service`, value opaque JSON-serialisable). By
   * default `states` is every service and the rows of the others are deleted; with
   * `partial` only the given ones are written and the rest is left alone.
   */
  saveServiceStates(states: Record<string, unknown>, opts?: { partial?: boolean }): void;
  loadServiceStates(): Record<string, unknown>;

  close(): void;
}

/** Stable id of one delivery: the event's id and the alert target, so a restart never sends it twice. */
export function deliveryId(eventId: string, target: string): string {
  return `${eventId}#${target}`;
}
