import type { Policy } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';
import { computeDeadlines, type DeadlineExplanation, type TicketDeadlines } from '../sla/deadlines.js';
import type { Pause } from '../sla/paused-clock.js';

/** The clock inputs of a stored ticket. */
export interface TicketClockRow {
  priority: string;
  receivedAt: Date;
  firstResponseAt: Date | null;
  qualifiedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  status: string;
  breachedAt: Date | null;
  /**
   * `#sla extend` minutes. Required, so that a caller which forgot to select them does not show
   * the unextended deadline (issue 24: an extension must move every deadline shown).
   */
  firstResponseExtraMinutes: number;
  resolutionExtraMinutes: number;
}

const FINISHED = new Set(['resolved', 'closed']);

/** Deadlines recomputed from the ticket's inputs, so they always agree with the current policy. */
export function deadlinesOf(row: TicketClockRow, pauses: readonly Pause[], policy: Policy): TicketDeadlines {
  return computeDeadlines({
    priority: row.priority as Priority,
    receivedAt: row.receivedAt,
    firstResponseAt: row.firstResponseAt,
    qualifiedAt: row.qualifiedAt,
    resolvedAt: row.resolvedAt,
    pauses,
    extraMinutes: { firstResponse: row.firstResponseExtraMinutes, resolution: row.resolutionExtraMinutes },
  }, policy);
}

export function clocksOf(d: TicketDeadlines): DeadlineExplanation[] {
  return [d.firstResponse, d.qualification, d.resolution].filter((c): c is DeadlineExplanation => c !== null);
}

/** The earliest deadline still running (not met, not paused), or null when nothing is due. */
export function nextDeadline(row: TicketClockRow, d: TicketDeadlines): { clock: string; due: Date } | null {
  if (FINISHED.has(row.status)) return null;
  const running = clocksOf(d).filter((c) => c.met === null && c.due !== null);
  running.sort((a, b) => a.due!.getTime() - b.due!.getTime());
  const first = running[0];
  return first ? { clock: first.clock, due: first.due! } : null;
}

/**
 * A ticket missed its SLA when the sweeper recorded a breach, or when any clock was met late or
 * is overdue now: the listing must not depend on the sweeper having run.
 */
export function isBreached(row: TicketClockRow, d: TicketDeadlines, now: Date): boolean {
  if (row.breachedAt) return true;
  // A clock never met on a finished ticket stopped running when the ticket was finished.
  const stopped = FINISHED.has(row.status) ? row.resolvedAt ?? row.closedAt ?? now : now;
  return clocksOf(d).some((c) => c.due !== null && (c.met ?? stopped).getTime() > c.due.getTime());
}
