/**
 * Security of the front ends: the mon client protocol enforces auth.cf over
 * real TCP (no login, a user auth.cf does not list, a denied user), and the
 * status page cannot run check output: its script builds the page with
 * textContent only, and it is served with a CSP that forbids inline script.
 * (test/control/page.test.ts renders hostile output in a real Chromium.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { createMonProtocolServer } from '../../core/mon-protocol/server.ts';
import { PAGE_HEADERS } from '../../core/control/static-page.ts';
import { report } from './report.ts';

function session(port: number, lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = connect(port, '127.0.0.1', () => s.write(lines.map((l) => l + '\n').join('') + 'quit\n'));
    s.on('data', (d) => (out += d));
    s.on('close', () => resolve(out.split('\n').filter(Boolean)));
    s.on('error', reject);
    setTimeout(() => s.destroy(), 5000);
  });
}

test('mon protocol over TCP: auth.cf decides who may change what', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-monauth-'));
  writeFileSync(join(dir, 'auth.cf'), 'command section\nlist: all\nversion: all\nquit: all\ndisable: ops, !mallory\nenable: ops\nstop: ops\nack: ops\ntrap section\n');
  writeFileSync(join(dir, 'vigil.yaml'), 'state_dir: ./state\nhostgroups:\n  web: [127.0.0.2]\nwatches:\n  web:\n    services:\n      http: { interval: 1h, timeout: 200ms, monitor: { plugin: tcp, port: 1 } }\n');
  const engine = await Engine.start({ configFile: join(dir, 'vigil.yaml'), log: silentLogger, persist: false });
  const server = createMonProtocolServer({ runtime: engine, listen: '127.0.0.1:0', authFile: join(dir, 'auth.cf'), authTypes: ['trustlocal'], log: silentLogger });
  const { port } = await server.listen();
  const changes = ['disable host 127.0.0.2', 'disable service web http', 'disable watch web', 'stop'];
  try {
    for (const who of [[], ['login eve x'], ['login mallory x']]) {
      const out = await session(port, [...who, ...changes]);
      const refused = out.filter((l) => l.startsWith('520 command could not be executed'));
      assert.equal(refused.length, changes.length, `${who[0] ?? 'no login'}: every change refused: ${out.join(' | ')}`);
      assert.deepEqual(engine.status().disabledHosts, []);
      assert.equal(engine.status().schedulerRunning, true);
      assert.equal(engine.status().watches[0]!.services[0]!.disabled, false);
    }
    const ops = await session(port, ['login ops x', 'disable host 127.0.0.2']);
    assert.ok(ops.includes('220 disable host completed'), ops.join(' | '));
    assert.deepEqual(engine.status().disabledHosts, ['127.0.0.2'], 'the protection can fail: ops may');
  } finally {
    await server.close();
    await engine.close(100);
    rmSync(dir, { recursive: true, force: true });
  }
  report('security', 'mon protocol auth.cf over TCP', `${changes.length} changes x 3 clients (no login, unlisted user, denied user) + 1 allowed`, 'all refused with 520 and no state change, the listed user may');
});

test('status page: built with textContent only, served with a CSP that forbids inline script', () => {
  const scripts = readdirSync('core/control/page').filter((f) => f.endsWith('.js'));
  assert.ok(scripts.includes('app.js') && scripts.length >= 3, `page scripts: ${scripts.join(', ')}`);
  const html = readFileSync('core/control/page/index.html', 'utf8');
  for (const file of scripts) {
    const code = readFileSync(`core/control/page/${file}`, 'utf8');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', 'srcdoc', 'javascript:']) {
      assert.ok(!code.includes(sink), `${file} uses ${sink}, which can turn check output into markup or code`);
    }
  }
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script in index.html');
  const csp = PAGE_HEADERS['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  report('security', 'status page escaping', 'page scripts and index.html scanned for 8 HTML/code sinks + CSP', "none used, CSP script-src 'self' without unsafe-inline (browser test in test/control/page.test.ts)");
});
