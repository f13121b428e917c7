/**
 * @fileoverview Peers for the peer-fault tests: a monitor whose hosts are down
 * while they are listed in a file (so a test takes thousands down at once), and
 * a stateful stand-in for ipvsadm (a table in a file; `-S -n`, `-a`, `-e`, `-d`)
 * that fails every call while a `fail` file exists. The stand-in is for the
 * retry logic only; the LVS alert against the kernel's IPVS is tested in test/vm/.
 */
import { chmodSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const FILE_MONITOR = `
import { readFileSync } from 'node:fs';
const caches = new Map();
const down = (file) => {
  let c = caches.get(file);
  if (!c || Date.now() - c.at > 50) {
    let set;
    try { set = new Set(readFileSync(file, 'utf8').split('\\n')); } catch { set = new Set(); }
    caches.set(file, (c = { at: Date.now(), set }));
  }
  return c.set;
};
export default [{
  kind: 'monitor', apiVersion: 1, name: 'peer/file',
  optionsSchema: { type: 'object', properties: { file: { type: 'string' } }, required: ['file'], additionalProperties: false },
  create: (o, ctx) => ({ async check(host) { const d = down(ctx.configDir + '/' + o.file).has(host); return { ok: !d, summary: d ? 'listed as down' : 'ok' }; } }),
}];
`;

const FAKE_IPVSADM = `#!/usr/bin/env node
// A stand-in for ipvsadm over a table file, for retry tests only.
const fs = require('node:fs');
const dir = __dirname;
const args = process.argv.slice(2);
fs.appendFileSync(dir + '/calls', args.join(' ') + '\\n');
if (fs.existsSync(dir + '/fail')) { process.stderr.write('Memory allocation problem\\n'); process.exit(2); }
const tableFile = dir + '/table';
const lines = fs.existsSync(tableFile) ? fs.readFileSync(tableFile, 'utf8').split('\\n').filter(Boolean) : [];
const op = args[0];
if (op === '-S') { process.stdout.write(lines.join('\\n') + (lines.length ? '\\n' : '')); process.exit(0); }
const vs = args[args.indexOf('-t') + 1] ?? args[args.indexOf('-u') + 1];
const rs = args.includes('-r') ? args[args.indexOf('-r') + 1] : undefined;
const key = (l) => { const p = l.split(' '); return p[0] === '-a' ? p[2] + ' ' + p[4] : null; };
const idx = lines.findIndex((l) => key(l) === vs + ' ' + rs);
const fwd = args.find((a) => ['-g', '-m', '-i'].includes(a)) ?? '-g';
const w = args.includes('-w') ? args[args.indexOf('-w') + 1] : '1';
const line = '-a -t ' + vs + ' -r ' + rs + ' ' + fwd + ' -w ' + w;
if (op === '-a') { if (idx >= 0) { process.stderr.write('Destination already exists\\n'); process.exit(1); } lines.push(line); }
else if (op === '-e') { if (idx < 0) { process.stderr.write('No such destination\\n'); process.exit(1); } lines[idx] = line; }
else if (op === '-d') { if (idx < 0) { process.stderr.write('No such destination\\n'); process.exit(1); } lines.splice(idx, 1); }
else if (op === '-A' || op === '-E' || op === '-D') { /* services are preloaded */ }
else { process.stderr.write('unknown command\\n'); process.exit(2); }
fs.writeFileSync(tableFile + '.tmp', lines.join('\\n') + '\\n');
fs.renameSync(tableFile + '.tmp', tableFile);
`;

export function writeFakeIpvsadm(dir: string, vip: string, servers: string[], port: number): string {
  const path = join(dir, 'ipvsadm');
  writeFileSync(path, FAKE_IPVSADM);
  chmodSync(path, 0o755);
  writeFileSync(join(dir, 'table'), [`-A -t ${vip} -s wlc`, ...servers.map((s) => `-a -t ${vip} -r ${s}:${port} -g -w 1`)].join('\n') + '\n');
  return path;
}

/** Real servers in the fake table for a VIP, with their weights. */
export function tableServers(dir: string, vip: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of readFileSync(join(dir, 'table'), 'utf8').split('\n')) {
    const p = l.split(' ');
    if (p[0] === '-a' && p[2] === vip) out.set(p[4]!.replace(/:\d+$/, ''), Number(p[p.indexOf('-w') + 1]));
  }
  return out;
}

export function ipvsCalls(dir: string): string[] {
  const f = join(dir, 'calls');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
}

/**
 * A vigil.yaml with one LVS-managed pool: the `peer/file` monitor (hosts listed in
 * down.txt are down) and the lvs alert driving the fake ipvsadm, every 200 ms.
 * `head` goes before `plugins:` (e.g. a control: line). Returns the config's path.
 */
export function writeLvsPoolConfig(dir: string, vip: string, hosts: string[], head = ''): string {
  writeFileSync(join(dir, 'peer.mjs'), FILE_MONITOR);
  const cmd = writeFakeIpvsadm(dir, vip, hosts, 80);
  const file = join(dir, 'vigil.yaml');
  writeFileSync(
    file,
    `state_dir: ./state
${head}plugins: [./peer.mjs]
hostgroups:
  web: [${hosts.join(', ')}]
watches:
  web:
    services:
      http:
        interval: 200ms
        monitor: { plugin: peer/file, file: down.txt }
        alerts: [ { plugin: lvs, service: "tcp ${vip}", mode: remove, command: ["${cmd}"] } ]
`,
  );
  return file;
}
