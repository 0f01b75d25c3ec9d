import { randomUUID } from 'node:crypto';
import type { Person } from '../config.js';
import { SlagateError } from '../errors.js';
import type { Db } from '../db/client.js';
import { enqueue, isSuppressed } from '../db/repositories/outbox-repository.js';
import { buildStaffMail, type StaffMailKind } from '../outbound/build-staff-mail.js';
import type { TicketView } from '../outbound/ticket-view.js';
import type { OutboundDeps } from './enqueue-acknowledgement.js';

/**
 * Queues a reminder, escalation or notice to each recipient for the SLA engine (or ingest).
 * `notBefore` holds staff mail until business hours; `dedupeKey` names the cause, and each
 * recipient gets `<dedupeKey>:<address>`, so a sweep that runs twice queues nothing new.
 * `data` holds the kind's template variables (for SLA kinds: `clock` and `deadline`).
 */
export async function enqueueStaffNotification(
  tx: Db, deps: OutboundDeps,
  input: {
    ticket: TicketView | null;
    kind: StaffMailKind;
    recipients: Person[];
    notBefore: Date;
    dedupeKey: string;
    data: Record<string, unknown>;
  },
): Promise<{ enqueued: number }> {
  const { config } = deps;
  if (input.ticket?.private && input.recipients.some((p) => p.role !== 'manager')) {
    throw new SlagateError('INTERNAL', `private ticket ${input.ticket.number} notification addressed to non-managers`);
  }
  const now = deps.clock();
  const random = deps.random ?? randomUUID;
  let enqueued = 0;
  for (const person of input.recipients) {
    if (await isSuppressed(tx, person.address, now)) continue;
    const mail = buildStaffMail(config, {
      kind: input.kind, ticket: input.ticket, person, dedupeKey: input.dedupeKey, data: input.data, random: random(), now,
    });
    if (await enqueue(tx, mail, { notBefore: input.notBefore, now })) enqueued++;
  }
  return { enqueued };
}
