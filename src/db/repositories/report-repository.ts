import { and, asc, between, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Priority } from '../../policy/priorities.js';
import type { ReportRows } from '../../reports/report-rows.js';
import type { Db } from '../client.js';
import { REPORT_EVENT_KINDS } from '../../reports/ticket-event-figures.js';
import { ticketEvents, ticketPauses, tickets } from '../schema/tickets.js';

export interface ReportQuery {
  /** Tickets received in [from, to). */
  from: Date;
  to: Date;
  /** Management's report only; otherwise private tickets (and their pauses and alerts) are never read. */
  includePrivate: boolean;
  /** One requester address, or every address of one domain (both ASCII-lowercase). */
  client?: { address: string } | { domain: string } | { organisation: { addresses: readonly string[]; domains: readonly string[] } };
}

/** Loads the plain rows a report is built from: the period's tickets, their pauses and the events the figures are read from. */
export async function loadReportRows(db: Db, query: ReportQuery): Promise<ReportRows> {
  const conditions: SQL[] = [gte(tickets.receivedAt, query.from), lt(tickets.receivedAt, query.to)];
  if (!query.includePrivate) conditions.push(eq(tickets.private, false));
  if (query.client && 'address' in query.client) conditions.push(eq(tickets.requesterAddress, query.client.address));
  if (query.client && 'organisation' in query.client) {
    const { addresses, domains } = query.client.organisation;
    conditions.push(sql`(${tickets.requesterAddress} = any(${sql.param([...addresses])}::text[])
      or lower(split_part(${tickets.requesterAddress}, '@', 2)) = any(${sql.param([...domains])}::text[]))`);
  }
  if (query.client && 'domain' in query.client) {
    conditions.push(sql`split_part(${tickets.requesterAddress}, '@', 2) = ${query.client.domain}`);
  }
  const where = and(...conditions);
  const ticketIds = db.select({ id: tickets.id }).from(tickets).where(where);
  const ticketRows = await db.select({
    id: tickets.id, number: tickets.number, private: tickets.private, type: tickets.type, priority: tickets.priority,
    requesterAddress: tickets.requesterAddress, receivedAt: tickets.receivedAt, firstResponseAt: tickets.firstResponseAt,
    qualifiedAt: tickets.qualifiedAt, resolvedAt: tickets.resolvedAt, firstResponseDue: tickets.firstResponseDue,
    resolutionDue: tickets.resolutionDue, breachedAt: tickets.breachedAt,
    slaReview: tickets.slaReview, satisfactionScore: tickets.satisfactionScore,
    firstResponseExtraMinutes: tickets.firstResponseExtraMinutes, resolutionExtraMinutes: tickets.resolutionExtraMinutes,
  }).from(tickets).where(where).orderBy(asc(tickets.receivedAt), asc(tickets.id));
  if (ticketRows.length === 0) return { tickets: [], pauses: [], events: [] };

  // Ticket ids grow with arrival, so a period's tickets have ids in a narrow range: bounding the
  // events and pauses by it reads one range of their ticket_id index instead of every event (the
  // `in` still decides; the bound only narrows). A scan of 4.7 million events took seconds for a
  // quarter (bench/reports-at-scale).
  let low = ticketRows[0]!.id;
  let high = low;
  for (const t of ticketRows) {
    if (t.id < low) low = t.id;
    if (t.id > high) high = t.id;
  }
  const [pauses, events] = await Promise.all([
    db.select({ ticketId: ticketPauses.ticketId, startedAt: ticketPauses.startedAt, endedAt: ticketPauses.endedAt })
      .from(ticketPauses).where(and(between(ticketPauses.ticketId, low, high), inArray(ticketPauses.ticketId, ticketIds))),
    db.select({ ticketId: ticketEvents.ticketId, at: ticketEvents.at, kind: ticketEvents.kind, data: ticketEvents.data })
      .from(ticketEvents).where(and(
        between(ticketEvents.ticketId, low, high), inArray(ticketEvents.ticketId, ticketIds), inArray(ticketEvents.kind, [...REPORT_EVENT_KINDS]),
      )),
  ]);
  // The column is free text in the database; the policy validated it when the ticket was written.
  return { tickets: ticketRows.map((t) => ({ ...t, priority: t.priority as Priority })), pauses, events };
}
