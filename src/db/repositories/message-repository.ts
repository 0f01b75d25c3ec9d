import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { attachments, messages } from '../schema/tickets.js';

export type NewMessage = typeof messages.$inferInsert;
export type NewAttachment = Omit<typeof attachments.$inferInsert, 'messageId'>;

export async function insertMessage(db: Db, message: NewMessage, files: NewAttachment[] = []): Promise<number> {
  const [row] = await db.insert(messages).values(message).returning({ id: messages.id });
  const id = row!.id;
  if (files.length > 0) await db.insert(attachments).values(files.map((f) => ({ ...f, messageId: id })));
  return id;
}

export async function listMessages(db: Db, ticketId: number) {
  return db.select().from(messages).where(eq(messages.ticketId, ticketId)).orderBy(asc(messages.createdAt), asc(messages.id));
}

export async function listAttachments(db: Db, messageIds: number[]) {
  if (messageIds.length === 0) return [];
  return db.select().from(attachments).where(inArray(attachments.messageId, messageIds));
}
