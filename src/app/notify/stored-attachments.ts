import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { messageFiles } from '../../db/repositories/ticket-mail-repository.js';
import { readRawMail } from '../../db/repositories/raw-mail-repository.js';
import { SlagateError } from '../../errors.js';
import { extractAttachments } from '../../inbound/parse-mail.js';
import { planForwardedAttachments, type ForwardPlan, type StoredFile } from '../../outbound/forwarded-attachments.js';
import { isRequestedReport, isStoredAttachment, type InlineOutboxAttachment, type OutboxAttachment } from '../../outbound/outbound-mail.js';

/**
 * The files of a stored message (a row of `messages`) for an outbound mail: the reusable form, for
 * a mail built later than the one that brought them (a manager's complaint notice). Attachments
 * rows are written in the order the parser lists them, so their order by id is their position.
 */
export async function forwardPlanOfMessage(db: Db, config: Config, messageRowId: number): Promise<ForwardPlan> {
  const message = await messageFiles(db, messageRowId);
  if (!message?.rawMailId) return { attach: [], files: [] };
  const rawMailId = message.rawMailId;
  const stored: StoredFile[] = message.rows.map((r, index) => ({
    rawMailId, index, filename: r.filename, contentType: r.contentType, size: r.size, sha256: r.sha256,
  }));
  return planForwardedAttachments(stored, config.limits.forwardAttachmentsMaxBytes);
}

/**
 * An outbox row's attachments with every stored reference replaced by its bytes, read back from
 * the raw mail (one read and one parse per raw mail) and checked against the sha256 taken at
 * ingest. Called by the outbox worker just before it sends, after it rendered requested reports
 * (app/jobs/client-report-attachment.ts); a mail without references is returned as it is.
 */
export async function resolveOutboxAttachments(db: Db, list: readonly OutboxAttachment[]): Promise<InlineOutboxAttachment[]> {
  const unrendered = list.find(isRequestedReport);
  if (unrendered) throw new SlagateError('INTERNAL', `report ${JSON.stringify(unrendered.filename)} was not rendered before its mail was sent`);
  if (!list.some(isStoredAttachment)) return list as InlineOutboxAttachment[];
  const byRaw = new Map<number, Set<number>>();
  for (const a of list) {
    if (isStoredAttachment(a)) {
      let wanted = byRaw.get(a.stored.rawMailId);
      if (!wanted) byRaw.set(a.stored.rawMailId, (wanted = new Set()));
      wanted.add(a.stored.index);
    }
  }
  const bytes = new Map<string, { content: Buffer; sha256: string }>();
  for (const [rawMailId, wanted] of byRaw) {
    const raw = await readRawMail(db, rawMailId);
    if (raw.length === 0) throw new SlagateError('ATTACHMENT_UNAVAILABLE', `raw mail ${rawMailId} holding attachments to send is not stored`);
    for (const e of await extractAttachments(raw, wanted)) bytes.set(`${rawMailId}:${e.index}`, e);
  }
  return list.map((a) => {
    if (!isStoredAttachment(a)) return a as InlineOutboxAttachment;
    const found = bytes.get(`${a.stored.rawMailId}:${a.stored.index}`);
    if (!found || found.sha256 !== a.stored.sha256) {
      throw new SlagateError('ATTACHMENT_UNAVAILABLE',
        `attachment ${a.stored.index + 1} of raw mail ${a.stored.rawMailId} (${a.filename}) is not what was stored at ingest`);
    }
    return { filename: a.filename, contentType: a.contentType, contentBase64: found.content.toString('base64') };
  });
}
