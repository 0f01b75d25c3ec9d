import { typeNameIn, type Policy } from '../policy/default-policy.js';
import { PRIORITIES, type Priority } from '../policy/priorities.js';
import type { AttainmentRow, ClientRow, DurationSummary, Report } from './report-model.js';
import { localDayOf, type ReportPeriod } from './report-period.js';
import type { ReportPauseRow, ReportRows, ReportTicketRow } from './report-rows.js';
import { busiestFirst, missedMost, trendRow, type MissedGroup } from './quarter-trends.js';
import { AttainmentCount, DurationList, OutcomeTally, PriorityCounts } from './report-tally.js';
import { byCodeUnits } from './statistics.js';
import { eventFiguresByTicket } from './ticket-event-figures.js';
import { ticketOutcome, type WorkingMinutes } from './ticket-outcome.js';

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

/** Everything one client's row, trend and review groups are tallied from. */
interface ClientGroup {
  tickets: number;
  byPriority: PriorityCounts;
  firstResponse: DurationList;
  resolution: DurationList;
  firstResponseAttainment: AttainmentCount;
  resolutionAttainment: AttainmentCount;
  breached: number;
  escalated: number;
  satisfactionSum: number;
  satisfactionCount: number;
  months: OutcomeTally[];
  /** By type, then priority: "where targets were missed most". */
  missed: Map<string, Map<string, MissedGroup>>;
  /** Tickets per local day (by index into `days` below): the special-circumstance days. */
  days: number[];
}

interface PriorityGroup {
  tickets: number;
  firstResponse: DurationList;
  resolution: DurationList;
  attainment: { firstResponse: AttainmentCount; resolution: AttainmentCount };
  months: OutcomeTally[];
}

interface TypeGroup {
  count: number;
  byPriority: PriorityCounts;
  attainment: { firstResponse: AttainmentCount; resolution: AttainmentCount };
}

/**
 * Aggregates the tickets received in the period into the monthly/quarterly report. Pure: the
 * rows, the clock and the working-time measure are all inputs.
 *
 * One pass over the tickets: each is measured once and added to the running tallies of every
 * group it belongs to (its client, priority, type, month, day...). Every figure is a count, a sum
 * or a percentile of a group, so the order the tickets come in changes none of them.
 */
export function buildReport(input: BuildReportInput): Report {
  const { period, policy, includePrivate } = input;
  const clientKey = input.clientKey ?? 'domain';
  const from = period.start.getTime();
  const to = period.end.getTime();
  // Defence in depth: the loader already filters, but a private ticket must never leak into the
  // team's report through a loader bug, not even as a count.
  const tickets = input.rows.tickets.filter((t) => (includePrivate || !t.private)
    && t.receivedAt.getTime() >= from && t.receivedAt.getTime() < to);
  const ids = new Set(tickets.map((t) => t.id));
  const figuresOf = eventFiguresByTicket(input.rows.events.filter((e) => ids.has(e.ticketId)));
  const pausesByTicket = new Map<number, ReportPauseRow[]>();
  for (const p of input.rows.pauses) {
    if (!ids.has(p.ticketId)) continue;
    const list = pausesByTicket.get(p.ticketId);
    if (list) list.push(p);
    else pausesByTicket.set(p.ticketId, [p]);
  }
  const rules = new Map(policy.priorities.map((r) => [r.priority, r]));

  // A client is worked out once per requester address, a local day once per day: a quarter has
  // 125,000 tickets but far fewer addresses and days.
  const clientOfAddress = clientKey === 'address' ? (a: string) => a : memoised(input.clientOf ?? domainOf);
  const localDay = localDayOf(period.zone);
  const periodMonths = [...new Set(period.days.map((d) => d.slice(0, 7)))];
  const monthIndex = new Map(periodMonths.map((m, i) => [m, i]));
  const monthTallies = () => periodMonths.map(() => new OutcomeTally());
  // Local days by index: the period's days first, then any other a ticket falls on (none when
  // the rows are the period's), with the index of each one's month among the period's.
  const days = [...period.days];
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const monthOfDay = days.map((d) => monthIndex.get(d.slice(0, 7)));

  const firstResponse = new DurationList();
  const resolution = new DurationList();
  const buckets: Report['firstResponseDistribution'] = [...DISTRIBUTION_BOUNDS, null].map((upToMinutes) => ({ upToMinutes, count: 0 }));
  const months = monthTallies();
  const priorities = new Map<string, PriorityGroup>();
  const types = new Map<string, TypeGroup>();
  const clients = new Map<string, ClientGroup>();
  const dailyCounts: number[] = [];
  const totals = { tickets: tickets.length, resolved: 0, unresolved: 0, slaReview: 0 };
  const byClock: Record<string, number> = {};
  let breachedTickets = 0;
  let alerts = 0;
  const escalations = { escalatedTickets: 0, reachedLead: 0, reachedManager: 0, managerAlerts: 0, clientEscalations: 0, staffEscalations: 0 };
  const slaAdjustments = { pauses: 0, extensions: 0, extendedMinutes: 0 };

  tickets.forEach((ticket, i) => {
    input.onProgress?.(i + 1, tickets.length);
    const rule = rules.get(ticket.priority);
    const outcome = rule
      ? ticketOutcome(ticket, pausesByTicket.get(ticket.id) ?? [], rule, input.workingMinutes, input.now)
      : { firstResponseMinutes: null, resolutionMinutes: null, firstResponseMet: null, resolutionMet: null };
    const { firstResponseMinutes: fr, resolutionMinutes: res, firstResponseMet: frMet, resolutionMet: resMet } = outcome;
    const events = figuresOf(ticket.id);
    const breached = ticket.breachedAt !== null || events.breachAlerts.length > 0 || frMet === false || resMet === false;
    const escalated = events.reached !== null;
    const client = clientOfAddress(ticket.requesterAddress);
    const dayName = localDay(ticket.receivedAt);
    let day = dayIndex.get(dayName);
    if (day === undefined) {
      day = days.push(dayName) - 1;
      dayIndex.set(dayName, day);
      monthOfDay.push(monthIndex.get(dayName.slice(0, 7)));
    }
    const month = monthOfDay[day];

    if (ticket.resolvedAt !== null) totals.resolved += 1;
    else totals.unresolved += 1;
    if (ticket.slaReview) totals.slaReview += 1;
    firstResponse.add(fr);
    resolution.add(res);
    if (fr !== null) {
      const b = DISTRIBUTION_BOUNDS.findIndex((bound) => fr <= bound);
      buckets[b < 0 ? buckets.length - 1 : b]!.count += 1;
    }
    if (month !== undefined) months[month]!.add(frMet, resMet, breached);
    dailyCounts[day] = (dailyCounts[day] ?? 0) + 1;

    let p = priorities.get(ticket.priority);
    if (!p) {
      p = {
        tickets: 0, firstResponse: new DurationList(), resolution: new DurationList(),
        attainment: { firstResponse: new AttainmentCount(), resolution: new AttainmentCount() }, months: monthTallies(),
      };
      priorities.set(ticket.priority, p);
    }
    p.tickets += 1;
    p.firstResponse.add(fr);
    p.resolution.add(res);
    p.attainment.firstResponse.add(frMet);
    p.attainment.resolution.add(resMet);
    if (month !== undefined) p.months[month]!.add(frMet, resMet, breached);

    let t = types.get(ticket.type);
    if (!t) {
      t = { count: 0, byPriority: new PriorityCounts(), attainment: { firstResponse: new AttainmentCount(), resolution: new AttainmentCount() } };
      types.set(ticket.type, t);
    }
    t.count += 1;
    t.byPriority.add(ticket.priority);
    t.attainment.firstResponse.add(frMet);
    t.attainment.resolution.add(resMet);

    let c = clients.get(client);
    if (!c) {
      c = {
        tickets: 0, byPriority: new PriorityCounts(), firstResponse: new DurationList(), resolution: new DurationList(),
        firstResponseAttainment: new AttainmentCount(), resolutionAttainment: new AttainmentCount(), breached: 0, escalated: 0,
        satisfactionSum: 0, satisfactionCount: 0, months: monthTallies(), missed: new Map(), days: [],
      };
      clients.set(client, c);
    }
    c.tickets += 1;
    c.byPriority.add(ticket.priority);
    c.firstResponse.add(fr);
    c.resolution.add(res);
    c.firstResponseAttainment.add(frMet);
    c.resolutionAttainment.add(resMet);
    if (breached) c.breached += 1;
    if (escalated) c.escalated += 1;
    const score = ticket.satisfactionScore;
    if (score !== null && score >= 1 && score <= 5) {
      c.satisfactionSum += score;
      c.satisfactionCount += 1;
    }
    if (month !== undefined) c.months[month]!.add(frMet, resMet, breached);
    let ofType = c.missed.get(ticket.type);
    if (!ofType) {
      ofType = new Map();
      c.missed.set(ticket.type, ofType);
    }
    let g = ofType.get(ticket.priority);
    if (!g) {
      g = { client, type: ticket.type, priority: ticket.priority, tally: new OutcomeTally() };
      ofType.set(ticket.priority, g);
    }
    g.tally.add(frMet, resMet, breached);
    c.days[day] = (c.days[day] ?? 0) + 1;

    if (breached) breachedTickets += 1;
    alerts += events.breachAlerts.length;
    for (const a of events.breachAlerts) byClock[a.clock] = (byClock[a.clock] ?? 0) + 1;
    if (escalated) escalations.escalatedTickets += 1;
    if (events.reached === 'lead' || events.reached === 'manager') escalations.reachedLead += 1;
    if (events.reached === 'manager') escalations.reachedManager += 1;
    escalations.managerAlerts += events.managerAlerts;
    escalations.clientEscalations += events.clientEscalations;
    escalations.staffEscalations += events.staffEscalations;
    slaAdjustments.pauses += events.slaPauses;
    slaAdjustments.extensions += events.slaExtensions;
    slaAdjustments.extendedMinutes += events.slaExtendedMinutes;
  });

  const typeRules = new Map(policy.types.map((t) => [t.slug, t]));
  const typeOrder = [...policy.types.map((t) => t.slug), ...[...new Set(tickets.map((t) => t.type))].sort()];
  const usedTypes = [...new Set(typeOrder)].filter((slug) => types.has(slug));

  // Client and local day pairs with more tickets than the policy allows (SLA-POLICY.md "Special
  // circumstances"; issue 24: a client is the organisation, `clientOf`, not one sender address).
  const specialDays: Report['specialCircumstanceDays'] = [];
  const specialDaysByClient = new Map<string, number>();
  for (const [client, c] of clients) {
    c.days.forEach((n, day) => {
      if (n <= policy.specialCircumstancesPerDay) return;
      specialDays.push({ client, day: days[day]!, tickets: n });
      specialDaysByClient.set(client, (specialDaysByClient.get(client) ?? 0) + 1);
    });
  }
  specialDays.sort((a, b) => byCodeUnits(a.day, b.day) || byCodeUnits(a.client, b.client));

  const clientRows: ClientRow[] = [...clients]
    .map(([client, c]) => ({
      client,
      tickets: c.tickets,
      byPriority: c.byPriority.value(),
      firstResponse: c.firstResponse.summary(),
      resolution: c.resolution.summary(),
      firstResponseAttainment: c.firstResponseAttainment.value(),
      resolutionAttainment: c.resolutionAttainment.value(),
      breachedTickets: c.breached,
      escalatedTickets: c.escalated,
      specialCircumstanceDays: specialDaysByClient.get(client) ?? 0,
      satisfactionAverage: c.satisfactionCount === 0 ? null : c.satisfactionSum / c.satisfactionCount,
    }))
    .sort((a, b) => b.tickets - a.tickets || byCodeUnits(a.client, b.client));

  const noTickets: PriorityGroup = {
    tickets: 0, firstResponse: new DurationList(), resolution: new DurationList(),
    attainment: { firstResponse: new AttainmentCount(), resolution: new AttainmentCount() }, months: monthTallies(),
  };
  const priorityGroup = (p: Priority) => priorities.get(p) ?? noTickets;
  const summaries = (pick: (g: PriorityGroup) => DurationList, overall: DurationList) => ({
    overall: overall.summary(),
    byPriority: Object.fromEntries(PRIORITIES.map((p) => [p, pick(priorityGroup(p)).summary()])) as Record<Priority, DurationSummary>,
  });
  const attainmentRow = (key: string, a: { firstResponse: AttainmentCount; resolution: AttainmentCount }): AttainmentRow => ({
    key, firstResponse: a.firstResponse.value(), resolution: a.resolution.value(),
  });
  return {
    kind: period.kind,
    period: { label: period.label, zone: period.zone, start: period.start.toISOString(), end: period.end.toISOString() },
    generatedAt: input.now.toISOString(),
    includesPrivate: includePrivate,
    client: input.client ?? null,
    clientKey,
    attainmentTarget: input.attainmentTarget ?? 0.95,
    totals,
    byType: usedTypes.map((type) => {
      const t = types.get(type)!;
      const rule = typeRules.get(type);
      return {
        type, name: rule?.name ?? type, nameTr: rule ? typeNameIn(rule, 'tr') : type, count: t.count, byPriority: t.byPriority.value(),
      };
    }),
    byPriority: PRIORITIES.map((priority) => ({ priority, count: priorityGroup(priority).tickets })),
    firstResponse: summaries((g) => g.firstResponse, firstResponse),
    firstResponseDistribution: buckets,
    months: periodMonths.map((month, i) => ({
      month, tickets: months[i]!.tickets, breachedTickets: months[i]!.breached,
      firstResponse: months[i]!.firstResponse.value(), resolution: months[i]!.resolution.value(),
    })),
    trend: {
      byPriority: PRIORITIES.filter((p) => priorityGroup(p).tickets > 0)
        .map((p) => trendRow(p, priorityGroup(p).tickets, periodMonths, priorityGroup(p).months)),
      byClient: [...clients].map(([client, c]) => trendRow(client, c.tickets, periodMonths, c.months)).sort(busiestFirst),
    },
    missedMost: missedMost([...clients.values()].flatMap((c) => [...c.missed.values()].flatMap((ofType) => [...ofType.values()]))),
    resolution: summaries((g) => g.resolution, resolution),
    attainment: {
      byPriority: PRIORITIES.map((p) => attainmentRow(p, priorityGroup(p).attainment)),
      byType: usedTypes.map((type) => attainmentRow(type, types.get(type)!.attainment)),
    },
    breaches: { breachedTickets, alerts, byClock },
    escalations,
    slaAdjustments,
    specialCircumstanceDays: specialDays,
    satisfaction: satisfaction(tickets),
    clients: clientRows,
    daily: period.days.map((day, i) => ({ day, count: dailyCounts[i] ?? 0 })),
  };
}

export function satisfaction(tickets: readonly ReportTicketRow[]): Report['satisfaction'] {
  const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } as Report['satisfaction']['distribution'];
  const scores = tickets.map((t) => t.satisfactionScore).filter((s): s is number => s !== null && s >= 1 && s <= 5);
  for (const s of scores) distribution[String(s) as keyof typeof distribution] += 1;
  const average = scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
  return { responses: scores.length, average, distribution };
}

/** Bounds of the first-response distribution chart, in working minutes. */
export const DISTRIBUTION_BOUNDS = [30, 60, 120, 240, 480] as const;

/** Addresses are compared ASCII-lowercased (docs/PITFALLS.md: never locale-lowercase an address). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(at + 1)).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** `clientOf` asked once per distinct address. */
function memoised(clientOf: (address: string) => string): (address: string) => string {
  const known = new Map<string, string>();
  return (address) => {
    let client = known.get(address);
    if (client === undefined) {
      client = clientOf(address);
      known.set(address, client);
    }
    return client;
  };
}
