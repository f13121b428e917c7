/**
 * @fileoverview How a delivered event appears in the alert history: mon's
 * `list alerthist` TYPE words for service events, the event type for host events.
 */
import type { AlertEvent } from '../types.ts';
import type { HistoryRecord } from '../runtime.ts';

/** mon's alerthist TYPE (`alert`, `upalert`, `trapalert`...). */
export function alertHistoryType(e: AlertEvent): string {
  switch (e.type) {
    case 'down':
    case 'still-down':
      return e.source === 'trap' ? 'trapalert' : e.source === 'traptimeout' ? 'traptimeoutalert' : 'alert';
    case 'up':
      return 'upalert';
    case 'startup':
      return 'startupalert';
    case 'ack':
      return 'ackalert';
    case 'disable':
      return 'disablealert';
    default:
      return e.type;
  }
}

/** The history record of one delivered event, or undefined for test alerts (mon does not log those). */
export function deliveredRecord(
  e: AlertEvent,
  d: { id: string; plugin: string; target: string },
  at: number,
): HistoryRecord | undefined {
  if (e.test || e.type === 'test') return undefined;
  const rec: HistoryRecord = {
    id: d.id,
    kind: e.type.startsWith('host-') ? 'event' : 'alert',
    at,
    watch: e.watch,
    service: e.service,
    type: alertHistoryType(e),
    summary: e.summary,
    plugin: d.plugin,
    args: d.target,
  };
  if (e.host !== undefined) rec.host = e.host;
  if (e.detail) rec.detail = e.detail;
  return rec;
}
