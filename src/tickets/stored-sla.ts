import type { Policy } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';
import { computeDues } from '../sla/deadlines.js';
import { planSlaEvents, type SlaPlan, type SlaState } from '../sla/escalation-plan.js';
import type { SlaClock } from '../sla/explain-deadline.js';
import type { Pause } from '../sla/paused-clock.js';
import { slaStepKey, type SlaLevel } from '../sla/sla-step-key.js';

/** What the SLA clocks read of a stored ticket (db/ maps its rows to this). */
export interface TicketSlaInputs {
  priority: string;
  status: string;
  assignee: string | null;
  receivedAt: Date;
  firstResponseAt: Date | null;
  qualifiedAt: Date | null;
  resolvedAt: Date | null;
  /** `#sla extend` minutes; required so that no reader of a ticket's clocks can leave them out. */
  firstResponseExtraMinutes: number;
  resolutionExtraMinutes: number;
}

/** An SLA step already fired for a ticket (a stored alert), by its clock, level and deadline. */
export interface FiredSlaStep {
  clock: string;
  level: string;
  deadline: Date;
}

/** The pure clock state of a ticket from what is stored of it; fired steps become keys. */
export function slaStateOf(ticket: TicketSlaInputs, pauses: readonly Pause[], fired: readonly FiredSlaStep[]): SlaState {
  return {
    priority: ticket.priority as Priority,
    status: ticket.status,
    assignee: ticket.assignee,
    receivedAt: ticket.receivedAt,
    firstResponseAt: ticket.firstResponseAt,
    qualifiedAt: ticket.qualifiedAt,
    resolvedAt: ticket.resolvedAt,
    pauses: pauses.map((p) => ({ start: p.start, end: p.end })),
    extraMinutes: { firstResponse: ticket.firstResponseExtraMinutes, resolution: ticket.resolutionExtraMinutes },
    firedKeys: new Set(fired.map((a) => slaStepKey(a.clock as SlaClock, a.level as SlaLevel, a.deadline))),
  };
}

/**
 * When the sweeper must look at the ticket again: at once when a step is already due (a priority
 * change can make one overdue), else at the next threshold; null when nothing is pending.
 */
export function nextLookAt(plan: SlaPlan): Date | null {
  return plan.due[0]?.at ?? plan.nextAt;
}

/** What a ticket row stores of its clocks: its deadlines and when the sweeper looks next. */
export interface StoredSla {
  firstResponseDue: Date;
  resolutionDue: Date | null;
  nextSlaAt: Date | null;
}

/** The stored SLA columns of a ticket in the given clock state. */
export function storedSlaOf(state: SlaState, policy: Policy, now: Date): StoredSla {
  const dues = computeDues(state, policy);
  return {
    firstResponseDue: dues.firstResponse ?? state.receivedAt,
    resolutionDue: dues.resolution,
    nextSlaAt: nextLookAt(planSlaEvents(state, policy, now)),
  };
}
