/**
 * @fileoverview A real engine on a temp config for control-plane tests: a `web`
 * watch whose tcp service checks 127.0.0.1 and 127.0.0.2 on one port (only the
 * first listens at start, so 127.0.0.2 fails), and an `evil` watch whose mon
 * script prints HTML in its output. The control server listens on 127.0.0.1:0.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../core/engine/engine.ts';
import { silentLogger } from '../../core/log.ts';
import { startControlServer, type ControlServer } from '../../core/control/http-server.ts';

export const TOKEN = 'test-token-3f9a';
export const EVIL = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">';

import { kill, listen, type Listener } from '../helpers/servers.ts';
export { kill, listen, type Listener };

export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Fixture {
  dir: string;
  port: number;
  engine: Engine;
  control: ControlServer;
  base: string;
  /** Starts or stops the tcp server on 127.0.0.2. */
  setSecondHost(up: boolean): Promise<void>;
  api(method: string, path: string, opts?: { token?: string; body?: unknown }): Promise<{ status: number; json: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export async function startFixture(opts: { token?: string | null; interval?: string; extraYaml?: string } = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-control-'));
  const first = await listen('127.0.0.1', 0);
  const port = (first.server.address() as { port: number }).port;
  let second: Listener | undefined;
  const script = join(dir, 'evil.monitor');
  writeFileSync(script, `#!/bin/sh\necho '${EVIL}'\necho 'detail line & more'\nexit 1\n`);
  chmodSync(script, 0o755);
  const token = opts.token === undefined ? TOKEN : opts.token;
  const interval = opts.interval ?? '1s';
  const cfg = join(dir, 'vigil.yaml');
  writeFileSync(
    cfg,
    `state_dir: ./state
control: { listen: "127.0.0.1:0"${token ? `, token: "${token}"` : ', token_env: VIGIL_TEST_NO_SUCH_TOKEN'} }
hostgroups:
  web: [127.0.0.1, 127.0.0.2]
  evil: [127.0.0.1]
watches:
  web:
    services:
      tcp:
        description: port ${port} accepts connections
        interval: ${interval}
        timeout: 1s
        monitor: { plugin: tcp, port: ${port} }
        periods:
          - when: always
            alertafter: 1
            alertevery: 1h
            alerts: [{ plugin: log }]
            upalerts: [{ plugin: log }]
  evil:
    services:
      html:
        description: a check whose output is HTML
        interval: ${interval}
        timeout: 5s
        monitor: { plugin: script, path: ./evil.monitor }
${opts.extraYaml ?? ''}`,
  );
  const engine = await Engine.start({ configFile: cfg, log: silentLogger });
  const control = await startControlServer({ engine, log: silentLogger, control: engine.config().control!, env: {} });
  const base = control.url.replace(/\/$/, '');
  return {
    dir,
    port,
    engine,
    control,
    base,
    async setSecondHost(up) {
      if (up && !second) second = await listen('127.0.0.2', port);
      if (!up && second) {
        await kill(second);
        second = undefined;
      }
    },
    async api(method, path, o = {}) {
      const headers: Record<string, string> = {};
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body), signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: res.status, json, text, headers: res.headers };
    },
    async close() {
      await control.close();
      await engine.close(1000);
      await kill(first);
      if (second) await kill(second);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
