import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { enqueue, isSuppressed } from '../../db/repositories/outbox-repository.js';
import type { TicketRow } from '../../db/repositories/ticket-repository.js';
import { buildClientMail } from '../../outbound/build-client-mail.js';
import type { Language } from '../../outbound/outbound-mail.js';
import { stepOf } from '../../tickets/escalation-ladder.js';
import { clientThread } from './client-thread.js';
import type { Config } from '../../config.js';
import { ticketViewOf } from '../../tickets/ticket-view-of.js';

/** The client who asked for `[Escalate]` is told, in their language, whom the ticket is with now. */
export async function confirmEscalation(
  tx: Db, ctx: { config: Config; now: Date }, ticket: TicketRow, cause: { rawMailId: number }, level: number,
): Promise<void> {
  const { config, now } = ctx;
  if (await isSuppressed(tx, ticket.requesterAddress, now)) return;
  const mail = buildClientMail(config, {
    kind: 'escalation-confirmed',
    ticket: ticketViewOf(config, ticket, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue }),
    to: { name: ticket.requesterName ?? '', address: ticket.requesterAddress },
    lang: (ticket.requesterLanguage as Language | null) ?? config.defaultLanguage,
    dedupeKey: `escalation-confirmed:${ticket.id}:${cause.rawMailId}`,
    data: { level, step: stepOf(level) },
    thread: await clientThread(tx, ticket.id),
    random: randomUUID(),
  });
  await enqueue(tx, mail, { now });
}
