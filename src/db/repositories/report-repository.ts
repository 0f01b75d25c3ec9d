import { and, between, eq, gte, inArray, lt, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Priority } from '../../policy/priorities.js';
import type { ReportRows } from '../../reports/report-rows.js';
import type { Db } from '../client.js';
import { ALERT_KINDS, COUNTED_ALERT_LEVELS, REPORT_FIGURE_EVENT_KINDS } from '../../reports/ticket-event-figures.js';
import { rowsOf } from '../rows-of.js';
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
  // Ticket ids grow with arrival, so a period's tickets have ids in a narrow range: bounding the
  // events and pauses by it reads one range of their ticket_id index instead of every event (the
  // `in` still decides; the bound only narrows). A scan of 4.7 million events took seconds for a
  // quarter (bench/reports-at-scale). Asked first, so the three queries below run at once: the
  // server finds the events while this process is still reading the tickets. The tickets are
  // bounded too: one that arrives in between is left for the next report, with its events.
  // `+ 0`: a bare min(id) lets the planner walk the primary key from its end until a row matches,
  // 700,000 rows before 2026-06 (160 ms); the period's rows are fewer by the received_at index.
  const [bounds] = rowsOf<{ low: number | null; high: number | null }>(await db.execute(sql`select
      min(${tickets.id} + 0)::float8 as low, max(${tickets.id} + 0)::float8 as high from ${tickets} where ${where}`));
  if (!bounds || bounds.low === null || bounds.high === null) return { tickets: [], pauses: [], events: [] };
  const { low, high } = bounds;
  const [ticketRows, pauses, events] = await Promise.all([
    // Raw rows, instants as epoch milliseconds: drizzle's mapping of 17 columns and its parsing
    // of seven timestamp texts per ticket took a third of a quarter's report. Truncated to the
    // millisecond first, as parsing the text did (a Date holds no microseconds).
    db.execute(sql`select ${tickets.id}::float8 as id, ${tickets.number} as number,
        ${tickets.private} as private, ${tickets.type} as type, ${tickets.priority} as priority,
        ${tickets.requesterAddress} as requester_address, ${epochMs(tickets.receivedAt)} as received_at,
        ${epochMs(tickets.firstResponseAt)} as first_response_at, ${epochMs(tickets.qualifiedAt)} as qualified_at,
        ${epochMs(tickets.resolvedAt)} as resolved_at, ${epochMs(tickets.firstResponseDue)} as first_response_due,
        ${epochMs(tickets.resolutionDue)} as resolution_due, ${epochMs(tickets.breachedAt)} as breached_at,
        ${tickets.slaReview} as sla_review, ${tickets.satisfactionScore} as satisfaction_score,
        ${tickets.firstResponseExtraMinutes} as first_response_extra_minutes, ${tickets.resolutionExtraMinutes} as resolution_extra_minutes
      from ${tickets} where ${and(where, between(tickets.id, low, high))}
      order by ${tickets.receivedAt}, ${tickets.id}`).then((rows) => rowsOf<RawTicket>(rows)),
    db.select({ ticketId: ticketPauses.ticketId, startedAt: ticketPauses.startedAt, endedAt: ticketPauses.endedAt })
      .from(ticketPauses).where(and(between(ticketPauses.ticketId, low, high), inArray(ticketPauses.ticketId, ticketIds))),
    // Only the events a figure can change (REPORT_FIGURE_EVENT_KINDS): of the SLA alerts, those
    // that told a lead or a manager. Half a quarter's events are reminders and survey answers.
    db.execute(sql`select ${ticketEvents.ticketId}::float8 as ticket_id, ${epochMs(ticketEvents.at)} as at, ${ticketEvents.kind} as kind,
        ${ticketEvents.data} as data
      from ${ticketEvents} where ${and(
        between(ticketEvents.ticketId, low, high), inArray(ticketEvents.ticketId, ticketIds),
        inArray(ticketEvents.kind, [...REPORT_FIGURE_EVENT_KINDS]),
        or(notInArray(ticketEvents.kind, [...ALERT_KINDS]), inArray(sql`${ticketEvents.data}->>'level'`, [...COUNTED_ALERT_LEVELS])),
      )}`).then((rows) => rowsOf<RawEvent>(rows)),
  ]);
  return {
    tickets: ticketRows.map((t) => ({
      id: t.id, number: t.number, private: t.private, type: t.type,
      // The column is free text in the database; the policy validated it when the ticket was written.
      priority: t.priority as Priority,
      requesterAddress: t.requester_address, receivedAt: new Date(t.received_at), firstResponseAt: dateOf(t.first_response_at),
      qualifiedAt: dateOf(t.qualified_at), resolvedAt: dateOf(t.resolved_at), firstResponseDue: dateOf(t.first_response_due),
      resolutionDue: dateOf(t.resolution_due), breachedAt: dateOf(t.breached_at), slaReview: t.sla_review,
      satisfactionScore: t.satisfaction_score, firstResponseExtraMinutes: t.first_response_extra_minutes,
      resolutionExtraMinutes: t.resolution_extra_minutes,
    })),
    pauses,
    events: events.map((e) => ({ ticketId: e.ticket_id, at: new Date(e.at), kind: e.kind, data: e.data })),
  };
}

interface RawTicket {
  id: number;
  number: string;
  private: boolean;
  type: string;
  priority: string;
  requester_address: string;
  received_at: number;
  first_response_at: number | null;
  qualified_at: number | null;
  resolved_at: number | null;
  first_response_due: number | null;
  resolution_due: number | null;
  breached_at: number | null;
  sla_review: boolean;
  satisfaction_score: number | null;
  first_response_extra_minutes: number;
  resolution_extra_minutes: number;
}

interface RawEvent {
  ticket_id: number;
  at: number;
  kind: string;
  data: Record<string, unknown>;
}

/**
 * An instant as whole epoch milliseconds, a float8 postgres.js reads as a number. date_part's
 * float8 seconds of a millisecond-truncated instant are within a microsecond of the exact value,
 * which round() removes; extract()'s exact numeric cost the server twice as much.
 */
function epochMs(column: AnyPgColumn): SQL {
  return sql`round(date_part('epoch', date_trunc('milliseconds', ${column})) * 1000)`;
}

function dateOf(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
