import { typeNameIn, type Policy } from '../policy/default-policy.js';
import { PRIORITIES, type Priority } from '../policy/priorities.js';
import type { AttainmentRow, ClientRow, DurationSummary, Report } from './report-model.js';
import { localDayOf, type ReportPeriod } from './report-period.js';
import type { ReportPauseRow, ReportRows, ReportTicketRow } from './report-rows.js';
import { missedMost, trendsOf } from './quarter-trends.js';
import { attainment, byCodeUnits, median, percentile } from './statistics.js';
import { eventFiguresByTicket, type TicketEventFigures } from './ticket-event-figures.js';
import { ticketOutcome, type TicketOutcome, type WorkingMinutes } from './ticket-outcome.js';

export interface BuildReportInput {
  period: ReportPeriod;
  rows: ReportRows;
  policy: Pick<Policy, 'types' | 'priorities' | 'specialCircumstancesPerDay'>;
  workingMinutes: WorkingMinutes;
  now: Date;
  /** Management's report; otherwise private tickets are dropped before anything is counted. */
  includePrivate: boolean;
  /** The --client filter as given (already applied by the loader), shown in the heading. */
  client?: string | null;
  clientKey?: 'domain' | 'address';
  /** The client (organisation) of a requester address; default: its domain (see src/tickets/client-of.ts). */
  clientOf?: (address: string) => string;
  /** Fraction drawn as the attainment target line; defaults to 0.95. */
  attainmentTarget?: number;
  onProgress?: (done: number, total: number) => void;
}

interface Measured {
  ticket: ReportTicketRow;
  outcome: TicketOutcome;
  events: TicketEventFigures;
}

/**
 * Aggregates the tickets received in the period into the monthly/quarterly report. Pure: the
 * rows, the clock and the working-time measure are all inputs.
 */
export function buildReport(input: BuildReportInput): Report {
  const { period, policy, includePrivate } = input;
  const clientKey = input.clientKey ?? 'domain';
  // Defence in depth: the loader already filters, but a private ticket must never leak into the
  // team's report through a loader bug, not even as a count.
  const tickets = input.rows.tickets.filter((t) => (includePrivate || !t.private)
    && t.receivedAt >= period.start && t.receivedAt < period.end);
  const ids = new Set(tickets.map((t) => t.id));
  const figuresOf = eventFiguresByTicket(input.rows.events.filter((e) => ids.has(e.ticketId)));
  const pausesByTicket = groupBy(input.rows.pauses.filter((p) => ids.has(p.ticketId)), (p) => String(p.ticketId));

  const rules = new Map(policy.priorities.map((r) => [r.priority, r]));
  const measured: Measured[] = tickets.map((ticket, i) => {
    input.onProgress?.(i + 1, tickets.length);
    const rule = rules.get(ticket.priority);
    const pauses: ReportPauseRow[] = pausesByTicket.get(String(ticket.id)) ?? [];
    const outcome = rule
      ? ticketOutcome(ticket, pauses, rule, input.workingMinutes, input.now)
      : { firstResponseMinutes: null, resolutionMinutes: null, firstResponseMet: null, resolutionMet: null };
    return { ticket, outcome, events: figuresOf(ticket.id) };
  });

  const typeRules = new Map(policy.types.map((t) => [t.slug, t]));
  const typeOrder = [...policy.types.map((t) => t.slug), ...[...new Set(tickets.map((t) => t.type))].sort()];
  const byTypeGroups = groupBy(measured, (m) => m.ticket.type);
  const usedTypes = [...new Set(typeOrder)].filter((slug) => byTypeGroups.has(slug));

  // Each ticket's client and local day, worked out once: every table below groups by them, and at
  // a quarter of 125,000 tickets asking again per table cost seconds (bench/reports-at-scale).
  const clientOfAddress = input.clientOf ?? domainOf;
  const clientById = new Map(tickets.map((t) => [t.id, clientKey === 'address' ? t.requesterAddress : clientOfAddress(t.requesterAddress)]));
  const clientOf = (t: ReportTicketRow) => clientById.get(t.id)!;
  const localDay = localDayOf(period.zone);
  const dayById = new Map(tickets.map((t) => [t.id, localDay(t.receivedAt)]));
  const dayOf = (t: ReportTicketRow) => dayById.get(t.id)!;
  const specialDays = specialCircumstanceDays(tickets, period.zone, policy.specialCircumstancesPerDay, clientOf, dayOf);
  const specialDaysByClient = countBy(specialDays, (d) => d.client);
  const breachedTickets = (ms: Measured[]) => ms.filter((m) => m.ticket.breachedAt !== null || m.events.breachAlerts.length > 0
    || m.outcome.firstResponseMet === false || m.outcome.resolutionMet === false).length;
  const escalated = (ms: Measured[]) => ms.filter((m) => m.events.reached !== null).length;

  const byClock: Record<string, number> = {};
  for (const m of measured) for (const a of m.events.breachAlerts) byClock[a.clock] = (byClock[a.clock] ?? 0) + 1;
  const sum = (pick: (f: TicketEventFigures) => number) => measured.reduce((n, m) => n + pick(m.events), 0);

  const dailyCounts = countBy(tickets, dayOf);

  const clients: ClientRow[] = [...groupBy(measured, (m) => clientOf(m.ticket))]
    .map(([client, ms]) => ({
      client,
      tickets: ms.length,
      byPriority: priorityCounts(ms.map((m) => m.ticket)),
      firstResponse: durations(ms.map((m) => m.outcome.firstResponseMinutes)),
      resolution: durations(ms.map((m) => m.outcome.resolutionMinutes)),
      firstResponseAttainment: attainment(ms.map((m) => m.outcome.firstResponseMet)),
      resolutionAttainment: attainment(ms.map((m) => m.outcome.resolutionMet)),
      breachedTickets: breachedTickets(ms),
      escalatedTickets: escalated(ms),
      specialCircumstanceDays: specialDaysByClient.get(client) ?? 0,
      satisfactionAverage: satisfaction(ms.map((m) => m.ticket)).average,
    }))
    .sort((a, b) => b.tickets - a.tickets || byCodeUnits(a.client, b.client));

  const byPriorityGroups = groupBy(measured, (m) => m.ticket.priority);
  const byMonth = groupBy(measured, (m) => dayOf(m.ticket).slice(0, 7));
  const periodMonths = [...new Set(period.days.map((d) => d.slice(0, 7)))];
  return {
    kind: period.kind,
    period: { label: period.label, zone: period.zone, start: period.start.toISOString(), end: period.end.toISOString() },
    generatedAt: input.now.toISOString(),
    includesPrivate: includePrivate,
    client: input.client ?? null,
    clientKey,
    attainmentTarget: input.attainmentTarget ?? 0.95,
    totals: {
      tickets: tickets.length,
      resolved: tickets.filter((t) => t.resolvedAt !== null).length,
      unresolved: tickets.filter((t) => t.resolvedAt === null).length,
      slaReview: tickets.filter((t) => t.slaReview).length,
    },
    byType: usedTypes.map((type) => {
      const ts = byTypeGroups.get(type)!.map((m) => m.ticket);
      const rule = typeRules.get(type);
      return {
        type, name: rule?.name ?? type, nameTr: rule ? typeNameIn(rule, 'tr') : type, count: ts.length, byPriority: priorityCounts(ts),
      };
    }),
    byPriority: PRIORITIES.map((priority) => ({ priority, count: byPriorityGroups.get(priority)?.length ?? 0 })),
    firstResponse: summaries(measured, byPriorityGroups, (o) => o.firstResponseMinutes),
    firstResponseDistribution: distribution(measured.map((m) => m.outcome.firstResponseMinutes)),
    months: periodMonths.map((month) => {
      const ms = byMonth.get(month) ?? [];
      return {
        month, tickets: ms.length, breachedTickets: breachedTickets(ms),
        firstResponse: attainment(ms.map((m) => m.outcome.firstResponseMet)),
        resolution: attainment(ms.map((m) => m.outcome.resolutionMet)),
      };
    }),
    trend: trendsOf(measured, periodMonths, (t) => dayOf(t).slice(0, 7), clientOf),
    missedMost: missedMost(measured, clientOf),
    resolution: summaries(measured, byPriorityGroups, (o) => o.resolutionMinutes),
    attainment: {
      byPriority: PRIORITIES.map((p) => attainmentRow(p, byPriorityGroups.get(p) ?? [])),
      byType: usedTypes.map((type) => attainmentRow(type, byTypeGroups.get(type)!)),
    },
    breaches: { breachedTickets: breachedTickets(measured), alerts: sum((f) => f.breachAlerts.length), byClock },
    escalations: {
      escalatedTickets: escalated(measured),
      reachedLead: measured.filter((m) => m.events.reached === 'lead' || m.events.reached === 'manager').length,
      reachedManager: measured.filter((m) => m.events.reached === 'manager').length,
      managerAlerts: sum((f) => f.managerAlerts),
      clientEscalations: sum((f) => f.clientEscalations),
      staffEscalations: sum((f) => f.staffEscalations),
    },
    slaAdjustments: {
      pauses: sum((f) => f.slaPauses), extensions: sum((f) => f.slaExtensions), extendedMinutes: sum((f) => f.slaExtendedMinutes),
    },
    specialCircumstanceDays: specialDays,
    satisfaction: satisfaction(tickets),
    clients,
    daily: period.days.map((day) => ({ day, count: dailyCounts.get(day) ?? 0 })),
  };
}

/**
 * Client and local day pairs with more tickets than the policy allows (SLA-POLICY.md "Special
 * circumstances"; issue 24: a client is the organisation, `clientOf`, not one sender address).
 */
export function specialCircumstanceDays(
  tickets: readonly ReportTicketRow[],
  zone: string,
  perDay: number,
  clientOf: (t: ReportTicketRow) => string = (t) => t.requesterAddress,
  dayOf: (t: ReportTicketRow) => string = (t) => localDayOf(zone)(t.receivedAt),
): { client: string; day: string; tickets: number }[] {
  const counts = countBy(tickets, (t) => `${clientOf(t)}\u0000${dayOf(t)}`);
  return [...counts]
    .filter(([, n]) => n > perDay)
    .map(([key, n]) => {
      const [client, day] = key.split('\u0000') as [string, string];
      return { client, day, tickets: n };
    })
    .sort((a, b) => byCodeUnits(a.day, b.day) || byCodeUnits(a.client, b.client));
}

export function satisfaction(tickets: readonly ReportTicketRow[]): Report['satisfaction'] {
  const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } as Report['satisfaction']['distribution'];
  const scores = tickets.map((t) => t.satisfactionScore).filter((s): s is number => s !== null && s >= 1 && s <= 5);
  for (const s of scores) distribution[String(s) as keyof typeof distribution] += 1;
  const average = scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
  return { responses: scores.length, average, distribution };
}

function summaries(
  all: Measured[],
  byPriority: Map<string, Measured[]>,
  pick: (o: TicketOutcome) => number | null,
): { overall: DurationSummary; byPriority: Record<Priority, DurationSummary> } {
  const byP = Object.fromEntries(PRIORITIES.map((p) => [p, durations((byPriority.get(p) ?? []).map((m) => pick(m.outcome)))]));
  return { overall: durations(all.map((m) => pick(m.outcome))), byPriority: byP as Record<Priority, DurationSummary> };
}

/** Bounds of the first-response distribution chart, in working minutes. */
export const DISTRIBUTION_BOUNDS = [30, 60, 120, 240, 480] as const;

function distribution(values: (number | null)[]): Report['firstResponseDistribution'] {
  const buckets: Report['firstResponseDistribution'] = [...DISTRIBUTION_BOUNDS, null].map((upToMinutes) => ({ upToMinutes, count: 0 }));
  for (const v of values) {
    if (v === null) continue;
    const i = DISTRIBUTION_BOUNDS.findIndex((b) => v <= b);
    buckets[i < 0 ? buckets.length - 1 : i]!.count += 1;
  }
  return buckets;
}

function durations(values: (number | null)[]): DurationSummary {
  const present = values.filter((v): v is number => v !== null);
  return { count: present.length, medianMinutes: median(present), p90Minutes: percentile(present, 0.9) };
}

function attainmentRow(key: string, ms: Measured[]): AttainmentRow {
  return {
    key,
    firstResponse: attainment(ms.map((m) => m.outcome.firstResponseMet)),
    resolution: attainment(ms.map((m) => m.outcome.resolutionMet)),
  };
}

function priorityCounts(tickets: readonly ReportTicketRow[]): Record<Priority, number> {
  const counts = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
  for (const t of tickets) if (t.priority in counts) counts[t.priority] += 1;
  return counts;
}

/** Addresses are compared ASCII-lowercased (docs/PITFALLS.md: never locale-lowercase an address). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(at + 1)).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
