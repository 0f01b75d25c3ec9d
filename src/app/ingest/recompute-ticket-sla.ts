import type { Db } from '../../db/client.js';
import { deferOr, type WriteBehind } from '../../db/write-behind.js';
import { getSlaInputs, storeDeadlines, type SlaAlertRow, type SlaTicketRow } from '../../db/repositories/sla-repository.js';
import type { Policy } from '../../policy/default-policy.js';
import type { Priority } from '../../policy/priorities.js';
import { computeDues } from '../../sla/deadlines.js';
import { planSlaEvents, type SlaLevel, type SlaPlan, type SlaState } from '../../sla/escalation-plan.js';
import { slaStepKey } from '../../sla/sla-step-key.js';
import type { SlaClock } from '../../sla/explain-deadline.js';

/** The pure clock state of a ticket from its rows; fired steps become keys. */
export function slaStateOf(
  row: SlaTicketRow, pauses: { start: Date; end: Date | null }[], alerts: SlaAlertRow[],
): SlaState {
  return {
    priority: row.priority as Priority,
    status: row.status,
    assignee: row.assignee,
    receivedAt: row.receivedAt,
    firstResponseAt: row.firstResponseAt,
    qualifiedAt: row.qualifiedAt,
    resolvedAt: row.resolvedAt,
    pauses: pauses.map((p) => ({ start: p.start, end: p.end })),
    firedKeys: new Set(alerts.map((a) => slaStepKey(a.clock as SlaClock, a.level as SlaLevel, a.deadline))),
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

/** The stored SLA columns of a ticket in the given clock state. Pure. */
export function storedSlaOf(state: SlaState, policy: Policy, now: Date): StoredSla {
  const dues = computeDues(state, policy);
  return {
    firstResponseDue: dues.firstResponse ?? state.receivedAt,
    resolutionDue: dues.resolution,
    nextSlaAt: nextLookAt(planSlaEvents(state, policy, now)),
  };
}

/**
 * Recomputes a ticket's deadlines and next SLA look from its clock inputs. Callers that change a
 * ticket (ingest, agent commands) run it in their own transaction, after their change; with a
 * write-behind, the deadlines are written behind.
 */
export async function recomputeTicketSla(tx: Db, ticketId: number, policy: Policy, now: Date, writes?: WriteBehind): Promise<void> {
  const inputs = await getSlaInputs(tx, ticketId);
  if (!inputs) return;
  await deferOr(writes, storeDeadlines(tx, ticketId, storedSlaOf(slaStateOf(inputs.row, inputs.pauses, inputs.alerts), policy, now)));
}
