#!/usr/bin/env node
// A fake ipvsadm for unit tests of vigil's own logic (never a substitute for the
// kernel test, test/vm/lvs-vm.test.ts): keeps a table in $FAKE_IPVS_STATE (JSON)
// and understands -S -n, -L -n, -A, -a, -e, -d for tcp services. The state file
// path comes as the first argument so the alert's `command` can carry it:
//   command: [node, fake-ipvsadm.mjs, /tmp/state.json]
// Connection counters are set by the test in the JSON ({ active, inactive }).
import { readFileSync, writeFileSync, appendFileSync, renameSync } from 'node:fs';

const [file, ...args] = process.argv.slice(2);
const st = JSON.parse(readFileSync(file, 'utf8'));
appendFileSync(file + '.log', args.join(' ') + '\n');
const val = (flag) => { const i = args.indexOf(flag); return i < 0 ? undefined : args[i + 1]; };
const METHOD = { '-m': 'Masq', '-g': 'Route', '-i': 'Tunnel' };
const SAVE = { Masq: '-m', Route: '-g', Tunnel: '-i' };
const fail = (msg) => { process.stderr.write(msg + '\n'); process.exit(2); };
const svc = val('-t');
const op = args[0];
if (op === '-S') {
  for (const [vip, s] of Object.entries(st.services)) {
    process.stdout.write(`-A -t ${vip} -s ${s.scheduler}\n`);
    for (const [rip, r] of Object.entries(s.servers)) process.stdout.write(`-a -t ${vip} -r ${rip} ${SAVE[r.method]} -w ${r.weight}\n`);
  }
} else if (op === '-L') {
  process.stdout.write('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n');
  for (const [vip, s] of Object.entries(st.services)) {
    process.stdout.write(`TCP  ${vip} ${s.scheduler}\n`);
    for (const [rip, r] of Object.entries(s.servers)) process.stdout.write(`  -> ${rip.padEnd(28)} ${r.method.padEnd(7)} ${String(r.weight).padEnd(6)} ${String(r.active ?? 0).padEnd(10)} ${r.inactive ?? 0}\n`);
  }
} else if (op === '-A') {
  if (st.services[svc]) fail('Service already exists');
  st.services[svc] = { scheduler: val('-s') ?? 'wlc', servers: {} };
} else {
  const s = st.services[svc];
  if (!s) fail('Service not defined');
  const rip = val('-r');
  const method = METHOD[args.find((a) => METHOD[a])] ?? 'Route';
  if (op === '-a') {
    if (s.servers[rip]) fail('Destination already exists');
    s.servers[rip] = { method, weight: Number(val('-w') ?? 1) };
  } else if (op === '-e') {
    if (!s.servers[rip]) fail('No such destination');
    s.servers[rip] = { ...s.servers[rip], method, weight: Number(val('-w') ?? 1) };
  } else if (op === '-d') {
    if (!s.servers[rip]) fail('No such destination');
    delete s.servers[rip];
  } else fail(`fake ipvsadm: unknown ${args.join(' ')}`);
}
// only changes write: the test edits counters in the file between calls
// Written aside and renamed: a test reading the table must never see it half written.
if (op !== '-S' && op !== '-L') {
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(st));
  renameSync(`${file}.${process.pid}`, file);
}
