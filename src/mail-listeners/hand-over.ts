import type { Logger } from 'pino';
import type { IngestInput, IngestOutcome } from '../inbound/ingest-types.js';
import { SlagateError, isTransientError } from '../errors.js';

/**
 * The one hand-over from a listener (SMTP, LMTP, the pipe's socket) to the ingest path: the
 * outcome once the raw mail is committed, or an error carrying the reply the client must get.
 * A temporary failure (database down, disk full, anything we did not foresee) is 451, so the
 * sending MTA keeps the mail and tries again; a retry of a mail that did commit answers
 * `duplicate`, which is what makes the whole path exactly-once.
 */
export async function handOver(
  ingest: (input: IngestInput) => Promise<IngestOutcome>,
  logger: Logger,
  input: IngestInput,
): Promise<IngestOutcome> {
  let outcome: IngestOutcome;
  try {
    outcome = await ingest(input);
  } catch (err) {
    const retryable = isTransientError(err) || !(err instanceof SlagateError);
    logger.error({ err, mailbox: input.mailbox, code: (err as SlagateError).code ?? 'INTERNAL' }, 'local mail not ingested');
    throw retryable
      ? smtpError(451, '4.3.0 the gateway cannot store mail right now; try again later')
      : smtpError(554, `5.3.0 ${(err as Error).message}`);
  }
  logger.info({ mailbox: input.mailbox, decision: outcome.decision, ticket: outcome.ticket?.private ? 'private' : outcome.ticket?.number, rawMailId: outcome.rawMailId }, 'local mail ingested');
  return outcome;
}

/**
 * The envelope sender as a delivering MTA records it: bounce detection relies on a null return
 * path, which exists only in the envelope. An upstream Return-Path is not trusted, so ours goes first.
 */
export function withReturnPath(raw: Buffer, mailFrom: string): Buffer {
  const safe = mailFrom.replace(/[\r\n<>]/g, '');
  return Buffer.concat([Buffer.from(`Return-Path: <${safe}>\r\n`, 'latin1'), raw]);
}

/** An error smtp-server turns into this reply code. */
export function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}
