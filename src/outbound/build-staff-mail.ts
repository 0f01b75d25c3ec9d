import type { Config, Person } from '../config.js';
import { composeMail, mailboxAddress, type ThreadContext } from './compose-mail.js';
import { safeAddress } from './message-headers.js';
import type { MailKind, OutboundMail } from './outbound-mail.js';
import type { TicketView } from './ticket-view.js';

/** Kinds that go to staff (agents, leads, managers), each in the person's language and zone. */
export const STAFF_MAIL_KINDS = [
  'team-new-ticket', 'sla-reminder', 'sla-breach', 'sla-manager-escalation', 'qualification-reminder',
  'client-escalation', 'special-circumstances', 'client-reply-forward', 'command-result', 'sender-capped',
] as const satisfies readonly MailKind[];
export type StaffMailKind = (typeof STAFF_MAIL_KINDS)[number];

/** One mail per person so each reads it in their own language; the key names the person. */
export function staffDedupeKey(base: string, person: Person): string {
  return `${base}:${person.address}`;
}

/**
 * A notification to one member of staff. It comes from the mailbox that owns the ticket (the
 * management one for private tickets) and replies go back there, so an agent's reply to it
 * reaches the ticket.
 */
export function buildStaffMail(
  config: Config,
  input: {
    kind: StaffMailKind;
    ticket: TicketView | null;
    person: Person;
    dedupeKey: string;
    data: Record<string, unknown>;
    thread?: ThreadContext;
    random: string;
  },
): OutboundMail {
  const mailbox = input.ticket ? (input.ticket.private ? 'management' : input.ticket.mailbox) : 'support';
  const from = mailboxAddress(config, mailbox);
  return composeMail(config, {
    kind: input.kind,
    dedupeKey: staffDedupeKey(input.dedupeKey, input.person),
    ticket: input.ticket,
    lang: input.person.language,
    zone: input.person.zone,
    data: { recipientName: input.person.name, senderName: from.name, ...input.data },
    from,
    replyTo: from,
    to: [safeAddress(input.person.name, input.person.address)],
    autoSubmitted: 'auto-generated',
    thread: input.thread,
    random: input.random,
  });
}
