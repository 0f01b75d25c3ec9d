import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { ImapSettings } from '../config.js';
import { SlagateError } from '../errors.js';

/** The client type the rest of src/imap works with; nothing outside src/imap sees imapflow. */
export type ImapSession = ImapFlow;

/**
 * A new ImapFlow for every connection: an instance cannot connect twice (`InstanceReused`).
 * The 'error' listener is attached before anything else can fail, since without one a socket
 * timeout is an uncaught exception; the supervisor learns about the end from 'close'.
 */
export function createImapSession(settings: ImapSettings, logger: Logger): ImapSession {
  const client = new ImapFlow({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: { user: settings.user, pass: settings.password },
    tls: { rejectUnauthorized: settings.tlsRejectUnauthorized },
    logger: logger.child({ component: 'imapflow' }) as never,
    socketTimeout: settings.socketTimeoutMs,
    maxIdleTime: settings.maxIdleTimeMs,
    // IDLE soon after each pass: the default 15 s would delay new-mail notices by that much.
    autoIdleDelay: 200,
    connectionTimeout: 30_000, // 30 seconds
    greetingTimeout: 16_000, // 16 seconds
    disableCompression: true,
  });
  client.on('error', (err: Error) => {
    logger.warn({ err, code: 'IMAP_CONNECTION' }, 'imap connection error');
  });
  return client;
}

/** Maps an imapflow failure to our catalogue: credentials refused is IMAP_AUTH (not retryable). */
export function toImapError(err: unknown, what: string): SlagateError {
  if (err instanceof SlagateError) return err;
  const e = err as { authenticationFailed?: boolean; message?: string } | undefined;
  if (e?.authenticationFailed) {
    return new SlagateError('IMAP_AUTH', `${what}: the server refused the credentials`, { cause: err });
  }
  return new SlagateError('IMAP_CONNECTION', `${what}: ${e?.message ?? String(err)}`, { cause: err });
}
