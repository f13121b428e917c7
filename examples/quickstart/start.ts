/**
 * @fileoverview `npm start`: the quick start. Starts two small web servers on
 * 127.0.0.2:18080 and 127.0.0.3:18080, runs vigil on examples/quickstart.yaml,
 * and stops the second server for 20 seconds every minute so you can watch vigil
 * notice (down, host-down, alerts) and recover (up, host-up). Ctrl-C ends it all.
 */
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { withRunEnv } from '../../core/cli/run-env.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const PORT = 18080;
const say = (msg: string) => console.log(`\x1b[36m[demo]\x1b[0m ${msg}`);

function serve(host: string): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello from ${host}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORT, host, () => resolve(server));
  });
}

async function main(): Promise<void> {
  let a: Server;
  let b: Server | undefined;
  try {
    a = await serve('127.0.0.2');
    b = await serve('127.0.0.3');
  } catch (err) {
    console.error(`[demo] cannot start the demo web servers on 127.0.0.2/127.0.0.3 port ${PORT}: ${(err as Error).message}`);
    console.error('[demo] is another quick start still running? Stop it, or free the port, and try again.');
    process.exit(1);
  }
  say(`web servers up on 127.0.0.2:${PORT} and 127.0.0.3:${PORT}`);
  say('starting: vigil run -c examples/quickstart.yaml   (status page: http://127.0.0.1:2580/)');
  // The script alert appends to this file; show each new line as it comes.
  const alertsFile = join(ROOT, 'var/quickstart/alerts.txt');
  mkdirSync(dirname(alertsFile), { recursive: true });
  writeFileSync(alertsFile, '');
  let offset = 0;
  const tail = setInterval(() => {
    if (!existsSync(alertsFile)) return;
    const size = statSync(alertsFile).size;
    if (size <= offset) return;
    const fd = openSync(alertsFile, 'r');
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    closeSync(fd);
    offset = size;
    for (const line of buf.toString().split('\n').filter(Boolean)) console.log(`\x1b[33m[echo.alert]\x1b[0m ${line}`);
  }, 250);
  const vigil = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'core/cli/main.ts'), 'run', '-c', join(ROOT, 'examples/quickstart.yaml')], {
    stdio: 'inherit',
    cwd: join(ROOT, 'examples'),
    env: { ...withRunEnv(process.env), QUICKSTART_ALERTS: alertsFile },
  });

  // Flap 127.0.0.3 so a newcomer sees a failure and a recovery.
  let cycle: NodeJS.Timeout | undefined;
  const flap = () => {
    say('stopping the web server on 127.0.0.3 for 20 s: watch for host-down and down');
    b?.closeAllConnections();
    b?.close();
    b = undefined;
    setTimeout(async () => {
      b = await serve('127.0.0.3');
      say('127.0.0.3 is serving again: watch for host-up and up');
    }, 20_000);
  };
  const first = setTimeout(() => {
    flap();
    cycle = setInterval(flap, 60_000);
  }, 15_000);

  const stop = () => {
    clearTimeout(first);
    clearInterval(cycle);
    vigil.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  vigil.on('exit', (code) => {
    clearInterval(tail);
    a.close();
    b?.close();
    clearTimeout(first);
    clearInterval(cycle);
    process.exit(code ?? 0);
  });
}

void main();
