/**
 * @fileoverview Turns SQLite and file-system failures into one typed error an
 * operator can act on: which file, what happened, what to do.
 */
import { VigilError, errorMessage } from '../errors.ts';

export type StoreProblem = 'corrupt' | 'unwritable' | 'full' | 'newer-schema' | 'locked' | 'io';

export class StoreError extends VigilError {
  constructor(
    readonly problem: StoreProblem,
    readonly file: string,
    message: string,
    cause?: unknown,
  ) {
    super('VIGIL_ERR_STORE', message, { cause });
    this.name = 'StoreError';
  }
}

const CORRUPT = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);
const UNWRITABLE = new Set(['SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_AUTH', 'EACCES', 'EPERM', 'EROFS']);
const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
}

/** The operator-facing text for a store file that cannot be used. */
export function corruptMessage(file: string, detail: string): string {
  return (
    `state store ${file} is damaged (${detail}). ` +
    `To recover: stop vigil, move the file aside (mv ${file} ${file}.broken; also move ${file}-wal and ${file}-shm if present) ` +
    `and start vigil again: it creates a new empty store. Lost with it: alert/failure history, undelivered alerts ` +
    `in the outbox, disabled hosts/services/watches, acks and saved service state (services start as untested).`
  );
}

/** Wrap any failure of the store file in a StoreError; `doing` says what we were doing ("open", "write"...). */
export function toStoreError(err: unknown, file: string, doing: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = codeOf(err);
  const base = code.replace(/_.*$/, '') === 'SQLITE' ? code.split('_').slice(0, 2).join('_') : code;
  const msg = errorMessage(err);
  if (CORRUPT.has(base)) return new StoreError('corrupt', file, corruptMessage(file, msg), err);
  if (UNWRITABLE.has(base)) {
    return new StoreError(
      'unwritable',
      file,
      `cannot ${doing} state store ${file}: ${msg}. vigil needs to create and write this file and its -wal/-shm ` +
        `companions: check that the state directory (state_dir) exists, is writable by the user vigil runs as, ` +
        `and is not on a read-only file system.`,
      err,
    );
  }
  if (FULL.has(base)) {
    return new StoreError('full', file, `cannot ${doing} state store ${file}: the disk is full (${msg}). Free space on that file system.`, err);
  }
  return new StoreError('io', file, `cannot ${doing} state store ${file}: ${msg}`, err);
}
