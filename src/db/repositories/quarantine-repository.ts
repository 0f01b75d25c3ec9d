import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { quarantine } from '../schema/quarantine.js';
import { rawMail } from '../schema/raw-mail.js';

export async function insertQuarantine(
  db: Db,
  row: { rawMailId: number; mailbox: string; reasonCode: string; reason: string; at: Date },
): Promise<number> {
  const [inserted] = await db.insert(quarantine).values({
    rawMailId: row.rawMailId, mailbox: row.mailbox, reasonCode: row.reasonCode, reason: row.reason, createdAt: row.at,
  }).returning({ id: quarantine.id });
  return inserted!.id;
}

export async function listOpenQuarantine(db: Db, limit = 100) {
  return db
    .select({
      id: quarantine.id, rawMailId: quarantine.rawMailId, mailbox: quarantine.mailbox, reasonCode: quarantine.reasonCode,
      reason: quarantine.reason, retryCount: quarantine.retryCount, createdAt: quarantine.createdAt,
      messageId: rawMail.messageId, size: rawMail.size,
    })
    .from(quarantine)
    .innerJoin(rawMail, eq(rawMail.id, quarantine.rawMailId))
    .where(isNull(quarantine.resolvedAt))
    .orderBy(desc(quarantine.createdAt))
    .limit(limit);
}

export async function getQuarantine(db: Db, id: number) {
  const rows = await db.select().from(quarantine).where(eq(quarantine.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function markQuarantineRetried(db: Db, id: number, at: Date, resolution: string | null): Promise<void> {
  await db.update(quarantine).set({
    retryCount: sql`${quarantine.retryCount} + 1`,
    lastTriedAt: at,
    ...(resolution ? { resolvedAt: at, resolution } : {}),
  }).where(eq(quarantine.id, id));
}

/** Locks an open quarantine row, so two retries of one mail cannot both route it. */
export async function lockOpenQuarantine(db: Db, id: number) {
  const rows = await db.select().from(quarantine).where(and(eq(quarantine.id, id), isNull(quarantine.resolvedAt))).for('update').limit(1);
  return rows[0] ?? null;
}

/** A retry that failed again: the row stays open and carries the latest attempt's reason. */
export async function recordQuarantineRetryFailure(
  db: Db, id: number, failure: { reasonCode: string; reason: string; at: Date },
): Promise<void> {
  await db.update(quarantine).set({
    retryCount: sql`${quarantine.retryCount} + 1`, lastTriedAt: failure.at, reasonCode: failure.reasonCode, reason: failure.reason,
  }).where(and(eq(quarantine.id, id), isNull(quarantine.resolvedAt)));
}
