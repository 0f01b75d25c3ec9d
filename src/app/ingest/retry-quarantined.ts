import {
  getQuarantine, lockOpenQuarantine, markQuarantineRetried, recordQuarantineRetryFailure,
} from '../../db/repositories/quarantine-repository.js';
import { getRawMail, readRawMail, setRawMailDecision } from '../../db/repositories/raw-mail-repository.js';
import { SlagateError, describeError, isTransientError } from '../../errors.js';
import type { MailboxName } from '../../policy/priorities.js';
import type { IngestDeps } from './ingest-batch.js';
import type { IngestInput, IngestOutcome } from '../../inbound/ingest-types.js';
import { parseAndClassify } from './parse-and-classify.js';
import { routeParsedMail } from './route-parsed-mail.js';

export type RetryOutcome =
  | { status: 'not-found'; id: number }
  | { status: 'already-resolved'; id: number; resolution: string | null }
  /** Nothing to retry with: only the headers were kept. Not counted as an attempt. */
  | { status: 'cannot-retry'; id: number; reason: string }
  | { status: 'resolved'; id: number; rawMailId: number; decision: IngestOutcome['decision']; reason: string; ticket: IngestOutcome['ticket'] }
  | { status: 'still-quarantined'; id: number; rawMailId: number; reasonCode: string; reason: string };

/**
 * Runs the inbound pipeline again on a quarantined mail's stored bytes, for when the cause is
 * gone (a fixed parser, a raised limit). The existing raw_mail row is reused, so the mail keeps
 * its identity and can never become two tickets; a failure leaves it quarantined with the new
 * reason.
 */
export async function retryQuarantined(deps: IngestDeps, id: number): Promise<RetryOutcome> {
  const q = await getQuarantine(deps.db, id);
  if (!q) return { status: 'not-found', id };
  if (q.resolvedAt) return { status: 'already-resolved', id, resolution: q.resolution };
  const raw = await getRawMail(deps.db, q.rawMailId);
  if (!raw) return { status: 'not-found', id };
  const bytes = await readRawMail(deps.db, raw.id);
  if (bytes.length < raw.size) {
    return {
      status: 'cannot-retry', id,
      reason: `only the headers of this ${raw.size}-byte mail were kept (it was over the size limit when fetched, so its body `
        + 'was never downloaded); there is nothing to retry with: ask the sender to send it again with smaller attachments, '
        + 'or raise limits.maxMessageBytes and deliver it again',
    };
  }
  const fail = (reasonCode: string, reason: string) => recordFailure(deps, { id, rawMailId: raw.id, reasonCode, reason });
  const mailbox = raw.mailbox as MailboxName;
  const prepared = await parseAndClassify(deps.config, bytes, mailbox);
  if (!prepared.ok) return fail(prepared.code, prepared.reason);
  const { mail, noise, classification } = prepared;
  const { config } = deps;
  const input: IngestInput = {
    raw: bytes, mailbox, receivedAt: raw.receivedAt, source: raw.source as IngestInput['source'],
    ...(raw.imapUid !== null && raw.imapUidvalidity !== null ? { imap: { uid: raw.imapUid, uidvalidity: raw.imapUidvalidity } } : {}),
  };
  const now = deps.clock();
  try {
    return await deps.db.transaction(async (tx): Promise<RetryOutcome> => {
      const open = await lockOpenQuarantine(tx, id);
      if (!open) return { status: 'already-resolved', id, resolution: 'resolved by a concurrent retry' };
      const routed = await routeParsedMail(tx, { config, now, logger: deps.logger }, {
        input, mail, messageId: raw.messageId, rawMailId: raw.id, noise, classification,
      });
      await setRawMailDecision(tx, raw.id, {
        decision: routed.decision, reason: routed.reason, acknowledge: routed.acknowledge, ticketId: routed.ticket?.id ?? routed.recordedOn ?? null,
      });
      await markQuarantineRetried(tx, id, now, `retried: ${routed.decision}${routed.ticket ? ` ${routed.ticket.number}` : ''}`);
      return { status: 'resolved', id, rawMailId: raw.id, decision: routed.decision, reason: routed.reason, ticket: routed.ticket };
    });
  } catch (err) {
    if (isTransientError(err)) {
      throw new SlagateError('DB_UNAVAILABLE', `retry of quarantine ${id} could not commit: ${describeError(err)}`, { cause: err, retryable: true });
    }
    deps.logger.error({ err, quarantine: id, rawMailId: raw.id }, 'quarantine retry failed');
    return fail('INTERNAL', `processing failed: ${describeError(err)}`);
  }
}

async function recordFailure(
  deps: IngestDeps, f: { id: number; rawMailId: number; reasonCode: string; reason: string },
): Promise<RetryOutcome> {
  const at = deps.clock();
  await deps.db.transaction(async (tx) => {
    await recordQuarantineRetryFailure(tx, f.id, { reasonCode: f.reasonCode, reason: f.reason, at });
    await setRawMailDecision(tx, f.rawMailId, { decision: 'quarantined', reason: `${f.reasonCode}: ${f.reason}`, acknowledge: false, ticketId: null });
  });
  deps.logger.warn({ quarantine: f.id, rawMailId: f.rawMailId, code: f.reasonCode }, 'quarantined mail still fails');
  return { status: 'still-quarantined', id: f.id, rawMailId: f.rawMailId, reasonCode: f.reasonCode, reason: f.reason };
}
