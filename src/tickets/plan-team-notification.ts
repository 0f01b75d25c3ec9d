import type { Config } from '../config.js';
import { SlagateError } from '../errors.js';
import { holdForStaff } from '../sla/escalation-plan.js';
import { buildStaffMail } from '../outbound/build-staff-mail.js';
import type { ListedFile } from '../outbound/forwarded-attachments.js';
import type { OutboundMail, OutboxAttachment } from '../outbound/outbound-mail.js';
import type { TicketView } from '../outbound/ticket-view.js';
import { staffWithRole } from './staff-directory.js';

/** How much of the client's text the notification quotes. */
const EXCERPT_CHARS = 2000;

export interface NotifiedMessage {
  text: string;
  fromAddress?: string;
  fromName?: string | null;
  messageId?: string | null;
  references?: string[];
  attachmentCount?: number;
}

export interface TeamNotificationInput {
  ticket: TicketView;
  message: NotifiedMessage;
  /** Sent with the mail: the client's report, the client's own files (stored references). */
  attachments?: OutboxAttachment[];
  /** The client's files as the mail lists them (sent, or too large and named). */
  files?: ListedFile[];
  /** The name of the client's own report attached for a report request, which the mail names. */
  reportFile?: string;
}

/**
 * Tells every agent not under suppression about a new team ticket, each in their own language;
 * the mails wait until `notBefore`. Private (management) tickets must never reach the team:
 * calling this with one is a programming error, not a choice. Pure: the caller queues the mails.
 */
export function planTeamNotification(
  config: Config, now: Date, random: () => string, input: TeamNotificationInput, suppressed: ReadonlySet<string>,
): { mails: OutboundMail[]; notBefore: Date } {
  const { ticket, message } = input;
  if (ticket.private) {
    throw new SlagateError('INTERNAL', `team notification requested for private ticket ${ticket.number}`);
  }
  const excerpt = message.text.length > EXCERPT_CHARS ? `${message.text.slice(0, EXCERPT_CHARS)}…` : message.text;
  const mails = staffWithRole(config, 'agent').filter((p) => !suppressed.has(p.address)).map((person) => {
    const mail = buildStaffMail(config, {
      kind: 'team-new-ticket', ticket, person, dedupeKey: `notify-new:${ticket.id}`,
      data: {
        excerpt: excerpt.trim(),
        firstResponseDue: ticket.firstResponseDue,
        attachmentCount: message.attachmentCount ?? 0,
        files: input.files ?? [],
        ...(input.reportFile ? { reportFile: input.reportFile } : {}),
      },
      thread: message.messageId ? { inReplyTo: message.messageId, references: message.references ?? [] } : undefined,
      random: random(),
      now,
    });
    if (input.attachments?.length) mail.attachments = input.attachments;
    return mail;
  });
  // Staff mail outside business hours waits for the next opening; critical goes at any hour.
  return { mails, notBefore: holdForStaff(now, ticket.priority, config.policy) };
}
