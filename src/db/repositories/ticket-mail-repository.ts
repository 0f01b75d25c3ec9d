import { and, asc, desc, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../client.js';
import { attachments, messages, ticketEvents } from '../schema/tickets.js';

/** Reads for the day-to-day mail of a ticket: its client mails, files and `#cc` changes (issue 23). */

const clientInbound = (ticketId: number) =>
  and(eq(messages.ticketId, ticketId), eq(messages.authorKind, 'client'), eq(messages.direction, 'inbound'));

/** Who each client-side mail of a ticket came from and went to, oldest first. */
export async function listClientMailAddresses(db: Db, ticketId: number) {
  return db.select({ at: messages.createdAt, from: messages.fromAddress, fromName: messages.fromName, to: messages.to, cc: messages.cc })
    .from(messages).where(clientInbound(ticketId)).orderBy(asc(messages.createdAt), asc(messages.id));
}

/** The text of the client's latest mail on a ticket; null when there is none. */
export async function lastClientText(db: Db, ticketId: number): Promise<string | null> {
  const [last] = await db.select({ text: messages.text }).from(messages).where(clientInbound(ticketId))
    .orderBy(desc(messages.createdAt), desc(messages.id)).limit(1);
  return last?.text ?? null;
}

/** Subjects of a ticket's inbound mails other than the one with `exceptMessageId`. */
export async function inboundSubjects(db: Db, ticketId: number, exceptMessageId: string): Promise<string[]> {
  const rows = await db.select({ subject: messages.subject }).from(messages)
    .where(and(eq(messages.ticketId, ticketId), eq(messages.direction, 'inbound'), ne(messages.messageId, exceptMessageId)));
  return rows.map((r) => r.subject);
}

/** Events of one kind on a ticket, oldest first. */
export async function listEventsOfKind(db: Db, ticketId: number, kind: string) {
  return db.select({ at: ticketEvents.at, data: ticketEvents.data }).from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.kind, kind))).orderBy(asc(ticketEvents.at), asc(ticketEvents.id));
}

/** A stored message's raw mail and its attachments rows in the order the parser listed them. */
export async function messageFiles(db: Db, messageRowId: number) {
  const [message] = await db.select({ rawMailId: messages.rawMailId }).from(messages).where(eq(messages.id, messageRowId)).limit(1);
  if (!message) return null;
  const rows = await db.select().from(attachments).where(eq(attachments.messageId, messageRowId)).orderBy(asc(attachments.id));
  return { rawMailId: message.rawMailId, rows };
}

/** Every message of a ticket (oldest first) with the attachments rows of each. */
export async function ticketMessagesWithFiles(db: Db, ticketId: number) {
  const msgs = await db.select({ id: messages.id, from: messages.fromAddress, at: messages.createdAt, rawMailId: messages.rawMailId })
    .from(messages).where(eq(messages.ticketId, ticketId)).orderBy(asc(messages.createdAt), asc(messages.id));
  const rows = msgs.length === 0 ? []
    : await db.select().from(attachments).where(inArray(attachments.messageId, msgs.map((m) => m.id))).orderBy(asc(attachments.id));
  return msgs.map((m) => ({ ...m, files: rows.filter((r) => r.messageId === m.id) }));
}
