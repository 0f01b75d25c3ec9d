import type { MailIntake } from '../../inbound/mail-intake.js';
import { ingestBatch } from './ingest-batch.js';
import type { IngestDeps } from './ingest-batch.js';
import { createParseAhead } from './parse-ahead.js';
import { quarantineOversized } from './quarantine-oversized.js';

/**
 * Bytes of mail ingested in one transaction: all of it is parsed before the transaction starts and
 * held until it ends (a batch of small mails is a fraction of this).
 */
const MAX_INGEST_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * What the mailbox readers hand their mail to (inbound/mail-intake.ts): the mails of one hand-over
 * in one transaction (ingest-batch.ts), a mail alone as a batch of one, and the next hand-over's
 * mails parsed while this one commits (parse-ahead.ts). One for the process: both mailboxes'
 * readers share it, and with it the parsing ahead.
 */
export function createBatchIntake(deps: IngestDeps): MailIntake {
  const ahead = createParseAhead(deps.config);
  return {
    maxHandOverBytes: MAX_INGEST_BATCH_BYTES,
    ingest: (mails) => ingestBatch({ ...deps, ahead }, mails),
    quarantineOversized: (input) => quarantineOversized(deps, input),
    comingNext: (raws, mailbox) => ahead.start(raws, mailbox),
  };
}
