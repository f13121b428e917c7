/**
 * @fileoverview The `email` alert: one mail per event (mon's mail.alert format by
 * default) through an SMTP server with nodemailer; STARTTLS/TLS, AUTH with the
 * password from the environment or a file, subject/body templates, digest and
 * a rate limit. `send` resolves once the server accepted the mail carrying the
 * event; a throw makes the dispatcher retry.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { defineAlert } from '../core/types.ts';
import { MailBatcher } from './email/batcher.ts';
import { compileMessage, templateProblems } from './email/message.ts';
import { problemsOf } from '../core/kit/option-problems.ts';
import { emailOptionsSchema, normalise, type EmailOptions } from './email/options.ts';
import { readPassword } from './email/password.ts';
import { RateLimit } from './email/rate-limit.ts';
import { acquireMailer } from './email/shared.ts';
import { smtpError } from './email/smtp-error.ts';
import { createTransport } from './email/transport.ts';

export type { EmailOptions } from './email/options.ts';

/** Longest one SMTP exchange may take, on top of any digest or rate-limit wait. */
const SMTP_BOUND_MS = 60_000;

export default defineAlert<EmailOptions>({
  kind: 'alert',
  name: 'email',
  apiVersion: 1,
  description: 'mail the event to people through an SMTP server (like mon\'s mail.alert)',
  optionsSchema: emailOptionsSchema,
  checkOptions: (options) => [...problemsOf(() => normalise(options)), ...templateProblems(options)],
  create(options, ctx) {
    const n = normalise(options);
    const templates = compileMessage(options.subject, options.body);
    const fromUrl = n.server.urlPassword !== undefined && !options.passwordEnv && !options.passwordFile;
    const password = fromUrl ? n.server.urlPassword : readPassword({ ...options, user: n.user }, ctx.configDir, process.env, ctx.log);
    const errCtx = { server: n.server.display, user: n.user, password, to: n.to };
    const key = JSON.stringify([ctx.configDir, options, createHash('sha256').update(password ?? '').digest('hex')]);
    const mailer = acquireMailer(key, () => {
      const transporter = createTransport(n, password, ctx.configDir);
      const batcher = new MailBatcher({
        templates,
        digestMs: n.digestMs,
        rateLimit: n.rateLimit ? new RateLimit(n.rateLimit.max, n.rateLimit.perMs) : undefined,
        rateLimitText: n.rateLimit?.text,
        now: ctx.now,
        log: ctx.log,
        async deliver(mail) {
          try {
            await transporter.sendMail({
              from: n.from,
              to: n.to,
              cc: n.cc.length ? n.cc : undefined,
              subject: mail.subject,
              text: mail.text,
              // Stable per event set: a mail resent after a crash carries the same id, so mail clients can fold the copy.
              messageId: `<${createHash('sha256').update(mail.eventIds.join('\n')).digest('hex').slice(0, 32)}.vigil@${hostname()}>`,
              headers: { 'X-Mailer': 'vigil', 'X-Vigil-Event': mail.eventIds },
            });
          } catch (err) {
            throw smtpError(err, errCtx);
          }
        },
      });
      return { transporter, batcher };
    });
    return {
      sendTimeoutMs: SMTP_BOUND_MS + n.digestMs + (n.rateLimit?.perMs ?? 0),
      send: (event, signal) => mailer.batcher.submit(event, signal),
      flush: () => mailer.batcher.flushNow(),
      async close() {
        mailer.release();
      },
    };
  },
});
