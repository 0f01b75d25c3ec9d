import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { acknowledgementGate, enqueue } from '../db/repositories/outbox-repository.js';
import { buildAcknowledgement, type AcknowledgedMail } from '../outbound/build-acknowledgement.js';
import { buildStaffMail } from '../outbound/build-staff-mail.js';
import type { TicketView } from '../outbound/ticket-view.js';

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
 * Queues the acknowledgement of a new ticket inside the ingest transaction. Sends nothing.
 * At most one per ticket; none to a suppressed (hard-bounced) address; and no more than
 * `limits.ackPerSenderCap` per sender and window, because a sender that keeps writing to us is
 * most often another robot, and answering it makes a mail loop. When the cap is hit, whoever sees
 * the ticket (the team, or the managers for a private one) is told once per window.
 */
export async function enqueueAcknowledgement(
  tx: Db, deps: OutboundDeps, input: { ticket: TicketView; mail: AcknowledgedMail },
): Promise<EnqueueResult> {
  const { config } = deps;
  const now = deps.clock();
  const random = deps.random ?? randomUUID;
  const address = input.ticket.requesterAddress;
  const windowMs = config.limits.ackPerSenderWindowMinutes * 60_000;
  const since = new Date(now.getTime() - windowMs);
  const { suppressed, sent } = await acknowledgementGate(tx, address, now, since);
  if (suppressed) {
    return { enqueued: false, reason: `${address} is suppressed after a hard bounce` };
  }
  if (sent >= config.limits.ackPerSenderCap) {
    const bucket = Math.floor(now.getTime() / windowMs);
    const role = input.ticket.private ? 'manager' : 'agent';
    for (const person of config.people.filter((p) => p.role === role)) {
      await enqueue(tx, buildStaffMail(config, {
        kind: 'sender-capped', ticket: null, person, dedupeKey: `sender-capped:${address}:${bucket}`,
        data: { senderAddress: address, cap: config.limits.ackPerSenderCap, windowMinutes: config.limits.ackPerSenderWindowMinutes,
          until: new Date((bucket + 1) * windowMs) },
        random: random(),
      }), { now });
    }
    return { enqueued: false, reason: `${sent} acknowledgements to ${address} in the last ${config.limits.ackPerSenderWindowMinutes} minutes (cap ${config.limits.ackPerSenderCap})` };
  }
  const mail = buildAcknowledgement(config, { ticket: input.ticket, mail: input.mail, random: random() });
  const inserted = await enqueue(tx, mail, { now });
  return inserted
    ? { enqueued: true, reason: `acknowledgement queued as ${mail.messageId}` }
    : { enqueued: false, reason: 'ticket already acknowledged' };
}
