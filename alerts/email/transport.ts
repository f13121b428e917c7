/**
 * @fileoverview Builds the nodemailer SMTP transport from the normalised options.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import nodemailer, { type Transporter as MailTransporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { NormalOptions } from './options.ts';

export type Transporter = MailTransporter<SMTPTransport.SentMessageInfo>;

/** Socket bounds so a send the dispatcher gave up on cannot linger and arrive much later. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Mail to the local MTA never leaves the machine, and Debian's postfix/exim offer
 * STARTTLS with a self-signed "snakeoil" certificate that would fail verification:
 * so `starttls: auto` does not use STARTTLS on loopback (`required` still does).
 */
export function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host.toLowerCase() === 'localhost';
}

export function createTransport(o: NormalOptions, password: string | undefined, configDir: string): Transporter {
  const tls: Record<string, unknown> = { rejectUnauthorized: o.tls.rejectUnauthorized };
  if (o.tls.servername) tls.servername = o.tls.servername;
  if (o.tls.ca) {
    const file = resolve(configDir, o.tls.ca);
    try {
      tls.ca = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`email option "tls.ca": cannot read ${file} (${(err as { code?: string }).code ?? 'error'})`);
    }
  }
  const opts: SMTPTransport.Options = {
    host: o.server.host,
    port: o.server.port,
    secure: o.server.secure,
    requireTLS: o.starttls === 'required',
    ignoreTLS: o.starttls === 'never' || (o.starttls === 'auto' && !o.server.secure && isLoopback(o.server.host)),
    tls,
    name: hostname(),
    ...TIMEOUTS,
    logger: false,
    debug: false,
  };
  if (o.user) opts.auth = { user: o.user, pass: password ?? '' };
  return nodemailer.createTransport(opts);
}
