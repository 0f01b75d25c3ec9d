import { and, asc, eq, gte, sql } from 'drizzle-orm';
import { COLLAPSED_EVENT } from '../../tickets/team-flood.js';
import type { Db } from '../client.js';
import { ticketEvents, tickets } from '../schema/tickets.js';


/** New team tickets created since `since` (tickets/team-flood.ts counts them). */
export async function countTeamTicketsSince(db: Db, since: Date): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(tickets)
    .where(and(eq(tickets.private, false), gte(tickets.createdAt, since)));
  return Number(row?.n ?? 0);
}

export interface CollapsedTicket { id: number; number: string; subject: string; priority: string; requesterAddress: string }

/** The team tickets already listed in one flood window (`bucket`, which starts at `bucketStart`), oldest first. */
export async function collapsedTicketsOf(db: Db, bucket: number, bucketStart: Date): Promise<CollapsedTicket[]> {
  return db.select({
    id: tickets.id, number: tickets.number, subject: tickets.subject, priority: tickets.priority, requesterAddress: tickets.requesterAddress,
  }).from(tickets)
    .where(and(eq(tickets.private, false), gte(tickets.createdAt, bucketStart), sql`exists (select 1 from ${ticketEvents} e
      where e.ticket_id = ${tickets.id} and e.kind = ${COLLAPSED_EVENT} and (e.data->>'bucket')::bigint = ${bucket})`))
    .orderBy(asc(tickets.id));
}
