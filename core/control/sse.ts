/**
 * @fileoverview GET /api/events: server-sent events for the status page.
 * `status` carries a full StatusSnapshot (sent on connect and, throttled, after
 * every state change); `event` carries one state-machine event as it happens.
 * Also keeps the last events in memory for the page's "recent events" list.
 *
 * A snapshot grows with the hosts: 4.4 MB at 20,000, and services finish many
 * times a second. Sent every 250 ms, one open page cost vigil ten times its CPU
 * and 14 MB/s. So status frames are spaced by their own cost as well: at most
 * 2% of the time spent building them and 1 MB/s per page. A page that has not
 * read the last frame yet is skipped, so a slow reader cannot pile up memory.
 */
import { performance } from 'node:perf_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertEvent } from '../types.ts';
import type { StatusSnapshot } from '../runtime.ts';

/** What the page shows of an event (no env, no output blob). */
export interface RecentEvent {
  id: string;
  type: string;
  watch: string;
  service: string;
  host?: string;
  summary: string;
  at: number;
  failedHosts: string[];
  comment?: string;
  test?: boolean;
}

export interface SseSource {
  status(): StatusSnapshot;
  on(name: 'event', fn: (e: AlertEvent) => void): () => void;
  on(name: 'state', fn: () => void): () => void;
}

export interface SseHub {
  handle(req: IncomingMessage, res: ServerResponse): void;
  recent(): RecentEvent[];
  clients(): number;
  close(): void;
}

export function toRecent(e: AlertEvent): RecentEvent {
  return {
    id: e.id,
    type: e.type,
    watch: e.watch,
    service: e.service,
    host: e.host,
    summary: e.result?.summary ?? e.summary,
    at: e.at,
    failedHosts: e.failedHosts,
    comment: e.comment,
    test: e.test,
  };
}

/** Status frames take at most this share of the time to build... */
export const STATUS_CPU_SHARE = 0.02;
/** ...and at most this many bytes a second per page. */
export const STATUS_BYTES_PER_S = 1024 * 1024;
/** A page is never left more than this without a status frame while things change. */
export const STATUS_MAX_SPACING_MS = 10_000;

/** Least time between two status frames, from the last one's size and build time. */
export function statusSpacingMs(frameBytes: number, buildMs: number, throttleMs: number): number {
  const spacing = Math.max(throttleMs, buildMs / STATUS_CPU_SHARE, (frameBytes / STATUS_BYTES_PER_S) * 1000);
  return Math.min(Math.max(throttleMs, STATUS_MAX_SPACING_MS), spacing);
}

/** One SSE frame; data lines split so a newline in the payload cannot end the frame. */
export function frame(event: string, data: unknown): string {
  const json = JSON.stringify(data);
  return `event: ${event}\n${json.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`;
}

export function createSseHub(src: SseSource, opts: { keep?: number; throttleMs?: number; heartbeatMs?: number } = {}): SseHub {
  const keep = opts.keep ?? 100;
  const throttleMs = opts.throttleMs ?? 250;
  const clients = new Set<ServerResponse>();
  const recent: RecentEvent[] = [];
  let pending: NodeJS.Timeout | undefined;
  let nextStatusAt = 0;

  const broadcast = (text: string) => {
    for (const res of clients) res.write(text);
  };
  const sendStatus = () => {
    pending = undefined;
    if (!clients.size) return;
    const t0 = performance.now();
    const text = frame('status', src.status());
    // The next snapshot supersedes this one: a page still reading the last keeps its place in line.
    for (const res of clients) if (!res.writableNeedDrain) res.write(text);
    const now = performance.now();
    nextStatusAt = now + statusSpacingMs(text.length, now - t0, throttleMs);
  };
  const offState = src.on('state', () => {
    // No page open, no timer: a page gets a full status when it connects. Every run's
    // start and end change the state; that was a timer up to 4 times a second for nobody.
    if (!pending && clients.size) pending = setTimeout(sendStatus, Math.max(throttleMs, nextStatusAt - performance.now()));
  });
  const offEvent = src.on('event', (e) => {
    const r = toRecent(e);
    recent.push(r);
    if (recent.length > keep) recent.splice(0, recent.length - keep);
    // No JSON for nobody: at start, 20,000 host-up events with no page open.
    if (clients.size) broadcast(frame('event', r));
  });
  // A comment line every so often keeps proxies and idle timeouts from closing the stream.
  const heartbeat = setInterval(() => broadcast(': keep-alive\n\n'), opts.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    handle(req, res) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n\n');
      res.write(frame('status', src.status()));
      clients.add(res);
      const drop = () => clients.delete(res);
      req.on('close', drop);
      res.on('error', drop);
    },
    recent: () => [...recent],
    clients: () => clients.size,
    close() {
      offState();
      offEvent();
      clearTimeout(pending);
      clearInterval(heartbeat);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
