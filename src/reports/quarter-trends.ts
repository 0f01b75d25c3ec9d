import { PRIORITIES, type Priority } from '../policy/priorities.js';
import type { MissedTargets, TrendRow } from './report-model.js';
import type { ReportTicketRow } from './report-rows.js';
import { attainment, byCodeUnits } from './statistics.js';
import type { TicketOutcome } from './ticket-outcome.js';

/** One ticket as the trends read it: the row and what it achieved against its targets. */
export interface MeasuredTicket {
  ticket: ReportTicketRow;
  outcome: TicketOutcome;
}

/** How many rows "where targets were missed most" keeps: a short list to start the review from. */
export const MISSED_MOST_ROWS = 5;

/**
 * The quarterly review's trends (issue 24: a quarterly SLA review decides on trends): attainment
 * month by month for each priority and each client, in the order of the period's months, each
 * month present even when it had no ticket (so a column never shifts).
 */
export function trendsOf(
  measured: readonly MeasuredTicket[], months: readonly string[], monthOf: (t: ReportTicketRow) => string,
  clientOf: (t: ReportTicketRow) => string,
): { byPriority: TrendRow[]; byClient: TrendRow[] } {
  const row = (key: string, ms: readonly MeasuredTicket[]): TrendRow => ({
    key,
    tickets: ms.length,
    months: months.map((month) => {
      const inMonth = ms.filter((m) => monthOf(m.ticket) === month);
      return {
        month,
        tickets: inMonth.length,
        firstResponse: attainment(inMonth.map((m) => m.outcome.firstResponseMet)),
        resolution: attainment(inMonth.map((m) => m.outcome.resolutionMet)),
      };
    }),
  });
  const byPriority = PRIORITIES
    .map((p) => row(p, measured.filter((m) => m.ticket.priority === p)))
    .filter((r) => r.tickets > 0);
  const clients = new Map<string, MeasuredTicket[]>();
  for (const m of measured) {
    const key = clientOf(m.ticket);
    const list = clients.get(key);
    if (list) list.push(m);
    else clients.set(key, [m]);
  }
  const byClient = [...clients].map(([client, ms]) => row(client, ms))
    .sort((a, b) => b.tickets - a.tickets || byCodeUnits(a.key, b.key));
  return { byPriority, byClient };
}

/**
 * Where targets were missed most: client, type and priority together (the unit a review can act
 * on: "acme's high-priority bugs"), ranked by missed targets, then by the share missed. Only
 * groups that missed at least one target.
 */
export function missedMost(measured: readonly MeasuredTicket[], clientOf: (t: ReportTicketRow) => string): MissedTargets[] {
  const groups = new Map<string, { client: string; type: string; priority: Priority; ms: MeasuredTicket[] }>();
  for (const m of measured) {
    const client = clientOf(m.ticket);
    const key = `${client}\u0000${m.ticket.type}\u0000${m.ticket.priority}`;
    const group = groups.get(key);
    if (group) group.ms.push(m);
    else groups.set(key, { client, type: m.ticket.type, priority: m.ticket.priority, ms: [m] });
  }
  const rows = [...groups.values()].map((g) => {
    const firstResponse = attainment(g.ms.map((m) => m.outcome.firstResponseMet));
    const resolution = attainment(g.ms.map((m) => m.outcome.resolutionMet));
    const missed = firstResponse.total - firstResponse.met + resolution.total - resolution.met;
    const decided = firstResponse.total + resolution.total;
    return { client: g.client, type: g.type, priority: g.priority, tickets: g.ms.length, missed, firstResponse, resolution, share: decided === 0 ? 0 : missed / decided };
  });
  return rows
    .filter((r) => r.missed > 0)
    .sort((a, b) => b.missed - a.missed || b.share - a.share || byCodeUnits(a.client, b.client) || byCodeUnits(a.type, b.type)
      || PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority))
    .slice(0, MISSED_MOST_ROWS)
    .map(({ share: _share, ...row }) => row);
}
