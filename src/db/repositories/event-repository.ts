import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { ticketEvents } from '../schema/tickets.js';
import type { TicketEvent } from '../../tickets/ticket-event.js';


/**
 * The event log is append-only (a trigger refuses anything else): this is its only writer. One
 * statement with one array per column, whatever the count: drizzle and postgres.js spend their
 * time per parameter, and a sweeper tick writes 150 events at once (900 parameters as a VALUES
 * list). Instants go as text: drizzle leaves timestamptz[] parameters unserialised.
 */
export async function appendEvents(db: Db, events: TicketEvent[]): Promise<void> {
  if (events.length === 0) return;
  // WITH ORDINALITY and ORDER BY: ids follow the order of `events`, which is the story's order
  // among events of the same instant.
  await db.execute(sql`insert into ${ticketEvents} (ticket_id, at, actor, kind, reason, data)
    select ticket_id, at, actor, kind, reason, data from unnest(
      ${sql.param(events.map((e) => e.ticketId))}::bigint[],
      ${sql.param(events.map((e) => e.at.toISOString()))}::text[]::timestamptz[],
      ${sql.param(events.map((e) => e.actor))}::text[],
      ${sql.param(events.map((e) => e.kind))}::text[],
      ${sql.param(events.map((e) => e.reason ?? null))}::text[],
      ${sql.param(events.map((e) => JSON.stringify(e.data ?? {})))}::jsonb[])
      with ordinality as e(ticket_id, at, actor, kind, reason, data, n)
    order by n`);
}

export async function listEvents(db: Db, ticketId: number) {
  return db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(asc(ticketEvents.at), asc(ticketEvents.id));
}
