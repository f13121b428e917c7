/**
 * @fileoverview Options of the `email` alert: types, JSON Schema, and their
 * normalised form (arrays, milliseconds, parsed server address).
 */
import { hostname } from 'node:os';
import type { JsonSchema } from '../../core/types.ts';
import { toMs } from './duration.ts';

export interface EmailOptions {
  /** Mail server as nodemailer takes it: `smtp://host:port` (STARTTLS when offered) or `smtps://host:port` (TLS). @default "smtp://127.0.0.1:25" */
  smtp?: string;
  /** @default "vigil@<this host's name>" */
  from?: string;
  to: string | string[];
  cc?: string | string[];
  /** STARTTLS on `smtp://`: `auto` uses it when offered (not to a loopback server), `required` refuses to send without it, `never` does not try. @default "auto" */
  starttls?: 'auto' | 'required' | 'never';
  tls?: { rejectUnauthorized?: boolean; servername?: string; ca?: string };
  /** SMTP login; the password comes from `passwordEnv` or `passwordFile`, never the config. */
  user?: string;
  passwordEnv?: string;
  passwordFile?: string;
  /** Template; fields like {watch} {service} {summary}. @default "{alert} {watch}/{service}: {summary} ({timeShort})" */
  subject?: string;
  /** Template; @default mon's mail.alert body */
  body?: string;
  /** Seconds (or "30s", "5m"): events arriving within this window after the first go out as one mail. @default 0 */
  digest?: number | string;
  /** At most `max` mails per `per`; alerts over it are held and folded into the next mail. */
  rateLimit?: { max: number; per: string | number };
}

const addresses: JsonSchema = {
  oneOf: [
    { type: 'string', minLength: 3 },
    { type: 'array', minItems: 1, items: { type: 'string', minLength: 3 } },
  ],
};
const duration: JsonSchema = { oneOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|[smhd])\\s*$' }] };

export const emailOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    smtp: { type: 'string', pattern: '^smtps?://' },
    from: { type: 'string', minLength: 3 },
    to: addresses,
    cc: addresses,
    starttls: { enum: ['auto', 'required', 'never'] },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rejectUnauthorized: { type: 'boolean' },
        servername: { type: 'string', minLength: 1 },
        ca: { type: 'string', minLength: 1 },
      },
    },
    user: { type: 'string', minLength: 1 },
    passwordEnv: { type: 'string', minLength: 1 },
    passwordFile: { type: 'string', minLength: 1 },
    subject: { type: 'string', minLength: 1 },
    body: { type: 'string', minLength: 1 },
    digest: duration,
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      required: ['max', 'per'],
      properties: { max: { type: 'integer', minimum: 1 }, per: duration },
    },
  },
};

export interface SmtpServer {
  host: string;
  port: number;
  secure: boolean;
  /** For messages and logs: never carries credentials. */
  display: string;
  urlUser?: string;
  urlPassword?: string;
}

/** Parse the `smtp` URL; user:password in it are accepted but discouraged (kept out of messages). */
export function parseSmtpUrl(text: string): SmtpServer {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`email option "smtp": not a URL; write it like "smtp://127.0.0.1:25" or "smtps://mail.example.com:465"`);
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') {
    throw new Error(`email option "smtp": scheme must be smtp:// or smtps://, got ${u.protocol}//`);
  }
  const secure = u.protocol === 'smtps:';
  const port = u.port ? Number(u.port) : secure ? 465 : 25;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error('email option "smtp": no host name in the URL');
  const s: SmtpServer = { host, port, secure, display: `${u.protocol}//${u.port ? u.host : `${u.host}:${port}`}` };
  if (u.username) s.urlUser = decodeURIComponent(u.username);
  if (u.password) s.urlPassword = decodeURIComponent(u.password);
  return s;
}

export interface NormalOptions {
  server: SmtpServer;
  from: string;
  to: string[];
  cc: string[];
  starttls: 'auto' | 'required' | 'never';
  tls: { rejectUnauthorized: boolean; servername?: string; ca?: string };
  user?: string;
  digestMs: number;
  rateLimit?: { max: number; perMs: number; text: string };
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function normalise(o: EmailOptions): NormalOptions {
  const to = list(o.to);
  if (to.length === 0) throw new Error('email option "to": give at least one address');
  const n: NormalOptions = {
    server: parseSmtpUrl(o.smtp ?? 'smtp://127.0.0.1:25'),
    from: o.from ?? `vigil@${hostname()}`,
    to,
    cc: list(o.cc),
    starttls: o.starttls ?? 'auto',
    tls: { rejectUnauthorized: o.tls?.rejectUnauthorized ?? true },
    digestMs: o.digest === undefined ? 0 : toMs(o.digest, 'digest'),
  };
  if (o.tls?.servername) n.tls.servername = o.tls.servername;
  if (o.tls?.ca) n.tls.ca = o.tls.ca;
  const user = o.user ?? n.server.urlUser;
  if (user) n.user = user;
  if (o.rateLimit) {
    const perMs = toMs(o.rateLimit.per, 'rateLimit.per');
    if (perMs <= 0) throw new Error('email option "rateLimit.per" must be longer than 0');
    n.rateLimit = { max: o.rateLimit.max, perMs, text: `${o.rateLimit.max} mails per ${typeof o.rateLimit.per === 'number' ? `${o.rateLimit.per}s` : o.rateLimit.per}` };
  }
  return n;
}
