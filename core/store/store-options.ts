/**
 * @fileoverview Store settings and the config's `store:` object
 * (`store: { retention: "30d", max_history: 100000 }`), validated here by its owner.
 */
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { parseDuration } from '../duration.ts';

export const DEFAULT_RETENTION_MS = 30 * 86_400_000;
export const DEFAULT_MAX_HISTORY = 100_000;
export const DEFAULT_PRUNE_INTERVAL_MS = 3_600_000;

export interface StoreOptions {
  /** History and finished outbox rows older than this are pruned. @default 30 days */
  retentionMs?: number;
  /** At most this many history records are kept (the newest). @default 100000 */
  maxHistory?: number;
  /** How often retention runs. @default 1 hour */
  pruneIntervalMs?: number;
  /** `full` makes every commit survive power loss as well as kill -9. @default 'full' */
  synchronous?: 'full' | 'normal';
  /** Clock for retention (tests). */
  now?: () => number;
  /** Open an existing store for reading only (`vigil history` beside a running daemon): no writes, no pruning. */
  readonly?: boolean;
}

const KEYS = ['retention', 'max_history', 'prune_interval', 'synchronous'];

const DURATION = '^\\s*\\d+(\\.\\d+)?\\s*(ms|[dhms])\\s*$';

/** JSON Schema of the config's `store:` object, for the config schema (so `vigil check` reports mistakes at their line). */
export const storeConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    retention: { type: 'string', pattern: DURATION, description: 'history and finished deliveries older than this are removed (default "30d")' },
    max_history: { type: 'integer', minimum: 1, description: 'history records kept at most, the newest (default 100000)' },
    prune_interval: { type: 'string', pattern: DURATION, description: 'how often retention runs (default "1h")' },
    synchronous: { enum: ['full', 'normal'], description: '"full" (default): every commit survives power loss; "normal": faster, survives kill -9 only' },
  },
} as const;

/** Reads `extra.store` of the config; throws ConfigError naming the bad key. */
export function storeOptionsFromConfig(extra: Record<string, unknown>, file?: string): StoreOptions {
  const raw = extra['store'];
  if (raw === undefined) return {};
  const problems: ConfigProblem[] = [];
  const bad = (key: string, message: string) =>
    problems.push({ path: `store/${key}`, message, ...(file ? { loc: { file, line: 0 } } : {}) });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([{ path: 'store', message: 'must be an object like { retention: "30d", max_history: 100000 }' }]);
  }
  const o = raw as Record<string, unknown>;
  const opts: StoreOptions = {};
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) bad(k, `unknown key; expected ${KEYS.map((x) => `"${x}"`).join(', ')}`);
  if (o.retention !== undefined) {
    const ms = typeof o.retention === 'string' ? parseDuration(o.retention) : undefined;
    if (ms === undefined || ms <= 0) bad('retention', `must be a duration like "30d" or "12h", got ${JSON.stringify(o.retention)}`);
    else opts.retentionMs = ms;
  }
  if (o.max_history !== undefined) {
    if (!Number.isInteger(o.max_history) || (o.max_history as number) < 1) bad('max_history', 'must be a whole number of at least 1');
    else opts.maxHistory = o.max_history as number;
  }
  if (o.prune_interval !== undefined) {
    const ms = typeof o.prune_interval === 'string' ? parseDuration(o.prune_interval) : undefined;
    if (ms === undefined || ms < 1000) bad('prune_interval', 'must be a duration of at least "1s", like "1h"');
    else opts.pruneIntervalMs = ms;
  }
  if (o.synchronous !== undefined) {
    if (o.synchronous !== 'full' && o.synchronous !== 'normal') bad('synchronous', 'must be "full" (default) or "normal"');
    else opts.synchronous = o.synchronous;
  }
  if (problems.length) throw new ConfigError(problems);
  return opts;
}
