import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { IngestInput, IngestOutcome } from '../../src/inbound/ingest-types.js';
import type { Db } from '../../src/db/client.js';
import type { OversizedInput } from '../../src/inbound/mail-intake.js';
import { oneAtATime } from './one-at-a-time-intake.js';

/**
 * A small real implementation of the ingest contract for IMAP tests: one insert into raw_mail,
 * deduplicated by the (mailbox, message_id, content_hash) unique index, so that "exactly one row
 * per mail" is checked by the database and not by the double.
 */
export function ingestDouble(db: Db) {
  const store = async (mailbox: string, raw: Buffer, receivedAt: Date, imap: IngestInput['imap'], decision: string, reason: string | null): Promise<IngestOutcome> => {
    const messageId = /^message-id:\s*(\S+)/im.exec(raw.toString('latin1'))?.[1] ?? `<sha-${sha(raw)}@synthetic>`;
    const rows = await db.execute(sql`
      insert into raw_mail (mailbox, message_id, sha256, content_hash, raw, size, received_at, source,
        imap_uidvalidity, imap_uid, decision, reason)
      values (${mailbox}, ${messageId}, ${sha(raw)}, ${sha(raw)}, ${raw}, ${raw.length}, ${receivedAt.toISOString()}::timestamptz, 'imap',
        ${imap?.uidvalidity ?? null}, ${imap?.uid ?? null}, ${decision}, ${reason})
      on conflict (mailbox, message_id, content_hash) do nothing
      returning id`) as unknown as { id: string | number }[];
    const id = rows[0]?.id;
    return id === undefined
      ? { decision: 'duplicate', acknowledge: false, reason: 'seen before', rawMailId: null, ticket: null }
      : { decision: decision as IngestOutcome['decision'], acknowledge: false, reason: reason ?? 'stored', rawMailId: Number(id), ticket: null };
  };
  const ingest = (input: IngestInput) => store(input.mailbox, input.raw, input.receivedAt, input.imap, 'new-ticket', null);
  const quarantineOversized = (input: OversizedInput) =>
    store(input.mailbox, input.headers, input.receivedAt, input.imap, 'quarantined', `too large: ${input.size} bytes`);
  return { ingest, quarantineOversized, intake: oneAtATime(ingest, quarantineOversized) };
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
