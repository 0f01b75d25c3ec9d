import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { enqueue, suppressedAmong } from '../../db/repositories/outbox-repository.js';
import { planTeamNotification, type TeamNotificationInput } from '../../tickets/plan-team-notification.js';
import { staffWithRole } from '../../tickets/staff-directory.js';
import type { OutboundDeps } from './enqueue-acknowledgement.js';

/**
 * Queues the team's notification of a new ticket in the caller's transaction (what it says and to
 * whom: tickets/plan-team-notification.ts).
 */
export async function enqueueTeamNotification(tx: Db, deps: OutboundDeps, input: TeamNotificationInput): Promise<{ enqueued: number }> {
  const now = deps.clock();
  const agents = staffWithRole(deps.config, 'agent');
  const suppressed = agents.length > 0 ? await suppressedAmong(tx, agents.map((p) => p.address), now) : new Set<string>();
  const plan = planTeamNotification(deps.config, now, deps.random ?? randomUUID, input, suppressed);
  let enqueued = 0;
  for (const mail of plan.mails) if (await enqueue(tx, mail, { now, notBefore: plan.notBefore })) enqueued++;
  return { enqueued };
}
