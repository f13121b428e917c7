import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { abortReason, onAbort } from '../../core/kit/on-abort.ts';

test('onAbort: one listener on the signal for any number of waiters; each called once unless removed', () => {
  const ctrl = new AbortController();
  const called: number[] = [];
  const unwatch = Array.from({ length: 50 }, (_, i) => onAbort(ctrl.signal, () => called.push(i)));
  assert.equal(getEventListeners(ctrl.signal, 'abort').length, 1);
  unwatch[7]!();
  ctrl.abort(new Error('stop'));
  assert.deepEqual(called, Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 7));
  assert.equal(abortReason(ctrl.signal).message, 'stop');
});

test('abortReason gives an Error even when the reason is not one', () => {
  const ctrl = new AbortController();
  ctrl.abort('just a string');
  assert.ok(abortReason(ctrl.signal) instanceof Error);
});

test('onAbort: a waiter cancelled by an earlier one while the signal aborts is not called; cancelling twice is harmless', () => {
  const ctrl = new AbortController();
  const called: string[] = [];
  let cancelC = () => {};
  const cancelA = onAbort(ctrl.signal, () => {
    called.push('a');
    cancelC();
  });
  onAbort(ctrl.signal, () => called.push('b'));
  cancelC = onAbort(ctrl.signal, () => called.push('c'));
  const cancelD = onAbort(ctrl.signal, () => called.push('d'));
  cancelD();
  cancelD();
  ctrl.abort();
  cancelA(); // after the abort: nothing left to cancel
  assert.deepEqual(called, ['a', 'b']);
});
