/**
 * @fileoverview Socket and TLS errors in plain words for summaries, shared by the
 * tcp and http monitors: "connection refused", not "ECONNREFUSED".
 */

const WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host is down',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name not found in DNS',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  UND_ERR_SOCKET: 'connection closed by the server before a full answer',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
  HPE_HEADER_OVERFLOW: 'response headers too large',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'body cut short: the server closed before sending its Content-Length',
  HPE_INVALID_CONSTANT: 'answer is not HTTP',
};

/** TLS verification codes from OpenSSL (err.code) that mean "certificate not trusted". */
const CERT_HINT = 'set tlsVerify: false, or give the issuing CA with ca: FILE';

/** One short phrase for a network error; falls back to the error's own message. */
export function describeNetError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: unknown; reason?: string } | undefined;
  const cause = e?.cause as { code?: string } | undefined;
  // undici wraps the socket error; the cause's code is the useful one.
  const code = e?.code === 'UND_ERR_SOCKET' && cause?.code ? cause.code : e?.code;
  if (code && WORDS[code]) return WORDS[code]!;
  if ((e as { name?: string } | undefined)?.name === 'HTTPParserError') return `answer is not valid HTTP (${e?.message})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS certificate not accepted: ${e?.reason ?? e?.message} (${code}); probe with hostHeader/servername set to a name the certificate holds, or set tlsVerify: false`;
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME/.test(code)) {
    return `TLS certificate not accepted: ${e?.reason ?? e?.message ?? code} (${code}); ${CERT_HINT}`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return 'TLS handshake failed: the server does not speak TLS on this port (wrong version number)';
  if (code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS')) return `TLS handshake failed: ${e?.reason ?? e?.message ?? code}`;
  return e?.message || String(err);
}

/**
 * True when the abort came from a timeout, not a shutdown: vigil's scheduler aborts
 * with a CheckTimeoutError (code VIGIL_ERR_CHECK_TIMEOUT), AbortSignal.timeout with a
 * DOMException named TimeoutError. Duck-typed: plugins import nothing from core but types.
 */
export function isTimeoutReason(reason: unknown): boolean {
  const r = reason as { name?: string; code?: string } | undefined;
  return r?.name === 'TimeoutError' || r?.code === 'VIGIL_ERR_CHECK_TIMEOUT';
}
