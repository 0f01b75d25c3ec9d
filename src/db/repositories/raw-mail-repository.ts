import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { rawMail } from '../schema/raw-mail.js';

export type NewRawMail = typeof rawMail.$inferInsert;

/** Inserts the raw mail unless this mailbox already has it; returns the new id or null (duplicate). */
export async function insertRawMail(db: Db, row: NewRawMail): Promise<number | null> {
  const inserted = await db.insert(rawMail).values(row).onConflictDoNothing().returning({ id: rawMail.id });
  return inserted[0]?.id ?? null;
}

export async function findRawMailByIdentity(db: Db, mailbox: string, messageId: string, contentHash: string) {
  const rows = await db
    .select({ id: rawMail.id, decision: rawMail.decision, ticketId: rawMail.ticketId, reason: rawMail.reason })
    .from(rawMail)
    .where(and(eq(rawMail.mailbox, mailbox), eq(rawMail.messageId, messageId), eq(rawMail.contentHash, contentHash)))
    .limit(1);
  return rows[0] ?? null;
}

export async function setRawMailDecision(
  db: Db,
  id: number,
  outcome: { decision: string; reason: string; acknowledge: boolean; ticketId: number | null },
): Promise<void> {
  await db.update(rawMail).set(outcome).where(eq(rawMail.id, id));
}

export async function getRawMail(db: Db, id: number) {
  const rows = await db.select().from(rawMail).where(eq(rawMail.id, id)).limit(1);
  return rows[0] ?? null;
}
