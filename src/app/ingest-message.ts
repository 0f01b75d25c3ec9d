import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { findRawMailByIdentity, insertRawMail, setRawMailDecision } from '../db/repositories/raw-mail-repository.js';
import { insertQuarantine } from '../db/repositories/quarantine-repository.js';
import { SlagateError, isTransientError } from '../errors.js';
import { classify } from '../inbound/classify.js';
import { mailIdentity, syntheticMessageId, type MailIdentity } from '../inbound/content-hash.js';
import { detectNoise } from '../inbound/detect-noise.js';
import { parseMail } from '../inbound/parse-mail.js';
import type { ParsedMail } from '../inbound/parsed-mail.js';
import type { IngestDecision, IngestInput, IngestOutcome } from './ingest-types.js';
import { routeParsedMail } from './route-parsed-mail.js';

export interface IngestDeps {
  db: Db;
  config: Config;
  logger: Logger;
  clock: () => Date;
}

/**
 * Raw bytes in, exactly one committed outcome out. Parsing and classification (CPU) happen before
 * the transaction; the transaction only writes, so it stays short and holds no IO but the
 * database. Calling it again with the same mail answers `duplicate` and changes nothing.
 */
export async function ingestMessage(deps: IngestDeps, input: IngestInput): Promise<IngestOutcome> {
  const identity = mailIdentity(input.raw);
  if (input.raw.length > deps.config.limits.maxMessageBytes) {
    return quarantineRaw(deps, input, identity, 'MESSAGE_TOO_LARGE',
      `message is ${input.raw.length} bytes, over the limit of ${deps.config.limits.maxMessageBytes}`);
  }
  // Lenient on purpose (an mbox From_ line first, obsolete "From  :" spacing): only input with no
  // header field at all near its start is refused as not being mail.
  if (!/^[\x21-\x39\x3b-\x7e]+[ \t]*:/m.test(input.raw.subarray(0, 4096).toString('latin1'))) {
    return quarantineRaw(deps, input, identity, 'NOT_A_MAIL', input.raw.length === 0 ? 'empty input' : 'no header field found');
  }
  let mail: ParsedMail;
  try {
    mail = await parseMail(input.raw, { maxTextChars: deps.config.limits.maxTextChars });
  } catch (err) {
    const code = err instanceof SlagateError ? err.code : 'PARSE_FAILED';
    return quarantineRaw(deps, input, identity, code, (err as Error).message);
  }
  try {
    return await commitParsed(deps, input, identity, mail);
  } catch (err) {
    if (isTransientError(err)) {
      throw new SlagateError('DB_UNAVAILABLE', `ingest could not commit: ${(err as Error).message}`, { cause: err, retryable: true });
    }
    // A mail that breaks our own processing is quarantined with its bytes, never dropped, and never
    // blocks the mail behind it.
    deps.logger.error({ err, mailbox: input.mailbox, messageId: mail.messageId }, 'ingest failed; quarantining');
    return quarantineRaw(deps, input, identity, 'INTERNAL', `processing failed: ${(err as Error).message}`);
  }
}

async function commitParsed(deps: IngestDeps, input: IngestInput, identity: MailIdentity, mail: ParsedMail): Promise<IngestOutcome> {
  const { config } = deps;
  const messageId = mail.messageId ?? syntheticMessageId(identity.contentHash);
  const noise = detectNoise(mail, {
    addresses: [config.mailboxes.support.address, config.mailboxes.management.address],
    messageIdDomain: config.messageIdDomain,
  });
  const classification = classify(
    { subject: mail.subject, text: mail.text, mailbox: input.mailbox }, config.policy, config.ticketPrefix,
  );
  const now = deps.clock();

  const outcome = await deps.db.transaction(async (tx) => {
    const rawMailId = await insertRawMail(tx, rawRow(input, identity, messageId, mail.messageId === null, now));
    if (rawMailId === null) return null;
    const routed = await routeParsedMail(tx, { config, now, logger: deps.logger }, {
      input, mail, messageId, rawMailId, noise, classification,
    });
    await setRawMailDecision(tx, rawMailId, {
      decision: routed.decision, reason: routed.reason, acknowledge: routed.acknowledge, ticketId: routed.ticket?.id ?? null,
    });
    return { ...routed, rawMailId };
  });
  if (outcome === null) return duplicateOutcome(deps, input, messageId, identity);
  return outcome;
}

async function duplicateOutcome(deps: IngestDeps, input: IngestInput, messageId: string, identity: MailIdentity): Promise<IngestOutcome> {
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

function rawRow(input: IngestInput, identity: MailIdentity, messageId: string, synthetic: boolean, now: Date) {
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
