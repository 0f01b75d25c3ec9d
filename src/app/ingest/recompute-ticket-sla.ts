import type { Db } from '../../db/client.js';
import { deferOr, type WriteBehind } from '../../db/write-behind.js';
import { getSlaInputs, storeDeadlines } from '../../db/repositories/sla-repository.js';
import type { Policy } from '../../policy/default-policy.js';
import { slaStateOf, storedSlaOf } from '../../tickets/stored-sla.js';

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
