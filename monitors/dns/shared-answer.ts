/**
 * @fileoverview One answer shared by every host check of the same run (soa-sync's
 * master SOA): the host checks of a group start together, so a ~1 s lifetime means one
 * master query per run instead of one per host.
 */
import { performance } from 'node:perf_hooks';

export class SharedAnswer<T> {
  private entry?: { at: number; value: Promise<T> };

  constructor(private readonly ttlMs = 1000) {}

  /** The cached result (or failure) when younger than the lifetime, else a fresh `fetch()`. */
  get(fetch: () => Promise<T>): Promise<T> {
    const now = performance.now();
    if (this.entry && now - this.entry.at < this.ttlMs) return this.entry.value;
    const value = fetch();
    value.catch(() => {}); // each caller gets the failure; it is never unhandled here
    this.entry = { at: now, value };
    return value;
  }
}
