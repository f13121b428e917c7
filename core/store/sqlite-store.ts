/**
 * @fileoverview The SQLite backend of `Store` (better-sqlite3, synchronous).
 * WAL mode with synchronous=FULL: a commit that returned is on disk, so kill -9
 * or a power cut right after `enqueue` loses no delivery.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import Database from 'better-sqlite3';
import type { HistoryQuery, HistoryRecord, OutboxEntry } from '../runtime.ts';
import type { Ack, NewDelivery, OperatorState, OutboxQuery, PendingDelivery, Store } from '../store.ts';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.ts';
import { StoreError, corruptMessage, toStoreError } from './store-error.ts';
import { lockStateDir } from './lock.ts';
import {
  DEFAULT_MAX_HISTORY,
  DEFAULT_PRUNE_INTERVAL_MS,
  DEFAULT_RETENTION_MS,
  type StoreOptions,
} from './store-options.ts';
import { historyFromRow, outboxFromRow, pendingFromNew, pendingFromRow, type HistoryRow, type OutboxRow } from './rows.ts';

export const STORE_FILE = 'vigil.db';

/**
 * SQLite's page cache, in KiB when negative. better-sqlite3 builds SQLite with
 * 16 MB (SQLite's own default is 2 MB), and the start-up burst of 20,000 host
 * events filled it: 16 MB of malloc kept for good (heaptrack: pcache1Alloc under
 * sqlite3BtreeInsert), 4 KiB a host at 5,000 hosts. The store's working set
 * (pending deliveries, recent history, service states) is far smaller; writes go
 * to the WAL either way.
 */
const PAGE_CACHE = -2048;

/** Open (creating if needed) `${stateDir}/vigil.db`. Throws StoreError when it cannot be used. */
export function openStore(stateDir: string, options: StoreOptions = {}): Store {
  const dir = resolve(stateDir);
  const file = join(dir, STORE_FILE);
  try {
    if (!options.readonly) mkdirSync(dir, { recursive: true, mode: 0o750 });
  } catch (err) {
    throw toStoreError(err, file, 'create the directory of');
  }
  if (options.readonly) return openReadonly(file, options);
  let unlock: () => void;
  try {
    unlock = lockStateDir(dir, file);
  } catch (err) {
    throw toStoreError(err, file, 'lock');
  }
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    unlock();
    throw toStoreError(err, file, 'open');
  }
  try {
    prepareFile(db, file, options.synchronous ?? 'full');
  } catch (err) {
    db.close();
    unlock();
    throw toStoreError(err, file, 'open');
  }
  return new SqliteStore(db, file, options, unlock);
}

function openReadonly(file: string, options: StoreOptions): Store {
  if (!existsSync(file)) {
    throw new StoreError('io', file, `no state store at ${file}: vigil has not run with this state_dir yet, or state_dir points elsewhere`);
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new StoreError('newer-schema', file, `state store ${file} was written by a newer vigil (schema ${version})`);
  } catch (err) {
    throw toStoreError(err, file, 'read');
  }
  return new SqliteStore(db, file, options);
}

function prepareFile(db: Database.Database, file: string, sync: 'full' | 'normal'): void {
  // A file that is not SQLite fails on the first read, here.
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      'newer-schema',
      file,
      `state store ${file} was written by a newer vigil (schema ${version}, this one knows ${SCHEMA_VERSION}). ` +
        `Run the newer vigil, or move the file aside to start with an empty store.`,
    );
  }
  const check = db.pragma('quick_check', { simple: true });
  if (check !== 'ok') throw new StoreError('corrupt', file, corruptMessage(file, `integrity check: ${String(check)}`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = ${PAGE_CACHE}`);
  db.exec(SCHEMA_SQL);
  // Always written: a store we cannot write to fails here, at start, not at the first alert.
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

function historyParams(rec: HistoryRecord) {
  return {
    id: rec.id,
    kind: rec.kind,
    at: rec.at,
    watch: rec.watch,
    service: rec.service,
    type: rec.type,
    host: rec.host ?? null,
    summary: rec.summary,
    detail: rec.detail ?? null,
    plugin: rec.plugin ?? null,
    args: rec.args ?? null,
  };
}

class SqliteStore implements Store {
  private readonly retentionMs: number;
  private readonly maxHistory: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly st: ReturnType<SqliteStore['prepareAll']>;
  /** id -> JSON of the service states on disk, once known: a save then writes only what changed. */
  /** Digest of each service state as last written: what was saved, without keeping every state's JSON (18 KB for a 100-host service) live. */
  private savedStates: Map<string, string> | undefined;

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    options: StoreOptions,
    private readonly unlock: () => void = () => {},
  ) {
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.maxHistory = options.maxHistory ?? DEFAULT_MAX_HISTORY;
    this.now = options.now ?? Date.now;
    this.st = this.prepareAll();
    if (!options.readonly) {
      this.prune();
      this.timer = setInterval(() => this.pruneQuietly(), options.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS);
      this.timer.unref();
    }
  }

  private prepareAll() {
    const db = this.db;
    return {
      addHistory: db.prepare(
        `INSERT OR IGNORE INTO history (id, kind, at, watch, service, type, host, summary, detail, plugin, args)
         VALUES (@id, @kind, @at, @watch, @service, @type, @host, @summary, @detail, @plugin, @args)`,
      ),
      addOutbox: db.prepare(
        `INSERT OR IGNORE INTO outbox (id, event_id, target, plugin, watch, service, type, created_at, event)
         VALUES (@id, @eventId, @target, @plugin, @watch, @service, @type, @createdAt, @event)`,
      ),
      delivered: db.prepare(
        `UPDATE outbox SET state = 'delivered', attempts = attempts + 1, finished_at = ?, next_attempt_at = NULL
         WHERE id = ? AND state = 'pending'`,
      ),
      failed: db.prepare(
        `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'`,
      ),
      givenUp: db.prepare(
        `UPDATE outbox SET state = 'given-up', attempts = attempts + ?, finished_at = ?, next_attempt_at = NULL,
         last_error = ? WHERE id = ? AND state = 'pending'`,
      ),
      pending: db.prepare(`SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq`),
      operator: db.prepare(`SELECT kind, key, value FROM operator`),
      setOperator: db.prepare(`INSERT OR REPLACE INTO operator (kind, key, value) VALUES (?, ?, ?)`),
      delOperator: db.prepare(`DELETE FROM operator WHERE kind = ? AND key = ?`),
      clearOperator: db.prepare(`DELETE FROM operator`),
      saveState: db.prepare(`INSERT OR REPLACE INTO service_state (id, state, saved_at) VALUES (?, ?, ?)`),
      delState: db.prepare(`DELETE FROM service_state WHERE id = ?`),
      clearStates: db.prepare(`DELETE FROM service_state`),
      loadStates: db.prepare(`SELECT id, state FROM service_state`),
      pruneHistoryAge: db.prepare(`DELETE FROM history WHERE at < ?`),
      pruneHistoryCount: db.prepare(
        `DELETE FROM history WHERE seq <= (SELECT seq FROM history ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      ),
      pruneOutbox: db.prepare(`DELETE FROM outbox WHERE state != 'pending' AND finished_at < ?`),
    };
  }

  /** Run a write, turning SQLite failures (disk full, read-only) into StoreError. */
  private write<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toStoreError(err, this.file, doing);
    }
  }

  appendHistory(rec: HistoryRecord): void {
    this.write('write history to', () => this.st.addHistory.run(historyParams(rec)));
  }

  history(q: HistoryQuery): HistoryRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.kind) (where.push('kind = ?'), args.push(q.kind));
    if (q.watch) (where.push('watch = ?'), args.push(q.watch));
    if (q.service) (where.push('service = ?'), args.push(q.service));
    if (q.since !== undefined) (where.push('at >= ?'), args.push(q.since));
    if (q.until !== undefined) (where.push('at <= ?'), args.push(q.until));
    const sql =
      `SELECT * FROM history ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ` +
      `ORDER BY at DESC, seq DESC LIMIT ?`;
    const rows = this.write('read', () => this.db.prepare(sql).all(...args, q.limit ?? 100) as HistoryRow[]);
    return rows.reverse().map(historyFromRow);
  }

  prune(): { history: number; outbox: number } {
    const cutoff = this.now() - this.retentionMs;
    return this.write('prune', () =>
      this.db.transaction(() => {
        const h = this.st.pruneHistoryAge.run(cutoff).changes + this.st.pruneHistoryCount.run(this.maxHistory).changes;
        const o = this.st.pruneOutbox.run(cutoff).changes;
        return { history: h, outbox: o };
      })(),
    );
  }

  private pruneQuietly(): void {
    try {
      this.prune();
    } catch {
      // The next write reports the same failure to whoever can act on it.
    }
  }

  enqueue(deliveries: NewDelivery[]): PendingDelivery[] {
    return this.write('write the outbox of', () =>
      this.db.transaction(() => {
        const added: PendingDelivery[] = [];
        for (const d of deliveries) {
          const p = pendingFromNew(d);
          // The row's columns are the pending delivery's fields (state and attempts have defaults).
          const { state: _state, attempts: _attempts, event, ...columns } = p;
          const res = this.st.addOutbox.run({ ...columns, event: JSON.stringify(event) });
          if (res.changes === 1) added.push(p);
        }
        return added;
      })(),
    );
  }

  transaction<T>(fn: () => T): T {
    // better-sqlite3 turns a nested transaction into a savepoint of the outer one.
    return this.write('write', () => this.db.transaction(fn)());
  }

  markDelivered(id: string, at: number, record?: HistoryRecord): void {
    this.write('write the outbox of', () =>
      this.db.transaction(() => {
        this.st.delivered.run(at, id);
        if (record) this.st.addHistory.run(historyParams(record));
      })(),
    );
  }

  markFailed(id: string, nextAttemptAt: number, error: string): void {
    this.write('write the outbox of', () => this.st.failed.run(nextAttemptAt, error, id));
  }

  markGivenUp(id: string, at: number, error: string, attempted = true): void {
    this.write('write the outbox of', () => this.st.givenUp.run(attempted ? 1 : 0, at, error, id));
  }

  pending(): PendingDelivery[] {
    return this.write('read', () => (this.st.pending.all() as OutboxRow[]).map(pendingFromRow));
  }

  list(q: OutboxQuery): OutboxEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.state) (where.push('state = ?'), args.push(q.state));
    if (q.watch) (where.push('watch = ?'), args.push(q.watch));
    if (q.service) (where.push('service = ?'), args.push(q.service));
    if (q.since !== undefined) (where.push('created_at >= ?'), args.push(q.since));
    const sql = `SELECT * FROM outbox ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ?`;
    return this.write('read', () => (this.db.prepare(sql).all(...args, q.limit ?? 100) as OutboxRow[]).map(outboxFromRow));
  }

  getOperatorState(): OperatorState {
    const s: OperatorState = { disabledHosts: [], disabledWatches: [], disabledServices: [], acks: [], drains: [] };
    const rows = this.write('read', () => this.st.operator.all() as Array<{ kind: string; key: string; value: string }>);
    for (const r of rows) {
      if (r.kind === 'host') s.disabledHosts.push(r.key);
      else if (r.kind === 'watch') s.disabledWatches.push(r.key);
      else if (r.kind === 'service') s.disabledServices.push(JSON.parse(r.value) as { watch: string; service: string });
      else if (r.kind === 'ack') s.acks.push(JSON.parse(r.value) as Ack);
      else if (r.kind === 'drain') s.drains.push({ host: r.key, deadline: (JSON.parse(r.value) as { deadline: number }).deadline });
    }
    return s;
  }

  setOperatorState(s: OperatorState): void {
    this.write('write operator state to', () =>
      this.db.transaction(() => {
        this.st.clearOperator.run();
        for (const h of s.disabledHosts) this.st.setOperator.run('host', h, '1');
        for (const w of s.disabledWatches) this.st.setOperator.run('watch', w, '1');
        for (const x of s.disabledServices) this.st.setOperator.run('service', `${x.watch}/${x.service}`, JSON.stringify(x));
        for (const a of s.acks) this.st.setOperator.run('ack', `${a.watch}/${a.service}`, JSON.stringify(a));
        for (const d of s.drains) this.st.setOperator.run('drain', d.host, JSON.stringify({ deadline: d.deadline }));
      })(),
    );
  }

  setDisabled(kind: 'host' | 'watch' | 'service', key: string, disabled: boolean): void {
    let value = '1';
    if (kind === 'service') {
      const slash = key.indexOf('/');
      value = JSON.stringify({ watch: key.slice(0, slash), service: key.slice(slash + 1) });
    }
    this.write('write operator state to', () =>
      disabled ? this.st.setOperator.run(kind, key, value) : this.st.delOperator.run(kind, key),
    );
  }

  setAck(ack: Ack): void {
    this.write('write operator state to', () => this.st.setOperator.run('ack', `${ack.watch}/${ack.service}`, JSON.stringify(ack)));
  }

  clearAck(watch: string, service: string): void {
    this.write('write operator state to', () => this.st.delOperator.run('ack', `${watch}/${service}`));
  }

  setDrain(host: string, deadline: number | undefined): void {
    this.write('write operator state to', () =>
      deadline === undefined ? this.st.delOperator.run('drain', host) : this.st.setOperator.run('drain', host, JSON.stringify({ deadline })),
    );
  }

  saveServiceStates(states: Record<string, unknown>, opts: { partial?: boolean } = {}): void {
    const at = this.now();
    const partial = opts.partial === true;
    // What the table holds, by digest: known after a load or a full save (a partial save keeps it current).
    const prev = this.savedStates;
    const next = partial ? new Map(prev) : new Map<string, string>();
    const changed: Array<[string, string]> = [];
    // Rewriting 20,000 unchanged rows is a long commit for nothing: only the difference is written.
    for (const [id, state] of Object.entries(states)) {
      const json = JSON.stringify(state);
      const digest = stateDigest(json);
      next.set(id, digest);
      if (!prev || prev.get(id) !== digest) changed.push([id, json]);
    }
    const removed = prev && !partial ? [...prev.keys()].filter((id) => !next.has(id)) : [];
    if (changed.length === 0 && removed.length === 0 && (prev || partial)) return;
    this.write('save service state to', () =>
      this.db.transaction(() => {
        if (!prev && !partial) this.st.clearStates.run();
        for (const id of removed) this.st.delState.run(id);
        for (const [id, json] of changed) this.st.saveState.run(id, json, at);
      })(),
    );
    if (prev || !partial) this.savedStates = next;
  }

  loadServiceStates(): Record<string, unknown> {
    const rows = this.write('read', () => this.st.loadStates.all() as Array<{ id: string; state: string }>);
    const out: Record<string, unknown> = {};
    for (const r of rows) out[r.id] = JSON.parse(r.state);
    this.savedStates = new Map(rows.map((r) => [r.id, stateDigest(r.state)]));
    return out;
  }

  close(): void {
    clearInterval(this.timer);
    if (this.db.open) this.db.close();
    this.unlock();
  }
}

/** Compares saved states by digest: the JSON itself is only needed for the rows written. */
function stateDigest(json: string): string {
  return createHash('sha256').update(json).digest('base64');
}
