import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { acknowledgementGate, enqueue } from '../../db/repositories/outbox-repository.js';
import { buildAcknowledgement, type AcknowledgedMail } from '../../outbound/build-acknowledgement.js';
import { buildStaffMail } from '../../outbound/build-staff-mail.js';
import type { OutboundMail } from '../../outbound/outbound-mail.js';
import type { TicketView } from '../../outbound/ticket-view.js';

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

/** What the database says about acknowledging an address: suppressed, and how many went to it in the window. */
export interface AcknowledgementGate { suppressed: boolean; sent: number }

export interface AcknowledgementPlan extends EnqueueResult {
  /** The acknowledgement, or the staff notices that the sender's cap was hit; queued now. */
  mails: OutboundMail[];
}

/** The start of the window the per-sender cap counts acknowledgements in. */
export function acknowledgementWindowStart(config: Config, now: Date): Date {
  return new Date(now.getTime() - config.limits.ackPerSenderWindowMinutes * 60_000);
}

/**
 * The acknowledgement of a new ticket, decided from its gate: at most one per ticket; none to a
 * suppressed (hard-bounced) address; and no more than `limits.ackPerSenderCap` per sender and
 * window, because a sender that keeps writing to us is most often another robot, and answering it
 * makes a mail loop. When the cap is hit, whoever sees the ticket (the team, or the managers for a
 * private one) is told once per window. Pure: the caller queues `mails`.
 */
export function planAcknowledgement(
  config: Config, now: Date, random: () => string, input: { ticket: TicketView; mail: AcknowledgedMail }, gate: AcknowledgementGate,
): AcknowledgementPlan {
  const address = input.ticket.requesterAddress;
  const windowMs = config.limits.ackPerSenderWindowMinutes * 60_000;
  if (gate.suppressed) {
    return { enqueued: false, reason: `${address} is suppressed after a hard bounce`, mails: [] };
  }
  if (gate.sent >= config.limits.ackPerSenderCap) {
    const bucket = Math.floor(now.getTime() / windowMs);
    const role = input.ticket.private ? 'manager' : 'agent';
    // About a complainant: to managers only, from management, told apart from the team's notice.
    const mails = config.people.filter((p) => p.role === role).map((person) => buildStaffMail(config, {
      kind: 'sender-capped', ticket: null, person, dedupeKey: `sender-capped:${input.ticket.private ? 'private:' : ''}${address}:${bucket}`,
      mailbox: input.ticket.private ? 'management' : 'support',
      data: { senderAddress: address, cap: config.limits.ackPerSenderCap, windowMinutes: config.limits.ackPerSenderWindowMinutes,
        until: new Date((bucket + 1) * windowMs) },
      random: random(),
    }));
    return {
      enqueued: false, mails,
      reason: `${gate.sent} acknowledgements to ${address} in the last ${config.limits.ackPerSenderWindowMinutes} minutes (cap ${config.limits.ackPerSenderCap})`,
    };
  }
  const mail = buildAcknowledgement(config, { ticket: input.ticket, mail: input.mail, random: random() });
  return { enqueued: true, reason: `acknowledgement queued as ${mail.messageId}`, mails: [mail] };
}

/** Queues the acknowledgement of a new ticket inside the ingest transaction. Sends nothing. */
export async function enqueueAcknowledgement(
  tx: Db, deps: OutboundDeps, input: { ticket: TicketView; mail: AcknowledgedMail },
): Promise<EnqueueResult> {
  const now = deps.clock();
  const gate = await acknowledgementGate(tx, input.ticket.requesterAddress, now, acknowledgementWindowStart(deps.config, now));
  const plan = planAcknowledgement(deps.config, now, deps.random ?? randomUUID, input, gate);
  let inserted = false;
  for (const mail of plan.mails) inserted = (await enqueue(tx, mail, { now })) || inserted;
  return plan.enqueued && !inserted ? { enqueued: false, reason: 'ticket already acknowledged' } : { enqueued: plan.enqueued, reason: plan.reason };
}
