import type { PriorityRule } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';
import { targetsOf } from '../sla/deadlines.js';
import type { ReportPauseRow, ReportTicketRow } from './report-rows.js';

/** Minutes of the priority's calendar working time between two instants (the SLA engine's measure). */
export type WorkingMinutes = (priority: Priority, from: Date, to: Date) => number;

/** What one ticket contributes to the report; null means "not measured" (no target, or still running). */
export interface TicketOutcome {
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  firstResponseMet: boolean | null;
  resolutionMet: boolean | null;
}

/**
 * Measures one ticket against its priority's targets.
 *
 * The stored deadlines are the authority when present: they already carry priority changes and
 * pauses as the SLA engine applied them. Measured minutes are the fallback for rows without one.
 * A target still running at `asOf` counts neither as met nor as missed.
 */
export function ticketOutcome(
  ticket: ReportTicketRow,
  pauses: readonly ReportPauseRow[],
  rule: PriorityRule,
  workingMinutes: WorkingMinutes,
  asOf: Date,
): TicketOutcome {
  const measure = (from: Date, to: Date) => Math.max(0, workingMinutes(ticket.priority, from, to));
  // A #sla extension moves the target wherever no stored deadline already carries it.
  const target = targetsOf(rule, { firstResponse: ticket.firstResponseExtraMinutes, resolution: ticket.resolutionExtraMinutes });

  let firstResponseMinutes: number | null = null;
  let firstResponseMet: boolean | null = null;
  if (ticket.firstResponseAt) {
    firstResponseMinutes = measure(ticket.receivedAt, ticket.firstResponseAt);
    firstResponseMet = ticket.firstResponseDue
      ? ticket.firstResponseAt <= ticket.firstResponseDue
      : firstResponseMinutes <= target.firstResponse;
  } else if (isOverdue(ticket.firstResponseDue, asOf, () => measure(ticket.receivedAt, asOf), target.firstResponse)) {
    firstResponseMet = false;
  }

  // The resolution clock starts when qualification ends; a ticket resolved without a recorded
  // qualification is measured from its first response (or arrival) rather than shown as zero.
  const resolutionStart = ticket.qualifiedAt ?? ticket.firstResponseAt ?? ticket.receivedAt;
  const activeMinutes = (end: Date) =>
    Math.max(0, measure(resolutionStart, end) - pausedMinutes(ticket, pauses, resolutionStart, end, measure));

  let resolutionMinutes: number | null = null;
  let resolutionMet: boolean | null = null;
  if (ticket.resolvedAt) resolutionMinutes = activeMinutes(ticket.resolvedAt);
  if (target.resolution !== null) {
    if (ticket.resolvedAt) {
      resolutionMet = ticket.resolutionDue
        ? ticket.resolvedAt <= ticket.resolutionDue
        : resolutionMinutes! <= target.resolution;
    } else if (ticket.qualifiedAt || ticket.resolutionDue) {
      if (isOverdue(ticket.resolutionDue, asOf, () => activeMinutes(asOf), target.resolution)) resolutionMet = false;
    }
  }
  return { firstResponseMinutes, resolutionMinutes, firstResponseMet, resolutionMet };
}

function isOverdue(due: Date | null, asOf: Date, elapsed: () => number, target: number): boolean {
  return due ? due <= asOf : elapsed() > target;
}

/** Working minutes the ticket spent waiting on the client inside [from, to], overlaps merged. */
function pausedMinutes(
  ticket: ReportTicketRow,
  pauses: readonly ReportPauseRow[],
  from: Date,
  to: Date,
  measure: (a: Date, b: Date) => number,
): number {
  const spans = pauses
    .filter((p) => p.ticketId === ticket.id)
    .map((p) => [Math.max(p.startedAt.getTime(), from.getTime()), Math.min((p.endedAt ?? to).getTime(), to.getTime())] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let current: [number, number] | null = null;
  for (const [a, b] of spans) {
    if (current && a <= current[1]) {
      current[1] = Math.max(current[1], b);
      continue;
    }
    if (current) total += measure(new Date(current[0]), new Date(current[1]));
    current = [a, b];
  }
  if (current) total += measure(new Date(current[0]), new Date(current[1]));
  return total;
}
