import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { enqueue, isSuppressed } from '../../db/repositories/outbox-repository.js';
import type { TicketRow } from '../../db/repositories/ticket-repository.js';
import { buildClientMail } from '../../outbound/build-client-mail.js';
import type { Language } from '../../outbound/outbound-mail.js';
import { clientThread } from './client-thread.js';
import type { EnqueueResult, OutboundDeps } from './enqueue-acknowledgement.js';
import { ticketViewOf } from '../../tickets/ticket-view-of.js';

/**
 * Asks the client of a just-resolved ticket for a score, as a mail they answer (a link could be
 * "clicked" by a scanner). One per resolution: the key carries the resolution instant, so a
 * ticket reopened and resolved again asks again, and a replayed command does not.
 */
export async function enqueueSurvey(tx: Db, deps: OutboundDeps, input: { ticket: TicketRow }): Promise<EnqueueResult> {
  const { config } = deps;
  const { ticket } = input;
  const now = deps.clock();
  if (!ticket.resolvedAt) return { enqueued: false, reason: `${ticket.number} is not resolved` };
  if (await isSuppressed(tx, ticket.requesterAddress, now)) {
    return { enqueued: false, reason: `${ticket.requesterAddress} is suppressed after a hard bounce` };
  }
  const mail = buildClientMail(config, {
    kind: 'survey',
    ticket: ticketViewOf(config, ticket, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue }),
    to: { name: ticket.requesterName ?? '', address: ticket.requesterAddress },
    lang: (ticket.requesterLanguage as Language | null) ?? config.defaultLanguage,
    dedupeKey: `survey:${ticket.id}:${ticket.resolvedAt.toISOString()}`,
    data: {},
    thread: await clientThread(tx, ticket.id),
    random: (deps.random ?? randomUUID)(),
  });
  const inserted = await enqueue(tx, mail, { now });
  return inserted ? { enqueued: true, reason: `survey queued as ${mail.messageId}` } : { enqueued: false, reason: 'survey already queued for this resolution' };
}
