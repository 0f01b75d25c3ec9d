import { and, desc, inArray, like } from 'drizzle-orm';
import type { Db } from '../client.js';
import { rawMail } from '../schema/raw-mail.js';

/** The ingest decisions of machine mail: never a ticket of its own, never acknowledged. */
export const MACHINE_DECISIONS = ['bounce', 'machine', 'auto-reply', 'loop'] as const;

export interface MachineMailRow {
  id: number;
  receivedAt: Date;
  mailbox: string;
  messageId: string;
  decision: string;
  reason: string | null;
  size: number;
}

/**
 * Stored machine mail, newest first: bounces, feedback reports, auto-replies, loops, list, bulk
 * and noreply mail. `verdict` keeps only one kind (`delivery-failure`, `list` ...), read from the
 * recorded reason, which names it as `<kind> (<signals>)`.
 */
export async function listMachineMail(db: Db, options: { limit: number; verdict?: string }): Promise<MachineMailRow[]> {
  const where = options.verdict
    ? and(inArray(rawMail.decision, [...MACHINE_DECISIONS]), like(rawMail.reason, `%${options.verdict.replace(/[%_\\]/g, '\\$&')} (%`))
    : inArray(rawMail.decision, [...MACHINE_DECISIONS]);
  return db.select({
    id: rawMail.id, receivedAt: rawMail.receivedAt, mailbox: rawMail.mailbox, messageId: rawMail.messageId,
    decision: rawMail.decision, reason: rawMail.reason, size: rawMail.size,
  }).from(rawMail).where(where).orderBy(desc(rawMail.id)).limit(options.limit);
}
