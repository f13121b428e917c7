/**
 * @fileoverview The mon client protocol on TCP (mon-reference.md d.1): one
 * command per line, replies of data lines plus a 2xx/5xx status line, any
 * number of commands per connection, idle clients closed after cltimeout,
 * clients outside clientallow closed on accept without a word.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../types.ts';
import type { Runtime } from '../runtime.ts';
import { errorMessage } from '../errors.ts';
import { DEBIAN_DEFAULT_AUTH, clientAllowed, parseAuthCf, type AuthPolicy } from './auth.ts';
import { monCommand, type CommandContext, type Session } from './commands.ts';
import { parseListen } from './listen-address.ts';

export interface MonProtocolServerOptions {
  runtime: Runtime;
  /** "host:port"; port 0 picks a free one. @default "127.0.0.1:2583" */
  listen?: string;
  /** auth.cf; absent: Debian's default policy (read-only commands for everyone). */
  authFile?: string;
  /** mon's clientallow regexes. Absent: every client. */
  clientAllow?: string[];
  log: Logger;
  /** Idle clients are closed after this. @default 30000 */
  cltimeoutMs?: number;
  /** mon's authtype list. @default ["getpwnam"] */
  authTypes?: string[];
  /** Absolute path of mon's userfile (monusers.cf), read at each userfile login. */
  userFile?: string;
  /** Entries of `list alerthist`/`failurehist`. @default 100 */
  histlength?: number;
  now?: () => number;
  checkConfig?: () => Promise<string | undefined>;
}

export interface MonProtocolServer {
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
  /** The current auth policy (shared with the trap listener). */
  policy(): AuthPolicy;
}

const MAX_LINE = 64 * 1024;

export async function loadAuthPolicy(authFile: string | undefined, log: Logger): Promise<AuthPolicy> {
  const text = authFile === undefined ? DEBIAN_DEFAULT_AUTH : await readFile(authFile, 'utf8');
  const { policy, problems } = parseAuthCf(text);
  for (const p of problems) log.warn({ authFile }, `auth file: ${p}; the line is skipped`);
  return policy;
}

export function createMonProtocolServer(opts: MonProtocolServerOptions): MonProtocolServer {
  const log = opts.log.child({ component: 'mon-protocol' });
  let policy: AuthPolicy = parseAuthCf(DEBIAN_DEFAULT_AUTH).policy;
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const ctx: CommandContext = {
    runtime: opts.runtime,
    policy: () => policy,
    reloadAuth: async () => {
      try {
        policy = await loadAuthPolicy(opts.authFile, log);
        return true;
      } catch (err) {
        log.error({ authFile: opts.authFile, err: errorMessage(err) }, 'reload auth: cannot read the auth file; keeping the old rules');
        return false;
      }
    },
    authTypes: opts.authTypes ?? ['getpwnam'],
    userFile: opts.userFile,
    now: opts.now ?? Date.now,
    histlength: opts.histlength ?? 100,
    log,
    checkConfig: opts.checkConfig,
    shared: {},
  };

  const handle = (sock: Socket) => {
    const ip = sock.remoteAddress ?? '';
    if (!clientAllowed(opts.clientAllow, ip)) {
      log.warn({ client: ip }, 'mon client not in clientallow; closed');
      sock.destroy();
      return;
    }
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.setTimeout(opts.cltimeoutMs ?? 30_000, () => sock.destroy());
    sock.setNoDelay(true);
    const session: Session = { clientIp: ip };
    let buf = '';
    let busy = Promise.resolve();
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE && !/[\r\n]/.test(buf)) return void sock.destroy();
      for (let m = /^([^\r\n]*)[\r\n]+/.exec(buf); m; m = /^([^\r\n]*)[\r\n]+/.exec(buf)) {
        buf = buf.slice(m[0].length);
        const line = Buffer.from(m[1]!, 'latin1').toString('utf8');
        busy = busy.then(() => run(line, session, sock));
      }
    });
  };

  const run = async (line: string, session: Session, sock: Socket) => {
    if (sock.destroyed) return;
    let reply;
    try {
      reply = await monCommand(line.trim(), session, ctx);
    } catch (err) {
      log.error({ cmd: line.split(/\s/)[0], err: errorMessage(err) }, 'mon client command failed');
      reply = { lines: [`520 command failed: ${errorMessage(err).replace(/[\r\n]+/g, ' ')}`] };
    }
    if (!/^\s*login/i.test(line)) log.debug({ client: session.clientIp, cmd: line }, 'mon client command');
    if (sock.destroyed) return;
    sock.write(Buffer.from(reply.lines.map((l) => l + '\n').join(''), 'utf8'));
    if (reply.close) sock.end();
  };

  return {
    policy: () => policy,
    async listen() {
      policy = await loadAuthPolicy(opts.authFile, log);
      const { host, port } = parseListen(opts.listen ?? '127.0.0.1:2583', 'mon_protocol.listen');
      server = createServer(handle);
      await new Promise<void>((ok, fail) => {
        server!.once('error', (err: NodeJS.ErrnoException) =>
          fail(new Error(`mon protocol: cannot listen on ${host}:${port}: ${err.code ?? err.message}${err.code === 'EADDRINUSE' ? ' (is mon still running? stop it, or set mon_protocol.listen)' : ''}`)),
        );
        server!.listen(port, host, () => ok());
      });
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host, port };
      log.info(bound, 'mon client protocol listening');
      return bound;
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (server) await new Promise<void>((ok) => server!.close(() => ok()));
      server = undefined;
    },
  };
}
