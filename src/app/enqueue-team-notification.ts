import { randomUUID } from 'node:crypto';
import { SlagateError } from '../errors.js';
import type { Db } from '../db/client.js';
import { holdForStaff } from '../sla/escalation-plan.js';
import { enqueue, isSuppressed } from '../db/repositories/outbox-repository.js';
import { buildStaffMail } from '../outbound/build-staff-mail.js';
import type { TicketView } from '../outbound/ticket-view.js';
import type { OutboundDeps } from './enqueue-acknowledgement.js';

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

/** A file for the agents, e.g. the client's own report when the ticket asks for one. */
export interface TeamAttachment { filename: string; contentType: string; contentBase64: string }

/**
 * Tells every agent about a new team ticket, each in their own language. Private (management)
 * tickets must never reach the team: calling this with one is a programming error, not a choice.
 */
export async function enqueueTeamNotification(
  tx: Db, deps: OutboundDeps, input: { ticket: TicketView; message: NotifiedMessage; attachments?: TeamAttachment[] },
): Promise<{ enqueued: number }> {
  const { config } = deps;
  const { ticket, message } = input;
  if (ticket.private) {
    throw new SlagateError('INTERNAL', `team notification requested for private ticket ${ticket.number}`);
  }
  const now = deps.clock();
  const random = deps.random ?? randomUUID;
  const excerpt = message.text.length > EXCERPT_CHARS ? `${message.text.slice(0, EXCERPT_CHARS)}…` : message.text;
  let enqueued = 0;
  for (const person of config.people.filter((p) => p.role === 'agent')) {
    if (await isSuppressed(tx, person.address, now)) continue;
    const mail = buildStaffMail(config, {
      kind: 'team-new-ticket', ticket, person, dedupeKey: `notify-new:${ticket.id}`,
      data: {
        excerpt: excerpt.trim(),
        firstResponseDue: ticket.firstResponseDue,
        attachmentCount: message.attachmentCount ?? 0,
      },
      thread: message.messageId ? { inReplyTo: message.messageId, references: message.references ?? [] } : undefined,
      random: random(),
      now,
    });
    // Staff mail outside business hours waits for the next opening; critical goes at any hour.
    if (input.attachments?.length) mail.attachments = input.attachments;
    if (await enqueue(tx, mail, { now, notBefore: holdForStaff(now, ticket.priority, config.policy) })) enqueued++;
  }
  return { enqueued };
}
