/**
 * @fileoverview One daemon per state directory: `vigil.lock` holds the pid of
 * the vigil that owns the store. Two daemons on one outbox would send every
 * alert twice, so a second one is refused with a clear message. A lock left by
 * a process that no longer exists (kill -9, power cut) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './store-error.ts';

export const LOCK_FILE = 'vigil.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Takes the lock of `dir`; returns its release. Throws StoreError('locked') when another live process holds it. */
export function lockStateDir(dir: string, storeFile: string): () => void {
  const lock = join(dir, LOCK_FILE);
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(lock, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lock, 'utf8').trim() === String(process.pid)) unlinkSync(lock);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(lock, 'utf8').trim());
    } catch {
      continue; // removed in between: try again
    }
    if (pid === process.pid) return () => {}; // this process already owns it (opened twice)
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
      throw new StoreError(
        'locked',
        storeFile,
        `state directory ${dir} is in use by another vigil (pid ${pid}); two daemons on one store would send every alert twice. ` +
          `Stop the other one, or give this one its own state_dir. If no vigil runs as pid ${pid}, remove ${lock}.`,
      );
    }
    try {
      unlinkSync(lock); // left by a process that is gone
    } catch {
      // Someone else removed it first; the next try settles it.
    }
  }
  throw new StoreError('locked', storeFile, `cannot take the lock ${lock}: it keeps changing; is another vigil starting on the same state_dir?`);
}
