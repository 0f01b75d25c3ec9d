import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { enqueue, suppressedAmong } from '../../db/repositories/outbox-repository.js';
import { planStaffNotification, type StaffNotificationInput } from '../../tickets/plan-staff-notification.js';
import type { OutboundDeps } from './enqueue-acknowledgement.js';

/**
 * Queues a reminder, escalation or notice for the SLA engine (or ingest) in the caller's
 * transaction (what it says and to whom: tickets/plan-staff-notification.ts); `notBefore` holds
 * staff mail until business hours.
 */
export async function enqueueStaffNotification(tx: Db, deps: OutboundDeps, input: StaffNotificationInput): Promise<{ enqueued: number }> {
  const now = deps.clock();
  const suppressed = input.recipients.length > 0 ? await suppressedAmong(tx, input.recipients.map((p) => p.address), now) : new Set<string>();
  let enqueued = 0;
  for (const mail of planStaffNotification(deps.config, now, deps.random ?? randomUUID, input, suppressed)) {
    if (await enqueue(tx, mail, { notBefore: input.notBefore, now })) enqueued++;
  }
  return { enqueued };
}
