import { insertQuarantine } from '../../db/repositories/quarantine-repository.js';
import { findRawMailByIdentity, insertRawMail } from '../../db/repositories/raw-mail-repository.js';
import { mailIdentity, syntheticMessageId } from '../../inbound/content-hash.js';
import type { IngestOutcome } from '../../inbound/ingest-types.js';
import type { OversizedInput } from '../../inbound/mail-intake.js';
import type { IngestDeps } from './ingest-batch.js';
import { notifyOversizedSender } from './notify-oversized-sender.js';

/**
 * A mail over the size limit is not downloaded: its headers are kept and quarantined with the
 * reason, and the sender is told (unless it is automatic mail) so the mail is not silently lost.
 */
export async function quarantineOversized(deps: IngestDeps, input: OversizedInput): Promise<IngestOutcome> {
  const identity = mailIdentity(input.headers);
  const messageId = identity.headerMessageId ?? syntheticMessageId(identity.contentHash);
  const now = deps.clock();
  const reason = `MESSAGE_TOO_LARGE: ${input.size} bytes, over the limit of ${deps.config.limits.maxMessageBytes}; headers kept, body left on the IMAP server`;
  const outcome = await deps.db.transaction(async (tx) => {
    const id = await insertRawMail(tx, {
      mailbox: input.mailbox, messageId, syntheticMessageId: identity.headerMessageId === null, sha256: identity.sha256,
      contentHash: identity.contentHash, raw: input.headers, size: input.size, receivedAt: input.receivedAt, ingestedAt: now,
      source: 'imap', imapUidvalidity: input.imap.uidvalidity, imapUid: input.imap.uid, decision: 'quarantined', reason,
    });
    if (id === null) return null;
    await insertQuarantine(tx, { rawMailId: id, mailbox: input.mailbox, reasonCode: 'MESSAGE_TOO_LARGE', reason, at: now });
    const told = await notifyOversizedSender(tx, deps, { headers: input.headers, size: input.size, mailbox: input.mailbox, rawMailId: id });
    return { id, told };
  });
  if (outcome === null) {
    const first = await findRawMailByIdentity(deps.db, input.mailbox, messageId, identity.contentHash);
    return { decision: 'duplicate', acknowledge: false, reason: `already quarantined as raw mail ${first?.id ?? '?'}`, rawMailId: first?.id ?? null, ticket: null };
  }
  return { decision: 'quarantined', acknowledge: outcome.told, reason, rawMailId: outcome.id, ticket: null };
}
