import type { Config, Person } from '../config.js';
import { SlagateError } from '../errors.js';
import { buildStaffMail, type StaffMailKind } from '../outbound/build-staff-mail.js';
import type { OutboundMail, OutboxAttachment } from '../outbound/outbound-mail.js';
import type { TicketView } from '../outbound/ticket-view.js';

export interface StaffNotificationInput {
  ticket: TicketView | null;
  kind: StaffMailKind;
  recipients: Person[];
  notBefore: Date;
  dedupeKey: string;
  data: Record<string, unknown>;
  /** Files sent with each mail (a client's screenshots with the forward of their reply). */
  attachments?: OutboxAttachment[];
}

/**
 * A reminder, escalation or notice to each recipient not under suppression. `dedupeKey` names the
 * cause, and each recipient gets `<dedupeKey>:<address>`, so a sweep that runs twice queues
 * nothing new. `data` holds the kind's template variables (for SLA kinds: `clock` and
 * `deadline`). A private ticket's news goes to managers only: anything else is a programming
 * error. Pure: the caller queues the mails with `input.notBefore`.
 */
export function planStaffNotification(
  config: Config, now: Date, random: () => string, input: StaffNotificationInput, suppressed: ReadonlySet<string>,
): OutboundMail[] {
  if (input.ticket?.private && input.recipients.some((p) => p.role !== 'manager')) {
    throw new SlagateError('INTERNAL', `private ticket ${input.ticket.number} notification addressed to non-managers`);
  }
  return input.recipients.filter((p) => !suppressed.has(p.address)).map((person) => {
    const mail = buildStaffMail(config, {
      kind: input.kind, ticket: input.ticket, person, dedupeKey: input.dedupeKey, data: input.data, random: random(), now,
    });
    if (input.attachments?.length) mail.attachments = input.attachments;
    return mail;
  });
}
