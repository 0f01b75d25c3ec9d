import type { Config } from '../config.js';
import { buildAcknowledgement, type AcknowledgedMail } from '../outbound/build-acknowledgement.js';
import { buildStaffMail } from '../outbound/build-staff-mail.js';
import type { OutboundMail } from '../outbound/outbound-mail.js';
import type { TicketView } from '../outbound/ticket-view.js';

/**
 * What the database says about acknowledging an address (db/ reads it: acknowledgementGates):
 * suppressed, and how many went in the window to its normalised form, to its domain, and (in the
 * last hour) to anyone.
 */
export interface AcknowledgementGate {
  /** The exact address is under suppression (a hard bounce). */
  suppressed: boolean;
  /** Acknowledgements to the normalised address in the window. */
  sent: number;
  /** Acknowledgements to any address of its domain in the window. */
  domainSent: number;
  /** Acknowledgements to anyone in the last hour. */
  globalSent: number;
  /** The normalised address and domain the counts are for. */
  recipient: string;
  domain: string;
}

export interface AcknowledgementPlan {
  /** Whether the acknowledgement is among `mails`. */
  enqueued: boolean;
  reason: string;
  /** The acknowledgement, or the staff notices that the sender's cap was hit; queued now. */
  mails: OutboundMail[];
}

/** The start of the window the per-sender and per-domain caps count acknowledgements in. */
export function acknowledgementWindowStart(config: Config, now: Date): Date {
  return new Date(now.getTime() - config.limits.ackPerSenderWindowMinutes * 60_000);
}

const HOUR_MS = 3_600_000;

/** The start of the hour the global acknowledgement rate counts in. */
export function acknowledgementGlobalWindowStart(now: Date): Date {
  return new Date(now.getTime() - HOUR_MS);
}

/** The limit an acknowledgement would pass, if any: the widest first, so one flood trips one notice. */
function trippedLimit(config: Config, gate: AcknowledgementGate) {
  const l = config.limits;
  if (gate.globalSent >= l.ackGlobalPerHour) {
    return { key: 'global', senderAddress: '*', cap: l.ackGlobalPerHour, windowMs: HOUR_MS, sent: gate.globalSent, what: 'anyone' };
  }
  if (gate.domain !== '' && gate.domainSent >= l.ackPerDomainCap) {
    return { key: `domain:${gate.domain}`, senderAddress: `*@${gate.domain}`, cap: l.ackPerDomainCap,
      windowMs: l.ackPerSenderWindowMinutes * 60_000, sent: gate.domainSent, what: `*@${gate.domain}` };
  }
  if (gate.sent >= l.ackPerSenderCap) {
    return { key: gate.recipient, senderAddress: gate.recipient, cap: l.ackPerSenderCap,
      windowMs: l.ackPerSenderWindowMinutes * 60_000, sent: gate.sent, what: gate.recipient };
  }
  return null;
}

/**
 * The acknowledgement of a new ticket, decided from its gate: at most one per ticket; none to a
 * suppressed (hard-bounced) address; and no more than `limits.ackPerSenderCap` per sender
 * (normalised: case and plus-tag folded), `limits.ackPerDomainCap` per domain, per window, and
 * `limits.ackGlobalPerHour` in all, because a sender that keeps writing to us is most often another robot, and answering it
 * makes a mail loop. When the cap is hit, whoever sees the ticket (the team, or the managers for a
 * private one) is told once per window. Pure: the caller queues `mails`.
 */
export function planAcknowledgement(
  config: Config, now: Date, random: () => string, input: { ticket: TicketView; mail: AcknowledgedMail }, gate: AcknowledgementGate,
): AcknowledgementPlan {
  const address = input.ticket.requesterAddress;
  if (gate.suppressed) {
    return { enqueued: false, reason: `${address} is suppressed after a hard bounce`, mails: [] };
  }
  const limit = trippedLimit(config, gate);
  if (limit) {
    const bucket = Math.floor(now.getTime() / limit.windowMs);
    const role = input.ticket.private ? 'manager' : 'agent';
    // Once per limit and window (the dedupe key): a flood from victim+1..+40@ is one notice.
    // About a complainant: to managers only, from management, told apart from the team's notice.
    const mails = config.people.filter((p) => p.role === role).map((person) => buildStaffMail(config, {
      kind: 'sender-capped', ticket: null, person, dedupeKey: `sender-capped:${input.ticket.private ? 'private:' : ''}${limit.key}:${bucket}`,
      mailbox: input.ticket.private ? 'management' : 'support',
      data: { senderAddress: limit.senderAddress, cap: limit.cap, windowMinutes: limit.windowMs / 60_000,
        until: new Date((bucket + 1) * limit.windowMs) },
      random: random(),
    }));
    return {
      enqueued: false, mails,
      reason: `${limit.sent} acknowledgements to ${limit.what} in the last ${limit.windowMs / 60_000} minutes (cap ${limit.cap})`,
    };
  }
  const mail = buildAcknowledgement(config, { ticket: input.ticket, mail: input.mail, random: random() });
  return { enqueued: true, reason: `acknowledgement queued as ${mail.messageId}`, mails: [mail] };
}
