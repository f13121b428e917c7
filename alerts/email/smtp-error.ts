/**
 * @fileoverview Turns nodemailer's errors into one line an operator can act on,
 * with the password (if it ever appears) blanked out.
 */
import { permanentFailure } from '../../core/types.ts';

export interface ErrorContext {
  /** `smtp://host:port` without any credentials. */
  server: string;
  user?: string;
  password?: string;
  to: string[];
}

const CERT = /certificate|self[- ]signed|unable to verify/i;
const UNREACHABLE = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ECONNRESET/;

function hintFor(code: string | undefined, raw: string, responseCode: number | undefined, c: ErrorContext): string {
  if (code === 'EAUTH') {
    return `the SMTP server refused the login of user "${c.user ?? ''}": check the user and the password (passwordEnv/passwordFile)`;
  }
  if (CERT.test(raw)) {
    return "the server's TLS certificate is not trusted: give its CA with tls: { ca: FILE } or, for a self-signed test server only, tls: { rejectUnauthorized: false }";
  }
  if (/STARTTLS/.test(raw)) return 'the server does not offer STARTTLS but starttls: required is set: use a server with TLS, or starttls: auto';
  if (UNREACHABLE.test(raw)) return 'cannot reach the mail server: is it running and listening on that address and port?';
  if (code === 'ETIMEDOUT' || /timeout/i.test(raw)) return 'the mail server did not answer in time';
  if (code === 'EENVELOPE') return `the server refused the sender or recipients (${c.to.join(', ')})`;
  if (responseCode) return `the server answered ${responseCode}${responseCode >= 500 ? ' (permanent refusal: check the addresses and the server\'s relay rules)' : ' (temporary: will retry)'}`;
  return 'sending failed';
}

export function smtpError(err: unknown, c: ErrorContext): Error {
  const e = err as { code?: string; message?: string; responseCode?: number };
  const raw = e?.message ?? String(err);
  let text = `email via ${c.server}: ${hintFor(e?.code, raw, e?.responseCode, c)} (${raw})`;
  if (c.password) text = text.split(c.password).join('****');
  // A 5xx answer (relay denied, mailbox unknown, content refused) will not change on a
  // retry; a refused login might (a fixed password file), so it is retried.
  const permanent = (e?.responseCode ?? 0) >= 500 && e?.code !== 'EAUTH';
  const out = permanent ? permanentFailure(text) : new Error(text);
  (out as { code?: string }).code = e?.code;
  return out;
}
