import type { Config } from '../config.js';
import { buildClientMail } from '../outbound/build-client-mail.js';
import type { ThreadContext } from '../outbound/compose-mail.js';
import type { Language, OutboundMail } from '../outbound/outbound-mail.js';
import { ticketViewOf, type TicketViewSource } from './ticket-view-of.js';

/** What a survey reads of its ticket (db/ ticket rows have these fields, and more). */
export interface SurveyedTicket extends TicketViewSource {
  resolvedAt: Date | null;
  firstResponseDue: Date | null;
  resolutionDue: Date | null;
}

/** The survey to queue, or why there is none. */
export type SurveyPlan = { mail: OutboundMail; reason: string } | { mail: null; reason: string };

/**
 * Asks the client of a just-resolved ticket for a score, as a mail they answer (a link could be
 * "clicked" by a scanner), in the thread of their last mail. One per resolution: the key carries
 * the resolution instant, so a ticket reopened and resolved again asks again, and a replayed
 * command does not. None to a suppressed (hard-bounced) address. Pure: the caller queues it.
 */
export function planSurvey(
  config: Config, random: () => string, ticket: SurveyedTicket, facts: { suppressed: boolean; thread?: ThreadContext },
): SurveyPlan {
  if (!ticket.resolvedAt) return { mail: null, reason: `${ticket.number} is not resolved` };
  if (facts.suppressed) return { mail: null, reason: `${ticket.requesterAddress} is suppressed after a hard bounce` };
  const mail = buildClientMail(config, {
    kind: 'survey',
    ticket: ticketViewOf(config, ticket, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue }),
    to: { name: ticket.requesterName ?? '', address: ticket.requesterAddress },
    lang: (ticket.requesterLanguage as Language | null) ?? config.defaultLanguage,
    dedupeKey: `survey:${ticket.id}:${ticket.resolvedAt.toISOString()}`,
    data: {},
    thread: facts.thread,
    random: random(),
  });
  return { mail, reason: `survey queued as ${mail.messageId}` };
}
