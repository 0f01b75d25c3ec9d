import { PRIORITIES, type Priority } from '../policy/priorities.js';
import type { MissedTargets, TrendRow } from './report-model.js';
import type { OutcomeTally } from './report-tally.js';
import { byCodeUnits } from './statistics.js';

/** How many rows "where targets were missed most" keeps: a short list to start the review from. */
export const MISSED_MOST_ROWS = 5;

/**
 * One row of the quarterly review's trends (issue 24: a quarterly SLA review decides on trends):
 * a priority's or client's attainment month by month, in the order of the period's months, each
 * month present even when it had no ticket (so a column never shifts). `tickets` counts all of the
 * key's tickets; `months[i]` tallies those of the i-th month of the period.
 */
export function trendRow(key: string, tickets: number, months: readonly string[], byMonth: readonly OutcomeTally[]): TrendRow {
  return {
    key,
    tickets,
    months: months.map((month, i) => ({
      month,
      tickets: byMonth[i]!.tickets,
      firstResponse: byMonth[i]!.firstResponse.value(),
      resolution: byMonth[i]!.resolution.value(),
    })),
  };
}

/** Trend rows busiest first (the review reads the top of the list), ties in name order. */
export function busiestFirst(a: TrendRow, b: TrendRow): number {
  return b.tickets - a.tickets || byCodeUnits(a.key, b.key);
}

/** The tickets of one client, type and priority together, tallied. */
export interface MissedGroup {
  client: string;
  type: string;
  priority: Priority;
  tally: OutcomeTally;
}

/**
 * Where targets were missed most: client, type and priority together (the unit a review can act
 * on: "acme's high-priority bugs"), ranked by missed targets, then by the share missed. Only
 * groups that missed at least one target.
 */
export function missedMost(groups: Iterable<MissedGroup>): MissedTargets[] {
  const rows = [];
  for (const g of groups) {
    const firstResponse = g.tally.firstResponse.value();
    const resolution = g.tally.resolution.value();
    const missed = firstResponse.total - firstResponse.met + resolution.total - resolution.met;
    if (missed === 0) continue;
    const decided = firstResponse.total + resolution.total;
    rows.push({ client: g.client, type: g.type, priority: g.priority, tickets: g.tally.tickets, missed, firstResponse, resolution, share: decided === 0 ? 0 : missed / decided });
  }
  return rows
    .sort((a, b) => b.missed - a.missed || b.share - a.share || byCodeUnits(a.client, b.client) || byCodeUnits(a.type, b.type)
      || PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority))
    .slice(0, MISSED_MOST_ROWS)
    .map(({ share: _share, ...row }) => row);
}
