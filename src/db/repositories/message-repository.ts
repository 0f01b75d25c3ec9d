import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { insertRows } from './insert-rows.js';
import { attachments, messages } from '../schema/tickets.js';

export type NewMessageRow = typeof messages.$inferInsert;
export type NewAttachment = Omit<typeof attachments.$inferInsert, 'messageId'>;

export async function insertMessage(db: Db, message: NewMessageRow, files: NewAttachment[] = []): Promise<number> {
  const [id] = await insertMessages(db, [{ message, files }]);
  return id!;
}

/** Several messages with their attachments in two statements; returns their ids in the order given. */
export async function insertMessages(db: Db, items: { message: NewMessageRow; files: NewAttachment[] }[]): Promise<number[]> {
  if (items.length === 0) return [];
  const rows = await insertRows(db, messages, items.map((i) => i.message), { returning: ['id'] });
  const ids = rows.map((r) => r.id);
  const files = items.flatMap((item, i) => item.files.map((f) => ({ ...f, messageId: ids[i]! })));
  await insertRows(db, attachments, files);
  return ids;
}

export async function listMessages(db: Db, ticketId: number) {
  return db.select().from(messages).where(eq(messages.ticketId, ticketId)).orderBy(asc(messages.createdAt), asc(messages.id));
}

export async function listAttachments(db: Db, messageIds: number[]) {
  if (messageIds.length === 0) return [];
  return db.select().from(attachments).where(inArray(attachments.messageId, messageIds));
}

/**
 * A staff mail already applied under this Message-ID: the ticket it went to and the raw mail it
 * came in as. One command mail is applied once whatever else differs between its copies (a
 * changed Date, an appended footer make a new raw mail, not a new command).
 */
export async function findAppliedStaffMail(db: Db, messageId: string): Promise<{ ticketId: number; rawMailId: number | null } | null> {
  const rows = await db.select({ ticketId: messages.ticketId, rawMailId: messages.rawMailId }).from(messages)
    .where(and(eq(messages.messageId, messageId), inArray(messages.authorKind, ['agent', 'manager']))).limit(1);
  return rows[0] ?? null;
}

/** The first mail the client sent on a ticket that we still hold the raw bytes of, else null. */
export async function firstClientMessage(db: Db, ticketId: number): Promise<{ rawMailId: number | null; messageId: string } | null> {
  const [first] = await db.select({ rawMailId: messages.rawMailId, messageId: messages.messageId }).from(messages)
    .where(and(eq(messages.ticketId, ticketId), eq(messages.direction, 'inbound'), eq(messages.authorKind, 'client'), isNotNull(messages.rawMailId)))
    .orderBy(asc(messages.id)).limit(1);
  return first ?? null;
}
