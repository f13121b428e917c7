/**
 * Memory shape of the state machine's records, which is what 20,000 hosts cost: a
 * service's host memories must stay keyed in V8's dictionary mode through runs,
 * startup, ack and disable (a plain object given 100 host names grows 100 hidden
 * classes of its own, kept for good). Checked in a child node with V8's natives
 * syntax, the only way to ask V8 how an object is stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./state-fixtures.ts', import.meta.url));
const STATE = fileURLToPath(new URL('../../core/state.ts', import.meta.url));

const CHILD = `
const fast = new Function('o', 'return %HasFastProperties(o)');
const f = await import(${JSON.stringify(FIXTURES)});
const sm = await import(${JSON.stringify(STATE)});
const hosts = Array.from({ length: 100 }, (_, i) => '127.0.0.' + i);
const svc = f.service([{ startupalerts: [f.ref('s')], ackalerts: [f.ref('a')], disablealerts: [f.ref('d')] }]);
const ctx = (t) => ({ ...f.context(svc, t), groupHosts: hosts });
const seen = {};
let st = sm.initialState(svc, hosts);
seen.initial = fast(st.hosts);
st = sm.startup(st, ctx(0)).state;
seen.startup = fast(st.hosts);
st = sm.applyResultInPlace(st, { ...f.fail(hosts.slice(0, 10)), at: 1000 }, ctx(1000)).state;
seen.run = fast(st.hosts);
st = sm.acknowledge(st, 'ops: x', ctx(2000)).state;
seen.ack = fast(st.hosts);
st = sm.disableAlerts(st, ctx(3000)).state;
seen.disable = fast(st.hosts);
st = sm.applyResult(st, { ...f.ok(), at: 4000 }, ctx(4000)).state;
seen.pureRun = fast(st.hosts);
st = sm.adoptState(JSON.parse(JSON.stringify(st)), svc, hosts);
seen.reload = fast(st.hosts);
console.log(JSON.stringify(seen));
`;

test('host memories stay in dictionary mode through runs, startup, ack, disable and reload', () => {
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8' });
  const seen = JSON.parse(out.trim().split('\n').pop()!) as Record<string, boolean>;
  assert.deepEqual(seen, { initial: false, startup: false, run: false, ack: false, disable: false, pureRun: false, reload: false });
});
