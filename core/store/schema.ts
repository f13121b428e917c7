/**
 * @fileoverview Tables of the SQLite store. `user_version` is the schema version;
 * a file from a newer vigil is refused rather than misread.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS history (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  kind     TEXT NOT NULL,
  at       INTEGER NOT NULL,
  watch    TEXT NOT NULL,
  service  TEXT NOT NULL,
  type     TEXT NOT NULL,
  host     TEXT,
  summary  TEXT NOT NULL,
  detail   TEXT,
  plugin   TEXT,
  args     TEXT
);
CREATE INDEX IF NOT EXISTS history_at ON history(at);
CREATE INDEX IF NOT EXISTS history_ws ON history(watch, service, at);

CREATE TABLE IF NOT EXISTS outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  event_id        TEXT NOT NULL,
  target          TEXT NOT NULL,
  plugin          TEXT NOT NULL,
  watch           TEXT NOT NULL,
  service         TEXT NOT NULL,
  type            TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending',
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER,
  event           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, seq);

CREATE TABLE IF NOT EXISTS operator (
  kind  TEXT NOT NULL,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, key)
);

CREATE TABLE IF NOT EXISTS service_state (
  id       TEXT PRIMARY KEY,
  state    TEXT NOT NULL,
  saved_at INTEGER NOT NULL
);
`;
