/**
 * One catalogue of stable error codes. Each error says whether trying again can help, so callers
 * (the ingest CLI's exit code, the outbox's retry, the mailbox supervisor) decide without parsing
 * messages.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { retryable: false },
  PARSE_FAILED: { retryable: false },
  MESSAGE_TOO_LARGE: { retryable: false },
  DB_UNAVAILABLE: { retryable: true },
  DB_CONFLICT: { retryable: true },
  IMAP_CONNECTION: { retryable: true },
  IMAP_AUTH: { retryable: false },
  IMAP_COMMAND_FAILED: { retryable: true },
  SMTP_TEMPORARY: { retryable: true },
  SMTP_PERMANENT: { retryable: false },
  SMTP_CONNECTION: { retryable: true },
  /** A mail that waited for a connection longer than it was allowed (maxWaitMs): never handed to the server. */
  SMTP_NOT_STARTED: { retryable: true },
  TEMPLATE_MISSING_VARIABLE: { retryable: false },
  TEMPLATE_NOT_FOUND: { retryable: false },
  LEASE_LOST: { retryable: true },
  INPUT_INVALID: { retryable: false },
  /** A stored attachment an outgoing mail refers to could not be read back from its raw mail. */
  ATTACHMENT_UNAVAILABLE: { retryable: false },
  INTERNAL: { retryable: false },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SlagateError extends Error {
  readonly retryable: boolean;
  constructor(readonly code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SlagateError';
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
  }
}

/** Network and server-side hiccups that a later attempt may not meet (Postgres and sockets). */
export function isTransientError(err: unknown): boolean {
  if (err instanceof SlagateError) return err.retryable;
  const e = err as { code?: string; cause?: unknown } | undefined;
  const code = e?.code ?? (e?.cause as { code?: string } | undefined)?.code;
  if (!code) return e?.cause ? isTransientError(e.cause) : false;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'CONNECTION_CLOSED', 'CONNECTION_ENDED',
      'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT'].includes(code) ||
    // Postgres classes 08 (connection), 40 (serialization/deadlock), 53 (resources), 57 (operator intervention)
    /^(08|40|53|57)/.test(code) || code === '55P03' /* lock_not_available */
  );
}

/**
 * A short, safe description of an error for reasons stored in the database and for logs: the
 * driver's own message rather than drizzle's wrapper (which repeats the query and every
 * parameter: mail text, raw bytes, private content), with values PostgreSQL quotes in its own
 * messages elided, without control characters (a NUL would
 * make the very insert of the reason fail again), bounded in length.
 */
export function describeError(err: unknown, maxChars = 500): string {
  let e = err as { message?: unknown; cause?: unknown; code?: unknown } | undefined;
  // DrizzleQueryError: "Failed query: <sql>\nparams: <values>", with the driver's error as cause.
  while (e && typeof e.message === 'string' && e.message.startsWith('Failed query:') && e.cause) {
    e = e.cause;
  }
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  let message = typeof e?.message === 'string' ? e.message : String(err);
  // PostgreSQL quotes the offending value in many messages (invalid input syntax ... "value").
  if (/^[0-9A-Z]{5}$/.test(String(e?.code))) message = message.replace(/"[^"]*"/g, '"…"');
  // eslint-disable-next-line no-control-regex -- controls in a driver message are what this removes before it is logged
  return `${code}${message}`.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, maxChars);
}
