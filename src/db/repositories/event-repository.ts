import { asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { ticketEvents } from '../schema/tickets.js';

export interface NewEvent {
  ticketId: number;
  at: Date;
  actor: string;
  kind: string;
  reason?: string | null;
  data?: Record<string, unknown>;
}

/** The event log is append-only (a trigger refuses anything else): this is its only writer. */
export async function appendEvents(db: Db, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.insert(ticketEvents).values(events.map((e) => ({ ...e, reason: e.reason ?? null, data: e.data ?? {} })));
}

export async function listEvents(db: Db, ticketId: number) {
  return db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(asc(ticketEvents.at), asc(ticketEvents.id));
}
