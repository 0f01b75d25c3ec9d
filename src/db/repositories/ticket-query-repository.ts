import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { outbox } from '../schema/outbox.js';
import { quarantine } from '../schema/quarantine.js';
import { rawMail } from '../schema/raw-mail.js';
import { slaAlerts, tickets } from '../schema/tickets.js';

/**
 * Read-only queries for the operator CLI. Nothing here writes: an operator looking at a ticket
 * must never change it by looking.
 */

export interface TicketListFilter {
  status?: string;
  priority?: string;
  /** Only tickets that may have missed a deadline (a superset the caller narrows exactly). */
  possiblyBreachedAt?: Date;
  includePrivate: boolean;
  /** Omitted when the caller filters further and applies the limit itself. */
  limit?: number;
}

import type { TicketRow } from './ticket-repository.js';

export async function listTicketRows(db: Db, filter: TicketListFilter): Promise<TicketRow[]> {
  const where: SQL[] = [];
  if (!filter.includePrivate) where.push(eq(tickets.private, false));
  if (filter.status) where.push(eq(tickets.status, filter.status));
  if (filter.priority) where.push(eq(tickets.priority, filter.priority));
  if (filter.possiblyBreachedAt) {
    // A missed qualification deadline implies a passed first-response deadline (it starts later
    // with the same target), so these three conditions cover every kind of breach.
    const now = filter.possiblyBreachedAt;
    where.push(or(isNotNull(tickets.breachedAt), lt(tickets.firstResponseDue, now), lt(tickets.resolutionDue, now))!);
  }
  // $dynamic(): a conditional .limit on the plain builder cost tsc 2 s of every run (docs/PITFALLS.md).
  const query = db.select().from(tickets).where(and(...where)).orderBy(desc(tickets.receivedAt), desc(tickets.id)).$dynamic();
  return filter.limit === undefined ? query : query.limit(filter.limit);
}

/** Every raw mail stored under a Message-ID (one per mailbox it reached), without the bytes. */
export async function findRawMailsByMessageId(db: Db, messageId: string) {
  return db.select({
    id: rawMail.id, mailbox: rawMail.mailbox, messageId: rawMail.messageId, size: rawMail.size,
    receivedAt: rawMail.receivedAt, ingestedAt: rawMail.ingestedAt, source: rawMail.source,
    decision: rawMail.decision, reason: rawMail.reason, ticketId: rawMail.ticketId,
    imapUidvalidity: rawMail.imapUidvalidity, imapUid: rawMail.imapUid,
  }).from(rawMail).where(eq(rawMail.messageId, messageId)).orderBy(asc(rawMail.id));
}

/** The quarantine rows of some raw mails, open or resolved. */
export async function listQuarantineOfRawMails(db: Db, rawMailIds: number[]) {
  if (rawMailIds.length === 0) return [];
  return db.select().from(quarantine).where(inArray(quarantine.rawMailId, rawMailIds)).orderBy(asc(quarantine.id));
}

export async function getTicketsByIds(db: Db, ids: number[]): Promise<TicketRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(tickets).where(inArray(tickets.id, ids));
}

export async function listOutboxOfTicket(db: Db, ticketId: number) {
  return db.select({
    id: outbox.id, kind: outbox.kind, to: outbox.to, cc: outbox.cc, subject: outbox.subject, status: outbox.status,
    attempts: outbox.attempts, createdAt: outbox.createdAt, notBefore: outbox.notBefore, sentAt: outbox.sentAt,
    lastError: outbox.lastError,
  }).from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(asc(outbox.id));
}

export async function listFiredSlaAlerts(db: Db, ticketId: number) {
  return db.select({ clock: slaAlerts.clock, level: slaAlerts.level, deadline: slaAlerts.deadline, firedAt: slaAlerts.firedAt })
    .from(slaAlerts).where(eq(slaAlerts.ticketId, ticketId)).orderBy(asc(slaAlerts.firedAt), asc(slaAlerts.id));
}

/** Open quarantine ids, oldest first, so `retry --all` works through them in arrival order. */
export async function listOpenQuarantineIds(db: Db): Promise<number[]> {
  const rows = await db.select({ id: quarantine.id }).from(quarantine).where(isNull(quarantine.resolvedAt)).orderBy(asc(quarantine.id));
  return rows.map((r) => r.id);
}
