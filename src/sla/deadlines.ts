import type { Policy, PriorityRule } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';
import { SlagateError } from '../errors.js';
import { calendarFor, type Calendar } from './calendar.js';
import { daysInSpan, explainDeadline, type SlaClock } from './explain-deadline.js';
import { dueWithPauses, type CountedPause, type Pause } from './paused-clock.js';
import { nextOpening } from './working-time.js';

/** The clock inputs of a ticket (SLA-POLICY.md "Clocks"). */
export interface DeadlineInput {
  priority: Priority;
  receivedAt: Date;
  firstResponseAt: Date | null;
  qualifiedAt: Date | null;
  resolvedAt: Date | null;
  /** Waiting-on-client intervals; they pause the resolution clock only. */
  pauses: readonly Pause[];
  /** Working minutes added to the targets by `#sla extend` (absent: none). */
  extraMinutes?: SlaExtensions;
}

/** Working minutes a lead or manager added to a ticket's targets (`#sla extend`). */
export interface SlaExtensions {
  firstResponse: number;
  resolution: number;
}

/**
 * A priority's targets with a ticket's extensions added. Qualification keeps the plain
 * first-response target: an extension is granted for one clock, the one named.
 */
export function targetsOf(rule: PriorityRule, extra: SlaExtensions | undefined): { firstResponse: number; resolution: number | null } {
  return {
    firstResponse: rule.firstResponseMinutes + (extra?.firstResponse ?? 0),
    resolution: rule.resolutionMinutes === null ? null : rule.resolutionMinutes + (extra?.resolution ?? 0),
  };
}

/** A deadline and everything needed to explain it. */
export interface DeadlineExplanation {
  clock: SlaClock;
  start: Date;
  /** The next opening when `start` falls outside working hours. */
  countedFrom: Date;
  calendar: string;
  zone: string;
  targetMinutes: number;
  /** null while paused. */
  due: Date | null;
  met: Date | null;
  pausedSince: Date | null;
  /** Holiday and half-day dates (YYYY-MM-DD) inside the counted span. */
  holidays: string[];
  pauses: CountedPause[];
  text: string;
}

export interface TicketDeadlines {
  priority: Priority;
  calendar: string;
  zone: string;
  firstResponse: DeadlineExplanation;
  /** null until the first response starts qualification. */
  qualification: DeadlineExplanation | null;
  /** null until qualified, and always for a priority without a resolution target (low). */
  resolution: DeadlineExplanation | null;
}

export function priorityRule(priority: Priority, policy: Policy): PriorityRule {
  const rule = policy.priorities.find((p) => p.priority === priority);
  if (!rule) throw new SlagateError('CONFIG_INVALID', `policy has no priority "${priority}"`);
  return rule;
}

/** One clock's deadline from its start, target, meeting instant and pauses. */
export function computeClock(
  clock: SlaClock, start: Date, targetMinutes: number, met: Date | null, pauses: readonly Pause[], cal: Calendar,
  /** The part of `targetMinutes` a `#sla extend` added, so the explanation can say so. */
  extraMinutes = 0,
): DeadlineExplanation {
  const countedFrom = nextOpening(start, cal);
  const run = dueWithPauses(start, targetMinutes, pauses, cal);
  const span = daysInSpan(countedFrom, run.due ?? run.pausedSince ?? countedFrom, cal);
  const x = {
    clock, start, countedFrom, targetMinutes, extraMinutes, met, due: run.due, pausedSince: run.pausedSince, pauses: run.pauses, span,
  };
  return {
    ...x,
    calendar: cal.name,
    zone: cal.zone,
    holidays: [...span.holidays, ...span.halfDays].sort(),
    text: explainDeadline(x, cal),
  };
}

/**
 * Every deadline of a ticket, computed from the inputs alone: a priority change recomputes each
 * clock from its original start with the new targets and calendar.
 */
export function computeDeadlines(input: DeadlineInput, policy: Policy): TicketDeadlines {
  const rule = priorityRule(input.priority, policy);
  const cal = calendarFor(input.priority, policy);
  const target = targetsOf(rule, input.extraMinutes);
  const firstResponse = computeClock(
    'first-response', input.receivedAt, target.firstResponse, input.firstResponseAt, [], cal, input.extraMinutes?.firstResponse,
  );
  // Qualification starts with the first response and has the first-response target as its own.
  const qualification = input.firstResponseAt
    ? computeClock('qualification', input.firstResponseAt, rule.firstResponseMinutes, input.qualifiedAt, [], cal)
    : null;
  const resolution = input.qualifiedAt && target.resolution !== null
    ? computeClock('resolution', input.qualifiedAt, target.resolution, input.resolvedAt, input.pauses, cal, input.extraMinutes?.resolution)
    : null;
  return { priority: input.priority, calendar: cal.name, zone: cal.zone, firstResponse, qualification, resolution };
}

/** The due instants alone (null while paused or not started), as computeDeadlines would give them. */
export interface DeadlineDues {
  firstResponse: Date | null;
  resolution: Date | null;
}

/**
 * computeDeadlines without the explanations: ingest and the SLA recompute only store the due
 * instants, and formatting each explanation's dates costs more than the arithmetic.
 */
export function computeDues(input: DeadlineInput, policy: Policy): DeadlineDues {
  const rule = priorityRule(input.priority, policy);
  const cal = calendarFor(input.priority, policy);
  const target = targetsOf(rule, input.extraMinutes);
  const firstResponse = dueWithPauses(input.receivedAt, target.firstResponse, [], cal).due;
  const resolution = input.qualifiedAt && target.resolution !== null
    ? dueWithPauses(input.qualifiedAt, target.resolution, input.pauses, cal).due
    : null;
  return { firstResponse, resolution };
}
