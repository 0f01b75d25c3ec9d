import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { outbox } from '../schema/outbox.js';
import { tickets } from '../schema/tickets.js';
import { teamVisibleOutbox } from './outbox-repository.js';

/**
 * Read-only queries behind the running gateway's metrics and its loopback JSON endpoints. Each is
 * cheap enough to run per scrape or request.
 */

export interface OutboxDepth {
  depth: number;
  oldestAgeSeconds: number | null;
  /** Unsent mail held back (not due yet: staff mail until business hours, a backoff), counted in depth. */
  held: number;
  /** Age of the oldest held mail; null when none is held. */
  oldestHeldAgeSeconds: number | null;
}

/**
 * Unsent mail (pending or being sent) and the age of the oldest that is already due: staff mail
 * held until business hours is not late, and must not look so at night. Only mail the team may see
 * (teamVisibleOutbox): /metrics is scraped by the team's tools, and a depth that moves with the
 * management channel's mail would tell them when complaints arrive and are worked (issue 20).
 */
export async function outboxDepth(db: Db, now: Date, managementAddress: string): Promise<OutboxDepth> {
  const [row] = await db.select({
    depth: sql<number>`count(*)::int`,
    oldest: sql<string | null>`min(${outbox.createdAt}) filter (where ${outbox.notBefore} <= ${now.toISOString()}::timestamptz)`,
    held: sql<number>`count(*) filter (where ${outbox.notBefore} > ${now.toISOString()}::timestamptz)::int`,
    oldestHeld: sql<string | null>`min(${outbox.createdAt}) filter (where ${outbox.notBefore} > ${now.toISOString()}::timestamptz)`,
  }).from(outbox).where(and(sql`${outbox.status} in ('pending', 'sending')`, teamVisibleOutbox(managementAddress)));
  const age = (at: string | null | undefined) => (at ? Math.max(0, (now.getTime() - new Date(at).getTime()) / 1000) : null);
  return {
    depth: Number(row?.depth ?? 0),
    oldestAgeSeconds: age(row?.oldest),
    held: Number(row?.held ?? 0),
    oldestHeldAgeSeconds: age(row?.oldestHeld),
  };
}

export interface RecentTicket {
  id: number;
  number: string;
  mailbox: string;
  type: string;
  priority: string;
  status: string;
  private: boolean;
  /** Null for private tickets: who complained is management's to know. */
  requester: string | null;
  /** Null for private tickets: their content stays with management's own tools. */
  subject: string | null;
  receivedAt: Date;
  firstResponseDue: Date | null;
  resolutionDue: Date | null;
}

export async function listRecentTickets(db: Db, limit: number): Promise<RecentTicket[]> {
  const rows = await db.select({
    id: tickets.id, number: tickets.number, mailbox: tickets.mailbox, type: tickets.type, priority: tickets.priority,
    status: tickets.status, private: tickets.private, requester: tickets.requesterAddress, subject: tickets.subject,
    receivedAt: tickets.receivedAt, firstResponseDue: tickets.firstResponseDue, resolutionDue: tickets.resolutionDue,
  }).from(tickets).where(eq(tickets.private, false)).orderBy(desc(tickets.id)).limit(limit);
  // The API never shows a private ticket, not even that one exists (issue 20).
  return rows.map((r) => ({ ...r, requester: r.private ? null : r.requester, subject: r.private ? null : r.subject }));
}

export interface RecentOutboxMail {
  id: number;
  kind: string;
  status: string;
  ticket: string | null;
  to: string[];
  /** Null for mail about a private ticket. */
  subject: string | null;
  messageId: string;
  createdAt: Date;
  sentAt: Date | null;
  /** The sender's answer per recipient (for local mail mode, the file it was written to). */
  recipients: Record<string, string>;
}

export async function listRecentOutbox(db: Db, limit: number, managementAddress: string): Promise<RecentOutboxMail[]> {
  const rows = await db.select({
    id: outbox.id, kind: outbox.kind, status: outbox.status, ticket: tickets.number, private: tickets.private, from: outbox.fromAddress,
    to: outbox.to, subject: outbox.subject, messageId: outbox.messageId, createdAt: outbox.createdAt,
    sentAt: outbox.sentAt, recipients: outbox.recipients,
  }).from(outbox).leftJoin(tickets, eq(tickets.id, outbox.ticketId)).where(teamVisibleOutbox(managementAddress))
    .orderBy(desc(outbox.id)).limit(limit);
  // Mail about a private ticket, and ticket-less mail sent from the management address (a notice
  // to a complainant), show neither recipients nor subject.
  return rows.map(({ private: isPrivate, from, ...r }) => {
    const hidden = isPrivate === true || (r.ticket === null && from.address === managementAddress);
    return {
      ...r, to: hidden ? [] : r.to.map((a) => a.address), subject: hidden ? null : r.subject,
      recipients: hidden ? {} : r.recipients,
    };
  });
}
