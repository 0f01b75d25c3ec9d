import type { Config } from '../../config.js';
import { SlagateError } from '../../errors.js';
import { buildStaffMail } from '../../outbound/build-staff-mail.js';
import type { OutboundMail } from '../../outbound/outbound-mail.js';
import type { TicketView } from '../../outbound/ticket-view.js';
import type { ParsedMail } from '../../inbound/parsed-mail.js';
import { staffWithRole } from '../../tickets/staff-directory.js';

export interface ManagerNotificationInput {
  ticket: TicketView;
  /** The client's mail, as parsed: its full text and its attachments' names and sizes go to the managers. */
  mail: Pick<ParsedMail, 'text' | 'attachments' | 'messageId' | 'references'>;
  otherOpenTickets: string[];
  suppressed: ReadonlySet<string>;
}

/**
 * A new private ticket, told at arrival to every manager not under suppression, each in their own
 * language: the complaint's full text, its attachments by name and size (forwarding the files is
 * the attachments mechanism's job), the requester and their other open tickets, and a reply
 * address signed for that manager (buildStaffMail), so replying relays to the client from
 * management and commands run. Only managers: anything else is a programming error. Pure.
 */
export function planManagerNotification(config: Config, now: Date, random: () => string, input: ManagerNotificationInput): OutboundMail[] {
  const { ticket, mail } = input;
  if (!ticket.private) throw new SlagateError('INTERNAL', `manager notification requested for team ticket ${ticket.number}`);
  const attachments = mail.attachments.filter((a) => !a.inline).map((a) => ({ filename: a.filename, size: a.size }));
  return staffWithRole(config, 'manager').filter((p) => !input.suppressed.has(p.address)).map((person) => buildStaffMail(config, {
    kind: 'private-new-ticket', ticket, person, dedupeKey: `private-new:${ticket.id}`,
    data: { body: mail.text.trim(), attachments, otherTickets: input.otherOpenTickets },
    thread: mail.messageId ? { inReplyTo: mail.messageId, references: mail.references } : undefined,
    random: random(),
    now,
  }));
}
