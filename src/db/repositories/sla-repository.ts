import { and, asc, inArray, isNotNull, lte, sql, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { rowsOf } from '../rows-of.js';
import { slaAlerts, ticketPauses, tickets } from '../schema/tickets.js';
import type { FiredSlaStep, TicketSlaInputs } from '../../tickets/stored-sla.js';

/** What the SLA clocks need of a ticket (tickets/stored-sla.ts), and which ticket it is. */
export interface SlaTicketRow extends TicketSlaInputs {
  id: number;
  private: boolean;
  priority: string;
  status: string;
  assignee: string | null;
  receivedAt: Date;
  firstResponseAt: Date | null;
  qualifiedAt: Date | null;
  resolvedAt: Date | null;
  /** Where the ticket stands on the escalation ladder (tickets/escalation-ladder.ts). */
  escalationLevel: number;
}

/** A fired step as stored (sla_alerts), of one ticket. */
export interface SlaAlertRow extends FiredSlaStep {
  ticketId: number;
}

const slaColumns = {
  id: tickets.id,
  private: tickets.private,
  priority: tickets.priority,
  status: tickets.status,
  assignee: tickets.assignee,
  receivedAt: tickets.receivedAt,
  firstResponseAt: tickets.firstResponseAt,
  qualifiedAt: tickets.qualifiedAt,
  resolvedAt: tickets.resolvedAt,
  escalationLevel: tickets.escalationLevel,
  firstResponseExtraMinutes: tickets.firstResponseExtraMinutes,
  resolutionExtraMinutes: tickets.resolutionExtraMinutes,
};

export interface SlaPauseRow {
  ticketId: number;
  start: Date;
  end: Date | null;
}

/** A ticket's clock inputs: its row, its pauses and its fired steps. */
export interface SlaInputs {
  row: SlaTicketRow;
  pauses: SlaPauseRow[];
  alerts: SlaAlertRow[];
}

/**
 * A ticket's SLA row, listPauses and listSlaAlerts in one statement, its pauses and alerts
 * aggregated as JSON: every client reply recomputes its ticket's clocks, and three statements
 * cost this process and the server three times what one does, whatever each of them reads.
 */
export async function getSlaInputs(db: Db, ticketId: number): Promise<SlaInputs | null> {
  // "tickets"."id" written out: drizzle leaves a column of a one-table select unqualified, and a
  // bare "id" inside the subqueries would be the pause's or the alert's own.
  const [found] = await db.select({
    ...slaColumns,
    pauses: sql<[string, string | null][]>`coalesce((select json_agg(json_build_array(p.started_at, p.ended_at))
      from ${ticketPauses} p where p.ticket_id = "tickets"."id"), '[]'::json)`,
    alerts: sql<[string, string, string][]>`coalesce((select json_agg(json_build_array(a.clock, a.level, a.deadline))
      from ${slaAlerts} a where a.ticket_id = "tickets"."id"), '[]'::json)`,
  }).from(tickets).where(eq(tickets.id, ticketId)).limit(1);
  if (!found) return null;
  const { pauses, alerts, ...row } = found;
  return {
    row,
    pauses: pauses.map(([start, end]) => ({ ticketId, start: new Date(start), end: end === null ? null : new Date(end) })),
    alerts: alerts.map(([clock, level, deadline]) => ({ ticketId, clock, level, deadline: new Date(deadline) })),
  };
}

/**
 * Locks up to `limit` tickets whose next SLA step is due. The range scan runs on the partial index
 * `tickets_next_sla`, so its cost does not grow with the number of open tickets; SKIP LOCKED lets
 * several sweepers share the work without waiting on, or repeating, each other's rows.
 */
export async function claimDueSlaTickets(tx: Db, now: Date, limit: number): Promise<SlaTicketRow[]> {
  return tx.select(slaColumns).from(tickets)
    .where(and(isNotNull(tickets.nextSlaAt), lte(tickets.nextSlaAt, now)))
    .orderBy(asc(tickets.nextSlaAt))
    .limit(limit)
    .for('update', { skipLocked: true });
}

export async function listPauses(db: Db, ticketIds: number[]): Promise<SlaPauseRow[]> {
  if (ticketIds.length === 0) return [];
  return db.select({ ticketId: ticketPauses.ticketId, start: ticketPauses.startedAt, end: ticketPauses.endedAt })
    .from(ticketPauses).where(inArray(ticketPauses.ticketId, ticketIds));
}

export async function listSlaAlerts(db: Db, ticketIds: number[]): Promise<SlaAlertRow[]> {
  if (ticketIds.length === 0) return [];
  return db.select({ ticketId: slaAlerts.ticketId, clock: slaAlerts.clock, level: slaAlerts.level, deadline: slaAlerts.deadline })
    .from(slaAlerts).where(inArray(slaAlerts.ticketId, ticketIds));
}

/**
 * Records fired steps; the unique (ticket, clock, level, deadline) index makes a step that another
 * sweeper (or an earlier, crashed tick) already recorded a no-op. Returns the rows actually new.
 */
export async function insertSlaAlerts(tx: Db, alerts: SlaAlertRow[], firedAt: Date): Promise<SlaAlertRow[]> {
  if (alerts.length === 0) return [];
  // One array per column (as appendEvents): a tick fires up to 150 steps, 750 parameters as VALUES.
  const rows = await tx.execute(sql`insert into ${slaAlerts} (ticket_id, clock, level, deadline, fired_at)
    select t.ticket_id, t.clock, t.level, t.deadline, ${firedAt.toISOString()}::timestamptz
    from unnest(
      ${sql.param(alerts.map((a) => a.ticketId))}::bigint[],
      ${sql.param(alerts.map((a) => a.clock))}::text[],
      ${sql.param(alerts.map((a) => a.level))}::text[],
      ${sql.param(alerts.map((a) => a.deadline.toISOString()))}::text[]::timestamptz[]) as t(ticket_id, clock, level, deadline)
    on conflict (ticket_id, clock, level, deadline) do nothing
    returning ticket_id, clock, level, deadline`);
  // Raw rows: bigint comes back as a string from postgres.js, instants as text.
  return rowsOf<{ ticket_id: number | string; clock: string; level: string; deadline: string }>(rows).map((r) => ({
    ticketId: Number(r.ticket_id), clock: r.clock, level: r.level, deadline: slaAlerts.deadline.mapFromDriverValue(r.deadline) as Date,
  }));
}

export interface SlaSchedule {
  ticketId: number;
  nextSlaAt: Date | null;
  /** Set once, on the first breach; a later breach keeps the first instant. */
  breachedAt: Date | null;
}

/** One statement for a whole batch: each ticket's next look and, when it breached, since when. */
export async function storeSlaSchedules(tx: Db, schedules: SlaSchedule[], now: Date): Promise<void> {
  if (schedules.length === 0) return;
  const rows = sql.join(schedules.map((s) =>
    sql`(${s.ticketId}::bigint, ${s.nextSlaAt?.toISOString() ?? null}::timestamptz, ${s.breachedAt?.toISOString() ?? null}::timestamptz)`), sql`, `);
  await tx.execute(sql`update ${tickets} set
      next_sla_at = v.next_sla_at,
      breached_at = coalesce(${tickets.breachedAt}, v.breached_at),
      updated_at = ${now.toISOString()}::timestamptz
    from (values ${rows}) as v(id, next_sla_at, breached_at)
    where ${tickets.id} = v.id`);
}

/** The computed deadlines of one ticket, written after anything that moves its clocks. */
export async function storeDeadlines(
  tx: Db, ticketId: number, d: { firstResponseDue: Date; resolutionDue: Date | null; nextSlaAt: Date | null },
): Promise<void> {
  await tx.update(tickets).set({
    firstResponseDue: d.firstResponseDue, resolutionDue: d.resolutionDue, nextSlaAt: d.nextSlaAt,
  }).where(eq(tickets.id, ticketId));
}

/** A breach moved tickets up the escalation ladder; a level is only ever raised here, never lowered. */
export async function raiseEscalationLevels(tx: Db, raised: { ticketId: number; level: number }[], now: Date): Promise<void> {
  for (const r of raised) {
    await tx.update(tickets).set({ escalationLevel: sql`greatest(${tickets.escalationLevel}, ${r.level})`, updatedAt: now })
      .where(eq(tickets.id, r.ticketId));
  }
}
