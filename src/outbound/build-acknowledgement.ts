import type { Config } from '../config.js';
import { joinAlternatives, PRIORITY_LABELS } from './labels.js';
import { composeMail, mailboxAddress } from './compose-mail.js';
import { detectLanguage } from './detect-language.js';
import { safeAddress } from './message-headers.js';
import type { Language, OutboundMail } from './outbound-mail.js';
import type { TicketView } from './ticket-view.js';

/** The client's mail as the acknowledgement needs it. */
export interface AcknowledgedMail {
  messageId: string | null;
  references: string[];
  subject: string;
  fromAddress: string;
  fromName: string | null;
  toAddress: string;
  text: string;
  attachmentCount: number;
}

/** The agreement's guidelines are offered when the mail gave little to go on. */
const SHORT_DESCRIPTION = 200; // characters

export function acknowledgementDedupeKey(ticketId: number): string {
  return `ack:${ticketId}`;
}

/** The language we answer a client in: the ticket's when known, else a guess from their text. */
export function clientLanguage(config: Config, ticket: TicketView, text: string): Language {
  return ticket.language ?? detectLanguage(`${ticket.subject}\n${text}`, config.defaultLanguage);
}

/**
 * The automatic acknowledgement of a new ticket: what we understood (type, priority and why),
 * the due times in the client's language and zone, how to correct us, and the agreement's
 * notices. Management tickets get the private variant, sent from the management address and
 * saying nothing about the team.
 */
export function buildAcknowledgement(
  config: Config,
  input: { ticket: TicketView; mail: AcknowledgedMail; random: string },
): OutboundMail {
  const { ticket, mail } = input;
  const lang = clientLanguage(config, ticket, mail.text);
  const rule = config.policy.priorities.find((p) => p.priority === ticket.priority);
  const type = config.policy.types.find((t) => t.slug === ticket.type);
  const calendar = config.policy.calendars.find((c) => c.name === rule?.calendar);
  const allowed = (type?.priorities ?? [ticket.priority]).map((p) => PRIORITY_LABELS[lang][p]);
  const from = mailboxAddress(config, ticket.private ? 'management' : ticket.mailbox);
  return composeMail(config, {
    kind: ticket.private ? 'acknowledgement-private' : 'acknowledgement',
    dedupeKey: acknowledgementDedupeKey(ticket.id),
    ticket,
    lang,
    zone: config.zone,
    data: {
      recipientName: safeAddress(mail.fromName, mail.fromAddress).name,
      senderName: from.name,
      priorityChanged: ticket.requestedPriority !== null && ticket.requestedPriority !== ticket.priority,
      priorityDefaulted: ticket.requestedPriority === null,
      allowedPriorities: joinAlternatives(allowed, lang),
      firstResponseDue: ticket.firstResponseDue,
      // No resolution date, ever: the resolution clock starts when qualification ends
      // (SLA-POLICY.md), which no ticket has reached when it is acknowledged. A date here would
      // read as counted from arrival, against the sentence that says otherwise.
      resolutionHours: rule?.resolutionMinutes ? Math.round(rule.resolutionMinutes / 60) : null,
      roundTheClock: calendar?.always ?? false,
      needsDetails: mail.attachmentCount === 0 || mail.text.trim().length < SHORT_DESCRIPTION,
      slaReview: ticket.slaReview,
    },
    from,
    replyTo: from,
    to: [safeAddress(mail.fromName ?? ticket.requesterName, ticket.requesterAddress)],
    autoSubmitted: 'auto-replied',
    thread: { inReplyTo: mail.messageId, references: mail.references },
    random: input.random,
  });
}
