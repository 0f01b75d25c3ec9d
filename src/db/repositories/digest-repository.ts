import { and, asc, eq, gte, inArray, lt, max, notInArray } from 'drizzle-orm';
import type {
  DigestClientEscalation, DigestOpenTicket, DigestSlaEscalation, DigestSpecialFlag,
} from '../../tickets/build-manager-digest.js';
import type { Priority } from '../../policy/priorities.js';
import type { Db } from '../client.js';
import { outbox } from '../schema/outbox.js';
import { slaAlerts, ticketEvents, ticketPauses, tickets } from '../schema/tickets.js';

const CLOSED_STATUSES = ['resolved', 'closed'];

/** When the last digest before `before` was queued; null when there was none. */
export async function previousDigestAt(db: Db, before: Date): Promise<Date | null> {
  const [row] = await db.select({ at: max(outbox.createdAt) }).from(outbox)
    .where(and(eq(outbox.kind, 'manager-digest'), lt(outbox.createdAt, before)));
  return row?.at ?? null;
}

/** Every ticket not resolved or closed, with its waiting intervals, for the digest's clock check. */
export async function listOpenDigestTickets(db: Db): Promise<DigestOpenTicket[]> {
  const open = notInArray(tickets.status, CLOSED_STATUSES);
  const [rows, pauses] = await Promise.all([
    db.select({
      id: tickets.id, number: tickets.number, subject: tickets.subject, private: tickets.private, priority: tickets.priority,
      status: tickets.status, assignee: tickets.assignee, requesterAddress: tickets.requesterAddress,
      receivedAt: tickets.receivedAt, firstResponseAt: tickets.firstResponseAt, qualifiedAt: tickets.qualifiedAt,
      resolvedAt: tickets.resolvedAt, breachedAt: tickets.breachedAt,
      firstResponseExtraMinutes: tickets.firstResponseExtraMinutes, resolutionExtraMinutes: tickets.resolutionExtraMinutes,
    }).from(tickets).where(open).orderBy(asc(tickets.id)),
    db.select({ ticketId: ticketPauses.ticketId, start: ticketPauses.startedAt, end: ticketPauses.endedAt })
      .from(ticketPauses).where(inArray(ticketPauses.ticketId, db.select({ id: tickets.id }).from(tickets).where(open))),
  ]);
  const pausesOf = new Map<number, { start: Date; end: Date | null }[]>();
  for (const p of pauses) pausesOf.set(p.ticketId, [...(pausesOf.get(p.ticketId) ?? []), { start: p.start, end: p.end }]);
  // The column is free text; the policy validated the priority when the ticket was written.
  return rows.map((r) => ({ ...r, priority: r.priority as Priority, pauses: pausesOf.get(r.id) ?? [] }));
}

/** Breach and manager steps the SLA engine fired in [since, until). */
export async function listSlaEscalations(db: Db, since: Date, until: Date): Promise<DigestSlaEscalation[]> {
  const rows = await db.select({
    number: tickets.number, subject: tickets.subject, priority: tickets.priority, private: tickets.private,
    clock: slaAlerts.clock, level: slaAlerts.level, firedAt: slaAlerts.firedAt,
  }).from(slaAlerts).innerJoin(tickets, eq(tickets.id, slaAlerts.ticketId))
    .where(and(inArray(slaAlerts.level, ['breach', 'manager']), gte(slaAlerts.firedAt, since), lt(slaAlerts.firedAt, until)))
    .orderBy(asc(slaAlerts.firedAt), asc(slaAlerts.id));
  return rows.map((r) => ({ ...r, priority: r.priority as Priority, level: r.level as DigestSlaEscalation['level'] }));
}

/** Clients' [Escalate] replies in [since, until). */
export async function listClientEscalations(db: Db, since: Date, until: Date): Promise<DigestClientEscalation[]> {
  const rows = await eventsOfKind(db, 'client-escalated', since, until);
  return rows.map((r) => ({
    number: r.number, subject: r.subject, priority: r.priority as Priority, private: r.private, at: r.at,
    step: typeof r.data.step === 'string' ? r.data.step : 'lead',
  }));
}

/** Tickets flagged for SLA review in [since, until). */
export async function listSpecialFlags(db: Db, since: Date, until: Date): Promise<DigestSpecialFlag[]> {
  const rows = await eventsOfKind(db, 'special-circumstances', since, until);
  return rows.map((r) => ({
    number: r.number, requesterAddress: r.requesterAddress,
    day: typeof r.data.day === 'string' ? r.data.day : r.at.toISOString().slice(0, 10),
    count: typeof r.data.count === 'number' ? r.data.count : 0,
  }));
}

function eventsOfKind(db: Db, kind: string, since: Date, until: Date) {
  return db.select({
    number: tickets.number, subject: tickets.subject, priority: tickets.priority, private: tickets.private,
    requesterAddress: tickets.requesterAddress, at: ticketEvents.at, data: ticketEvents.data,
  }).from(ticketEvents).innerJoin(tickets, eq(tickets.id, ticketEvents.ticketId))
    .where(and(eq(ticketEvents.kind, kind), gte(ticketEvents.at, since), lt(ticketEvents.at, until)))
    .orderBy(asc(ticketEvents.at), asc(ticketEvents.id));
}
