/**
 * @fileoverview A real SMTP server on loopback for tests (the `smtp-server`
 * package): records every accepted message as raw RFC 822 text, and can reject,
 * be slow, require AUTH, offer STARTTLS or implicit TLS with the self-signed
 * fixture certificate, and stop/start again on the same port.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

const TLS_DIR = resolve(import.meta.dirname, '../fixtures/tls');

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as received: headers, blank line, body (dot-unstuffed). */
  raw: string;
  /** Logged-in user, if AUTH was used. */
  user?: string;
  /** The session ran over TLS (STARTTLS or implicit). */
  secure: boolean;
  at: number;
}

export interface TestSmtpOptions {
  /** Fixed port (to restart on the same one); else a free port. */
  port?: number;
  /** Require AUTH PLAIN/LOGIN with these credentials. */
  auth?: { user: string; pass: string };
  /** Offer STARTTLS with the fixture certificate. @default false */
  starttls?: boolean;
  /** Implicit TLS from the first byte (smtps). @default false */
  secure?: boolean;
}

export interface TestSmtp {
  readonly port: number;
  /** `smtp://127.0.0.1:PORT` (or smtps://). */
  readonly url: string;
  readonly messages: ReceivedMail[];
  /** Failed AUTH attempts seen. */
  authFailures: number;
  /** Messages whose DATA arrived but were not (yet) answered: slow or hanging. */
  inData: number;
  /** Answer DATA with this code (e.g. 451 temporary, 554 permanent) until set back to null. */
  reject: { code: number; message: string } | null;
  /** Wait this long before answering DATA. */
  delayMs: number;
  /** Once this many messages were accepted, never answer DATA again (a hung server) until set back to null. */
  hangAfter: number | null;
  /** Wait for at least `n` messages; fails after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
  /** Start again on the same port after stop(). */
  start(): Promise<void>;
}

function tlsFiles(): { key: Buffer; cert: Buffer } {
  const key = join(TLS_DIR, 'server-key.pem');
  const cert = join(TLS_DIR, 'server-cert.pem');
  if (!existsSync(key) || !existsSync(cert)) {
    throw new Error(`TLS fixture missing: ${cert} and ${key} (self-signed, CN=localhost, IP 127.0.0.1) must exist`);
  }
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

export async function startSmtp(opts: TestSmtpOptions = {}): Promise<TestSmtp> {
  let server: SMTPServer | undefined;
  let port = opts.port ?? 0;
  const state: TestSmtp = {
    port: 0,
    url: '',
    messages: [],
    authFailures: 0,
    inData: 0,
    reject: null,
    delayMs: 0,
    hangAfter: null,
    async waitFor(n, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (state.messages.length < n) {
        if (Date.now() > end) throw new Error(`SMTP test server: expected ${n} message(s), got ${state.messages.length} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return state.messages;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
    async start() {
      if (server) return;
      server = new SMTPServer(serverOptions());
      server.on('error', () => {});
      await new Promise<void>((res, rej) => {
        server!.once('error', rej);
        server!.listen(port, '127.0.0.1', () => res());
      });
      const addr = (server as unknown as { server: { address(): { port: number } } }).server.address();
      port = addr.port;
      Object.assign(state, { port, url: `${opts.secure ? 'smtps' : 'smtp'}://127.0.0.1:${port}` });
    },
  };

  function serverOptions(): SMTPServerOptions {
    const o: SMTPServerOptions = {
      logger: false,
      closeTimeout: 50,
      secure: !!opts.secure,
      authOptional: !opts.auth,
      allowInsecureAuth: true,
      disabledCommands: [...(opts.starttls || opts.secure ? [] : ['STARTTLS']), ...(opts.auth ? [] : ['AUTH'])],
      onAuth(auth, _session, cb) {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
        state.authFailures++;
        const err = Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 });
        cb(err);
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          state.inData++;
          const finish = () => {
            state.inData--;
            if (state.reject) {
              return cb(Object.assign(new Error(state.reject.message), { responseCode: state.reject.code }));
            }
            state.messages.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: Buffer.concat(chunks).toString('utf8'),
              user: typeof session.user === 'string' ? session.user : undefined,
              secure: session.secure,
              at: Date.now(),
            });
            cb(null);
          };
          if (state.hangAfter !== null && state.messages.length >= state.hangAfter) return;
          if (state.delayMs > 0) setTimeout(finish, state.delayMs);
          else finish();
        });
      },
    };
    if (opts.starttls || opts.secure) Object.assign(o, tlsFiles());
    return o;
  }

  await state.start();
  return state;
}

/** Header value of a raw message (first occurrence, unfolded), or undefined. */
export function header(raw: string, name: string): string | undefined {
  return headers(raw, name)[0];
}

/** Every value of a header in a raw message, unfolded. */
export function headers(raw: string, name: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const out: string[] = [];
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).toLowerCase() === name.toLowerCase()) out.push(line.slice(i + 1).trim());
  }
  return out;
}

/** Body of a raw message (after the first blank line), with CRLF turned into LF. */
export function body(raw: string): string {
  const i = raw.search(/\r?\n\r?\n/);
  return raw.slice(i).replace(/^\r?\n\r?\n/, '').replace(/\r\n/g, '\n');
}

/** Body with quoted-printable or base64 transfer encoding undone (ASCII/UTF-8 text parts). */
export function decodedBody(raw: string): string {
  const b = body(raw);
  const cte = (header(raw, 'Content-Transfer-Encoding') ?? '').toLowerCase();
  if (cte === 'base64') return Buffer.from(b.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte !== 'quoted-printable') return b;
  const bytes = b.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
