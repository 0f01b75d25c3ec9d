import { SlagateError } from '../errors.js';

/** nodemailer's codes for "could not talk to the server at all". */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EAUTH', 'ETLS', 'EPROXY']);

/**
 * Turns a nodemailer failure into one of three outcomes: the server could not be reached or used
 * (SMTP_CONNECTION: retry, and count it towards the circuit breaker), it answered 4xx
 * (SMTP_TEMPORARY: retry with backoff), or it answered 5xx (SMTP_PERMANENT: give up).
 */
export function classifySmtpError(err: unknown): SlagateError {
  if (err instanceof SlagateError) return err;
  const e = (err ?? {}) as { code?: string; command?: string; responseCode?: number; response?: string; message?: string };
  const detail = e.response ?? e.message ?? String(err);
  // RFC 5321 4.2: 421 means the server is closing the channel, whatever command it answers.
  if (e.command === 'CONN' || e.responseCode === 421 || (e.code && CONNECTION_CODES.has(e.code))) {
    return new SlagateError('SMTP_CONNECTION', `SMTP server unavailable: ${detail}`, { cause: err });
  }
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500) return new SlagateError('SMTP_PERMANENT', `SMTP ${e.responseCode}: ${detail}`, { cause: err });
    if (e.responseCode >= 400) return new SlagateError('SMTP_TEMPORARY', `SMTP ${e.responseCode}: ${detail}`, { cause: err });
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') {
    return new SlagateError('SMTP_PERMANENT', `message refused: ${detail}`, { cause: err });
  }
  return new SlagateError('SMTP_TEMPORARY', `SMTP failure: ${detail}`, { cause: err });
}

/** 5xx answers are final; anything else (4xx, no code) may change on a later attempt. */
export function isPermanentResponse(response: string): boolean {
  return /^5\d\d/.test(response.trim());
}
