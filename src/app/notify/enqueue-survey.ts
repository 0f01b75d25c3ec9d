import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { enqueue, isSuppressed } from '../../db/repositories/outbox-repository.js';
import { planSurvey, type SurveyedTicket } from '../../tickets/plan-survey.js';
import { clientThread } from './client-thread.js';
import type { EnqueueResult, OutboundDeps } from './enqueue-acknowledgement.js';

/**
 * Queues the satisfaction survey of a just-resolved ticket in the caller's transaction (whether
 * and what: tickets/plan-survey.ts). Reads only what the decision can still use: the suppression
 * of a resolved ticket's client, and the thread only when the survey will go.
 */
export async function enqueueSurvey<T extends SurveyedTicket>(tx: Db, deps: OutboundDeps, input: { ticket: T }): Promise<EnqueueResult> {
  const { ticket } = input;
  const now = deps.clock();
  const suppressed = ticket.resolvedAt !== null && await isSuppressed(tx, ticket.requesterAddress, now);
  const thread = ticket.resolvedAt !== null && !suppressed ? await clientThread(tx, ticket.id) : undefined;
  const plan = planSurvey(deps.config, deps.random ?? randomUUID, ticket, { suppressed, thread });
  if (!plan.mail) return { enqueued: false, reason: plan.reason };
  const inserted = await enqueue(tx, plan.mail, { now });
  return inserted ? { enqueued: true, reason: plan.reason } : { enqueued: false, reason: 'survey already queued for this resolution' };
}
