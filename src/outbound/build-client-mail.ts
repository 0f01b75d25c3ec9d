import type { Config } from '../config.js';
import { composeMail, mailboxAddress, type ThreadContext } from './compose-mail.js';
import { safeAddress } from './message-headers.js';
import type { Language, MailAddress, OutboundMail } from './outbound-mail.js';
import type { TicketView } from './ticket-view.js';

/** Kinds that go to a client other than the acknowledgement. */
export type ClientMailKind = 'agent-relay' | 'survey' | 'oversized-rejected' | 'classification-corrected' | 'escalation-confirmed';

/**
 * A mail to a client in their language and our zone. An agent's relayed reply is human mail and
 * carries no Auto-Submitted; the survey and the size notice are automatic.
 */
export function buildClientMail(
  config: Config,
  input: {
    kind: ClientMailKind;
    ticket: TicketView | null;
    to: MailAddress;
    /** The ticket's participants (a client's colleagues), for an agent's relayed reply. */
    cc?: MailAddress[];
    lang: Language;
    dedupeKey: string;
    data: Record<string, unknown>;
    thread?: ThreadContext;
    /** The mailbox the mail came to, for mail without a ticket (oversized-rejected). */
    mailbox?: 'support' | 'management';
    random: string;
  },
): OutboundMail {
  const mailbox = input.ticket ? (input.ticket.private ? 'management' : input.ticket.mailbox) : (input.mailbox ?? 'support');
  const from = mailboxAddress(config, mailbox);
  const to = safeAddress(input.to.name, input.to.address);
  return composeMail(config, {
    kind: input.kind,
    dedupeKey: input.dedupeKey,
    ticket: input.ticket,
    lang: input.lang,
    zone: config.zone,
    data: { recipientName: to.name, senderName: from.name, ...input.data },
    from,
    replyTo: from,
    to: [to],
    cc: (input.cc ?? []).map((a) => safeAddress(a.name, a.address)),
    autoSubmitted: input.kind === 'agent-relay' ? null : 'auto-replied',
    thread: input.thread,
    random: input.random,
  });
}
