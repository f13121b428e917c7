import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../core/store.ts';

function savedAt(dir: string): Record<string, number> {
  const db = new Database(join(dir, 'vigil.db'), { readonly: true });
  const rows = db.prepare('SELECT id, saved_at FROM service_state').all() as Array<{ id: string; saved_at: number }>;
  db.close();
  return Object.fromEntries(rows.map((r) => [r.id, r.saved_at]));
}

test('saveServiceStates writes only the services that changed, and deletes the removed ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-states-'));
  let clock = 100;
  let s = openStore(dir, { now: () => clock });
  s.saveServiceStates({ 'web/http': { status: 'ok' }, 'web/smtp': { status: 'ok' }, 'db/pg': { status: 'ok' } });
  clock = 200;
  s.saveServiceStates({ 'web/http': { status: 'fail', seq: 2 }, 'web/smtp': { status: 'ok' } });
  s.close();
  assert.deepEqual(savedAt(dir), { 'web/http': 200, 'web/smtp': 100 }, 'the unchanged row was not rewritten; the removed one is gone');

  s = openStore(dir, { now: () => clock });
  assert.deepEqual(s.loadServiceStates(), { 'web/http': { status: 'fail', seq: 2 }, 'web/smtp': { status: 'ok' } });
  clock = 300;
  s.saveServiceStates({ 'web/http': { status: 'fail', seq: 2 }, 'web/smtp': { status: 'ok' } }); // nothing changed
  s.saveServiceStates({ 'web/http': { status: 'fail', seq: 2 }, 'web/smtp': { status: 'fail' }, 'web/dns': { status: 'ok' } });
  assert.deepEqual(s.loadServiceStates(), { 'web/http': { status: 'fail', seq: 2 }, 'web/smtp': { status: 'fail' }, 'web/dns': { status: 'ok' } });
  s.close();
  assert.deepEqual(savedAt(dir), { 'web/http': 200, 'web/smtp': 300, 'web/dns': 300 });

  // A first save without a load (what is on disk unknown) replaces everything.
  s = openStore(dir, { now: () => clock });
  s.saveServiceStates({ 'x/y': { status: 'ok' } });
  assert.deepEqual(s.loadServiceStates(), { 'x/y': { status: 'ok' } });
  s.close();
  rmSync(dir, { recursive: true });
});

test('a partial save writes the given services and leaves the others, before and after a full save', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-states-'));
  let clock = 100;
  let s = openStore(dir, { now: () => clock });
  s.saveServiceStates({ 'web/http': { status: 'ok' }, 'web/smtp': { status: 'ok' } });
  clock = 200;
  s.saveServiceStates({ 'web/smtp': { status: 'fail' } }, { partial: true });
  s.saveServiceStates({ 'web/smtp': { status: 'fail' } }, { partial: true }); // unchanged: not rewritten
  s.close();
  assert.deepEqual(savedAt(dir), { 'web/http': 100, 'web/smtp': 200 });

  // Partial before anything was loaded or fully saved: written, nothing else deleted.
  clock = 300;
  s = openStore(dir, { now: () => clock });
  s.saveServiceStates({ 'web/http': { status: 'fail' } }, { partial: true });
  s.close();
  assert.deepEqual(savedAt(dir), { 'web/http': 300, 'web/smtp': 200 });

  // The full save after partial ones still removes services that are gone.
  s = openStore(dir, { now: () => clock });
  s.loadServiceStates();
  s.saveServiceStates({ 'web/http': { status: 'ok' } }, { partial: true });
  s.saveServiceStates({ 'web/http': { status: 'ok' } });
  assert.deepEqual(s.loadServiceStates(), { 'web/http': { status: 'ok' } });
  s.close();
  rmSync(dir, { recursive: true });
});
