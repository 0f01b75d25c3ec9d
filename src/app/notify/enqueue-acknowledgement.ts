import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { acknowledgementGate, enqueue } from '../../db/repositories/outbox-repository.js';
import type { AcknowledgedMail } from '../../outbound/build-acknowledgement.js';
import type { TicketView } from '../../outbound/ticket-view.js';
import { acknowledgementGlobalWindowStart, acknowledgementWindowStart, planAcknowledgement } from '../../tickets/plan-acknowledgement.js';

export interface OutboundDeps {
  config: Config;
  clock: () => Date;
  /** Random part of Message-IDs; tests fix it. */
  random?: () => string;
}

export interface EnqueueResult {
  enqueued: boolean;
  reason: string;
}

/**
 * Queues the acknowledgement of a new ticket inside the ingest transaction (the decision is
 * tickets/plan-acknowledgement.ts's, from the gate read here). Sends nothing.
 */
export async function enqueueAcknowledgement(
  tx: Db, deps: OutboundDeps, input: { ticket: TicketView; mail: AcknowledgedMail },
): Promise<EnqueueResult> {
  const now = deps.clock();
  const gate = await acknowledgementGate(tx, input.ticket.requesterAddress, now, acknowledgementWindowStart(deps.config, now),
    acknowledgementGlobalWindowStart(now));
  const plan = planAcknowledgement(deps.config, now, deps.random ?? randomUUID, input, gate);
  let inserted = false;
  for (const mail of plan.mails) inserted = (await enqueue(tx, mail, { now })) || inserted;
  return plan.enqueued && !inserted ? { enqueued: false, reason: 'ticket already acknowledged' } : { enqueued: plan.enqueued, reason: plan.reason };
}
