/**
 * @fileoverview The master's SOA serial, asked once and shared by every host's check
 * of the same run: the host checks of a group start together, so a ~1 s lifetime means
 * one master query per run instead of one per host.
 */
import { performance } from 'node:perf_hooks';

export class SerialCache {
  private entry?: { at: number; serial: Promise<number> };

  constructor(private readonly ttlMs = 1000) {}

  /** The cached serial (or failure), or a fresh `fetch()` when older than the lifetime. */
  get(fetch: () => Promise<number>): Promise<number> {
    const now = performance.now();
    if (this.entry && now - this.entry.at < this.ttlMs) return this.entry.serial;
    const serial = fetch();
    serial.catch(() => {}); // a failure is reported to each caller; never unhandled here
    this.entry = { at: now, serial };
    return serial;
  }
}
