import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { findRawMailByIdentity, insertRawMail, setRawMailDecision } from '../../db/repositories/raw-mail-repository.js';
import { insertQuarantine } from '../../db/repositories/quarantine-repository.js';
import { withWriteBehind } from '../../db/write-behind.js';
import { mailIdentity, syntheticMessageId, type MailIdentity } from '../../inbound/content-hash.js';
import { SlagateError, describeError, isTransientError } from '../../errors.js';
import type { IngestDecision, IngestInput, IngestOutcome } from '../../inbound/ingest-types.js';
import type { VerifyMail } from '../../inbound/mail-authentication.js';
import { parseAndClassify, type ClassifiedMail } from './parse-and-classify.js';
import { routeParsedMail } from './route-parsed-mail.js';

export interface IngestDeps {
  db: Db;
  config: Config;
  logger: Logger;
  clock: () => Date;
  /** Authentication mode `verify`: judges each mail's origin (mail-auth/verify-mail.ts); else unset. */
  verify?: VerifyMail;
}

/**
 * Raw bytes in, exactly one committed outcome out. Parsing and classification (CPU) happen before
 * the transaction; the transaction only writes, so it stays short and holds no IO but the
 * database. Calling it again with the same mail answers `duplicate` and changes nothing.
 */
export async function ingestMessage(deps: IngestDeps, input: IngestInput): Promise<IngestOutcome> {
  const identity = mailIdentity(input.raw);
  const prepared = await parseAndClassify(deps.config, input.raw, input.mailbox, deps.verify);
  return ingestPrepared(deps, input, identity, prepared);
}

/** ingestMessage after its CPU part: one mail's transaction, or its quarantine. */
export async function ingestPrepared(deps: IngestDeps, input: IngestInput, identity: MailIdentity, prepared: ClassifiedMail): Promise<IngestOutcome> {
  if (!prepared.ok) return quarantineRaw(deps, input, identity, prepared.code, prepared.reason);
  const { mail } = prepared;
  try {
    return await commitParsed(deps, input, identity, prepared);
  } catch (err) {
    if (isTransientError(err)) {
      throw new SlagateError('DB_UNAVAILABLE', `ingest could not commit: ${describeError(err)}`, { cause: err, retryable: true });
    }
    // A mail that breaks our own processing is quarantined with its bytes, never dropped, and never
    // blocks the mail behind it.
    deps.logger.error({ err, mailbox: input.mailbox, messageId: mail.messageId }, 'ingest failed; quarantining');
    return quarantineRaw(deps, input, identity, 'INTERNAL', `processing failed: ${describeError(err)}`);
  }
}

async function commitParsed(
  deps: IngestDeps, input: IngestInput, identity: MailIdentity, prepared: Extract<ClassifiedMail, { ok: true }>,
): Promise<IngestOutcome> {
  const { config } = deps;
  const { mail, noise, classification, authentication } = prepared;
  const messageId = mail.messageId ?? syntheticMessageId(identity.contentHash);
  const now = deps.clock();

  const outcome = await deps.db.transaction((tx) => withWriteBehind(async (writes) => {
    const rawMailId = await insertRawMail(tx, rawRow(input, identity, messageId, mail.messageId === null, now));
    if (rawMailId === null) return null;
    const routed = await routeParsedMail(tx, { config, now, logger: deps.logger, writes }, {
      input, mail, messageId, rawMailId, noise, classification, authentication,
    });
    writes.defer(setRawMailDecision(tx, rawMailId, {
      decision: routed.decision, reason: routed.reason, acknowledge: routed.acknowledge, ticketId: routed.ticket?.id ?? routed.recordedOn ?? null,
    }));
    return { ...routed, rawMailId };
  }));
  if (outcome === null) return duplicateOutcome(deps, input, messageId, identity);
  return outcome;
}

export async function duplicateOutcome(deps: IngestDeps, input: IngestInput, messageId: string, identity: MailIdentity): Promise<IngestOutcome> {
  const first = await findRawMailByIdentity(deps.db, input.mailbox, messageId, identity.contentHash);
  return {
    decision: 'duplicate',
    acknowledge: false,
    reason: `already ingested as raw mail ${first?.id ?? '?'} (${first?.decision ?? 'unknown'})`,
    rawMailId: first?.id ?? null,
    ticket: null,
  };
}

async function quarantineRaw(
  deps: IngestDeps, input: IngestInput, identity: MailIdentity, code: string, reason: string,
): Promise<IngestOutcome> {
  const messageId = identity.headerMessageId ?? syntheticMessageId(identity.contentHash);
  const now = deps.clock();
  const decision: IngestDecision = 'quarantined';
  const rawMailId = await deps.db.transaction(async (tx) => {
    const id = await insertRawMail(tx, {
      ...rawRow(input, identity, messageId, identity.headerMessageId === null, now),
      decision, reason: `${code}: ${reason}`,
    });
    if (id !== null) await insertQuarantine(tx, { rawMailId: id, mailbox: input.mailbox, reasonCode: code, reason, at: now });
    return id;
  });
  if (rawMailId === null) return duplicateOutcome(deps, input, messageId, identity);
  deps.logger.warn({ mailbox: input.mailbox, rawMailId, code }, 'mail quarantined');
  return { decision, acknowledge: false, reason: `${code}: ${reason}`, rawMailId, ticket: null };
}

export function rawRow(input: IngestInput, identity: MailIdentity, messageId: string, synthetic: boolean, now: Date) {
  return {
    mailbox: input.mailbox,
    messageId,
    syntheticMessageId: synthetic,
    sha256: identity.sha256,
    contentHash: identity.contentHash,
    raw: input.raw,
    size: input.raw.length,
    receivedAt: input.receivedAt,
    ingestedAt: now,
    source: input.source,
    imapUidvalidity: input.imap?.uidvalidity ?? null,
    imapUid: input.imap?.uid ?? null,
    decision: 'pending',
  };
}
