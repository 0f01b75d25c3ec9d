import type { Config, Person } from '../config.js';
import { createReplyToken, tokenAddress } from '../security/reply-token.js';
import { composeMail, mailboxAddress, type ThreadContext } from './compose-mail.js';
import { safeAddress } from './message-headers.js';
import type { MailKind, OutboundMail } from './outbound-mail.js';
import type { TicketView } from './ticket-view.js';

/** Kinds that go to staff (agents, leads, managers), each in the person's language and zone. */
export const STAFF_MAIL_KINDS = [
  'team-new-ticket', 'team-flood', 'private-new-ticket', 'sla-reminder', 'sla-breach', 'sla-manager-escalation', 'qualification-reminder',
  'client-escalation', 'special-circumstances', 'client-reply-forward', 'command-result', 'sender-capped', 'staff-mail-refused',
  'manager-digest', 'monthly-report', 'quarterly-review',
] as const satisfies readonly MailKind[];
export type StaffMailKind = (typeof STAFF_MAIL_KINDS)[number];

/** One mail per person so each reads it in their own language; the key names the person. */
export function staffDedupeKey(base: string, person: Person): string {
  return `${base}:${person.address}`;
}

const DAY_MS = 86_400_000;

/**
 * A notification to one member of staff. It comes from the mailbox that owns the ticket (the
 * management one for private tickets) and replies go back there, so an agent's reply to it
 * reaches the ticket. Given `now` and a configured `tokenSecret`, mail about a ticket answers to
 * `support+<token>@…` signed for this person and ticket. The token is in that Reply-To only: the
 * Message-ID is random, because Message-IDs are logged, listed, quoted in References and used as
 * file names, and anyone who read one must not be able to act as its recipient.
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
    /** The mailbox a ticket-less mail comes from (management for mail that may name private tickets). */
    mailbox?: 'support' | 'management';
    random: string;
    /** When the reply token is issued; without it the mail carries no token. */
    now?: Date;
  },
): OutboundMail {
  const mailbox = input.ticket ? (input.ticket.private ? 'management' : input.ticket.mailbox) : (input.mailbox ?? 'support');
  const from = mailboxAddress(config, mailbox);
  const token = input.ticket && input.now && config.tokenSecret
    ? createReplyToken(config.tokenSecret, input.person, input.ticket.id,
      new Date(input.now.getTime() + config.replyTokenTtlDays * DAY_MS))
    : null;
  return composeMail(config, {
    kind: input.kind,
    dedupeKey: staffDedupeKey(input.dedupeKey, input.person),
    ticket: input.ticket,
    lang: input.person.language,
    zone: input.person.zone,
    data: { recipientName: input.person.name, senderName: from.name, ...input.data },
    from,
    replyTo: token ? { name: from.name, address: tokenAddress(from.address, token) } : from,
    to: [safeAddress(input.person.name, input.person.address)],
    autoSubmitted: 'auto-generated',
    thread: input.thread,
    random: input.random,
  });
}
