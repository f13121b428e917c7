import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWithDeadline } from '../../core/run-check.ts';

test('a check that resolves in time is ok', async () => {
  const o = await runWithDeadline('p', 'check', 200, undefined, async () => 42);
  assert.equal(o.kind, 'ok');
  assert.equal(o.kind === 'ok' && o.value, 42);
});

test('a check that throws becomes a PluginError naming plugin and hook', async () => {
  const o = await runWithDeadline('boom', 'check', 200, undefined, async () => {
    throw new Error('kaput');
  });
  assert.equal(o.kind, 'error');
  assert.match(o.kind === 'error' ? o.error.message : '', /plugin "boom" failed in check: kaput/);
});

test('a check that throws synchronously is caught too', async () => {
  const o = await runWithDeadline('boom', 'check', 200, undefined, (() => {
    throw new Error('sync');
  }) as () => Promise<never>);
  assert.equal(o.kind, 'error');
});

test('a check that never settles and ignores its signal is cut at the deadline', async () => {
  const t0 = performance.now();
  let sawAbort = false;
  const o = await runWithDeadline('stuck', 'check', 80, undefined, (signal) => {
    signal.addEventListener('abort', () => (sawAbort = true));
    return new Promise<never>(() => {});
  });
  const took = performance.now() - t0;
  assert.equal(o.kind, 'timeout');
  assert.ok(took >= 75 && took < 400, `took ${took} ms`);
  assert.ok(sawAbort, 'the plugin was told through its AbortSignal');
});

test('shutdown aborts a running check', async () => {
  const ctrl = new AbortController();
  setTimeout(() => ctrl.abort(), 20);
  const o = await runWithDeadline('slow', 'check', 5000, ctrl.signal, () => new Promise<never>(() => {}));
  assert.equal(o.kind, 'aborted');
});

test("a timed-out plugin's own reason is kept in the summary when it answers the abort at once", async () => {
  const { outcomeSummary } = await import('../../core/run-check.ts');
  const o = await runWithDeadline('dns', 'check', 50, undefined, (signal) => new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(new Error('no answer over UDP')));
  }));
  assert.equal(o.kind, 'timeout');
  assert.equal(outcomeSummary(o), 'timed out after 50 ms: no answer over UDP');
  // A plugin that rejects with the abort reason itself adds nothing.
  const o2 = await runWithDeadline('x', 'check', 50, undefined, (signal) => new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason));
  }));
  assert.equal(outcomeSummary(o2), 'timed out after 50 ms');
});

test('checks started together share one deadline, and none gets less than its timeout', async () => {
  const calls: Array<{ signal: AbortSignal; at: number }> = [];
  const t0 = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: 50 }, () =>
      runWithDeadline('stuck', 'check', 60, undefined, (signal) => {
        calls.push({ signal, at: performance.now() });
        return new Promise<never>(() => {});
      }),
    ),
  );
  const end = performance.now();
  const starts = calls.map((c) => c.at);
  // The batch window is 1 ms of wall time; a pause of the machine (a collection, a busy
  // neighbour) may open a second batch. The first batch opened after t0 and each check
  // joins before its plugin is called, so every check whose plugin began less than 1 ms
  // after t0 was in the first batch's window. (Counted from the first plugin's start
  // instead, a pause while the batch was made pushed that start up to the window's end.)
  const together = calls.filter((c) => c.at - t0 < 0.9);
  assert.ok(together.length >= 2, `only ${together.length} check(s) began within 0.9 ms`);
  for (const c of together) assert.equal(c.signal, calls[0]!.signal, 'one AbortSignal for the checks of a batch');
  for (const o of outcomes) {
    assert.equal(o.kind, 'timeout');
    assert.ok(o.durationMs >= 60, `a check was cut after ${o.durationMs} ms, before its 60 ms timeout`);
  }
  assert.ok(end - Math.max(...starts) >= 60);
});

test('a check started after the batch window gets its own full timeout', async () => {
  const first = runWithDeadline('a', 'check', 80, undefined, () => new Promise<never>(() => {}));
  await new Promise((r) => setTimeout(r, 30));
  const t1 = performance.now();
  let firstSignal: AbortSignal | undefined;
  const second = runWithDeadline('b', 'check', 80, undefined, (signal) => {
    firstSignal = signal;
    return new Promise<never>(() => {});
  });
  assert.equal((await first).kind, 'timeout');
  assert.equal(firstSignal?.aborted, false, "the first batch's deadline does not cut the later check");
  const o = await second;
  assert.equal(o.kind, 'timeout');
  assert.ok(performance.now() - t1 >= 80);
});

test('a batch whose checks all finished leaves no timer behind', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  await Promise.all(Array.from({ length: 20 }, (_, i) => runWithDeadline('p', 'check', 60_000, undefined, async () => i)));
  assert.equal(timers(), before);
});

test('shutdown aborts every check of a batch and tells each plugin', async () => {
  const ctrl = new AbortController();
  let told = 0;
  const runs = Array.from({ length: 10 }, () =>
    runWithDeadline('slow', 'check', 5000, ctrl.signal, (signal) => {
      signal.addEventListener('abort', () => told++);
      return new Promise<never>(() => {});
    }),
  );
  setTimeout(() => ctrl.abort(new Error('stopping')), 20);
  const outs = await Promise.all(runs);
  assert.deepEqual(new Set(outs.map((o) => o.kind)), new Set(['aborted']));
  assert.equal(told, 10);
});
