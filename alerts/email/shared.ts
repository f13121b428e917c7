/**
 * @fileoverview One mailer (SMTP transport + digest/rate-limit batcher) per
 * distinct email configuration, shared by every alert entry that uses it. The
 * engine creates one alert instance per service and alert line, so this sharing
 * is what lets a digest fold mails of several services and a rate limit cap what
 * one recipient list receives. Released with the last instance (reloads keep it).
 */
import type { MailBatcher } from './batcher.ts';
import type { Transporter } from './transport.ts';

interface Entry {
  batcher: MailBatcher;
  transporter: Transporter;
  refs: number;
}

const mailers = new Map<string, Entry>();

export interface MailerHandle {
  batcher: MailBatcher;
  release(): void;
}

export function acquireMailer(key: string, make: () => { batcher: MailBatcher; transporter: Transporter }): MailerHandle {
  let e = mailers.get(key);
  if (!e) mailers.set(key, (e = { ...make(), refs: 0 }));
  e.refs++;
  const entry = e;
  let released = false;
  return {
    batcher: entry.batcher,
    release() {
      if (released) return;
      released = true;
      if (--entry.refs > 0) return;
      mailers.delete(key);
      entry.batcher.close();
      entry.transporter.close();
    },
  };
}
