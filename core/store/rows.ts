/**
 * @fileoverview Row shapes of the SQLite tables and their mapping to the runtime types.
 */
import type { AlertEvent } from '../types.ts';
import type { HistoryRecord, OutboxEntry } from '../runtime.ts';
import type { NewDelivery, PendingDelivery } from '../store.ts';

export interface HistoryRow {
  id: string;
  kind: HistoryRecord['kind'];
  at: number;
  watch: string;
  service: string;
  type: string;
  host: string | null;
  summary: string;
  detail: string | null;
  plugin: string | null;
  args: string | null;
}

export interface OutboxRow {
  id: string;
  event_id: string;
  target: string;
  plugin: string;
  watch: string;
  service: string;
  type: string;
  state: OutboxEntry['state'];
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
  event: string;
}

export function historyFromRow(r: HistoryRow): HistoryRecord {
  const rec: HistoryRecord = { id: r.id, kind: r.kind, at: r.at, watch: r.watch, service: r.service, type: r.type, summary: r.summary };
  if (r.host !== null) rec.host = r.host;
  if (r.detail !== null) rec.detail = r.detail;
  if (r.plugin !== null) rec.plugin = r.plugin;
  if (r.args !== null) rec.args = r.args;
  return rec;
}

export function outboxFromRow(r: OutboxRow): OutboxEntry {
  const e: OutboxEntry = {
    id: r.id,
    eventId: r.event_id,
    target: r.target,
    plugin: r.plugin,
    watch: r.watch,
    service: r.service,
    type: r.type,
    state: r.state,
    attempts: r.attempts,
    createdAt: r.created_at,
  };
  if (r.next_attempt_at !== null) e.nextAttemptAt = r.next_attempt_at;
  if (r.last_error !== null) e.lastError = r.last_error;
  if (r.state === 'delivered' && r.finished_at !== null) e.deliveredAt = r.finished_at;
  return e;
}

export function pendingFromRow(r: OutboxRow): PendingDelivery {
  return { ...outboxFromRow(r), event: JSON.parse(r.event) as AlertEvent };
}

/**
 * The pending delivery of a row just written: built from what was written, not read
 * back and parsed (20,000 host-up events at start were 20,000 parsed copies).
 * The event object is shared with the caller and the other targets of the event.
 */
export function pendingFromNew(d: NewDelivery): PendingDelivery {
  return {
    id: d.id,
    eventId: d.event.id,
    target: d.target,
    plugin: d.plugin,
    watch: d.event.watch,
    service: d.event.service,
    type: d.event.type,
    state: 'pending',
    attempts: 0,
    createdAt: d.createdAt,
    event: d.event,
  };
}
