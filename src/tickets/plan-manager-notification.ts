import type { Config } from '../config.js';
import { SlagateError } from '../errors.js';
import { buildStaffMail } from '../outbound/build-staff-mail.js';
import type { ForwardPlan } from '../outbound/forwarded-attachments.js';
import type { OutboundMail } from '../outbound/outbound-mail.js';
import type { TicketView } from '../outbound/ticket-view.js';
import type { ParsedMail } from '../inbound/parsed-mail.js';
import { staffWithRole } from './staff-directory.js';

export interface ManagerNotificationInput {
  ticket: TicketView;
  /** The client's mail, as parsed: its full text goes to the managers. */
  mail: Pick<ParsedMail, 'text' | 'messageId' | 'references'>;
  /** The client's files (forwardPlanOfMail): sent within the forwarding limit, the larger ones named. */
  forwarded: ForwardPlan;
  otherOpenTickets: string[];
  suppressed: ReadonlySet<string>;
}

/**
 * A new private ticket, told at arrival to every manager not under suppression, each in their own
 * language: the complaint's full text, the client's files (within the same forwarding limit as the
 * team's notice; a larger one is named with how to get it), the requester and their other open tickets, and a reply
 * address signed for that manager (buildStaffMail), so replying relays to the client from
 * management and commands run. Only managers: anything else is a programming error. Pure.
 */
export function planManagerNotification(config: Config, now: Date, random: () => string, input: ManagerNotificationInput): OutboundMail[] {
  const { ticket, mail } = input;
  if (!ticket.private) throw new SlagateError('INTERNAL', `manager notification requested for team ticket ${ticket.number}`);
  return staffWithRole(config, 'manager').filter((p) => !input.suppressed.has(p.address)).map((person) => {
    const built = buildStaffMail(config, {
      kind: 'private-new-ticket', ticket, person, dedupeKey: `private-new:${ticket.id}`,
      data: { body: mail.text.trim(), files: input.forwarded.files, otherTickets: input.otherOpenTickets },
      thread: mail.messageId ? { inReplyTo: mail.messageId, references: mail.references } : undefined,
      random: random(),
      now,
    });
    if (input.forwarded.attach.length > 0) built.attachments = input.forwarded.attach;
    return built;
  });
}
