import { randomUUID } from 'node:crypto';
import { inboundSubjects } from '../../db/repositories/ticket-mail-repository.js';
import type { Db } from '../../db/client.js';
import { deferOr } from '../../db/write-behind.js';
import { appendEvents } from '../../db/repositories/event-repository.js';
import { enqueue, isSuppressed } from '../../db/repositories/outbox-repository.js';
import { getSlaInputs } from '../../db/repositories/sla-repository.js';
import { updateTicket, type TicketRow } from '../../db/repositories/ticket-repository.js';
import { tagsInSubject } from '../../inbound/subject-tags.js';
import { buildClientMail } from '../../outbound/build-client-mail.js';
import { PRIORITY_LABELS, joinAlternatives } from '../../outbound/labels.js';
import type { Language } from '../../outbound/outbound-mail.js';
import { typeNameIn } from '../../policy/default-policy.js';
import type { Priority } from '../../policy/priorities.js';
import { clientCorrection, mayCorrect } from '../../tickets/client-correction.js';
import { clientThread } from '../notify/client-thread.js';
import { recomputeTicketSla } from './recompute-ticket-sla.js';
import { slaStateOf, storedSlaOf } from '../../tickets/stored-sla.js';
import type { RouteContext, RouteInput } from './route-types.js';
import { ticketViewOf } from '../../tickets/ticket-view-of.js';

/**
 * A client's reply whose subject corrects the type or priority (clientCorrection): the ticket is
 * re-classified, its clocks recomputed from their original starts, the change recorded as an
 * event, and the client told what it is now, in their language, with the new due times.
 * Returns the ticket as it is after the correction (unchanged when there was none).
 */
export async function applyClientCorrection(tx: Db, ctx: RouteContext, m: RouteInput, ticket: TicketRow): Promise<TicketRow> {
  const { config, now } = ctx;
  const tags = tagsInSubject(m.mail.subject, config.policy);
  if (tags.types.length === 0 && tags.priorities.length === 0) return ticket;
  const classified = {
    type: ticket.type, priority: ticket.priority as Priority, requestedPriority: ticket.requestedPriority as Priority | null, private: ticket.private,
  };
  // The earlier subjects are read only when they can change the answer.
  if (!mayCorrect(tags, classified, config.policy)) return ticket;
  const earlierSubjects = await inboundSubjects(tx, ticket.id, m.messageId);
  const earlier = [ticket.subject, ...earlierSubjects].map((s) => tagsInSubject(s, config.policy));
  const correction = clientCorrection(tags, earlier, classified, config.policy);
  if (!correction) return ticket;

  const patch = {
    type: correction.type, typeSource: 'tag', requestedPriority: correction.requestedPriority,
    priority: correction.priority, priorityReason: correction.priorityReason,
  };
  await deferOr(ctx.writes, updateTicket(tx, ticket.id, patch, now));
  const corrected: TicketRow = { ...ticket, ...patch };
  await recomputeTicketSla(tx, ticket.id, config.policy, now);
  const inputs = await getSlaInputs(tx, ticket.id);
  const sla = inputs ? storedSlaOf(slaStateOf(inputs.row, inputs.pauses, inputs.alerts), config.policy, now) : null;
  await deferOr(ctx.writes, appendEvents(tx, [{
    ticketId: ticket.id, at: now, actor: 'client', kind: 'client-corrected',
    reason: `type ${correction.from.type} → ${correction.type}, priority ${correction.from.priority} → ${correction.priority} (${correction.priorityReason})`,
    data: { rawMailId: m.rawMailId, from: correction.from, to: { type: correction.type, priority: correction.priority, requestedPriority: correction.requestedPriority } },
  }]));

  if (!(await isSuppressed(tx, ticket.requesterAddress, now))) {
    const lang = (ticket.requesterLanguage as Language | null) ?? config.defaultLanguage;
    const rule = config.policy.types.find((t) => t.slug === correction.type);
    const fromRule = config.policy.types.find((t) => t.slug === correction.from.type);
    const view = ticketViewOf(config, corrected, { firstResponseDue: sla?.firstResponseDue ?? null, resolutionDue: sla?.resolutionDue ?? null });
    const mail = buildClientMail(config, {
      kind: 'classification-corrected', ticket: view, lang,
      to: { name: ticket.requesterName ?? '', address: ticket.requesterAddress },
      dedupeKey: `corrected:${ticket.id}:${m.rawMailId}`,
      data: {
        typeChanged: correction.type !== correction.from.type,
        fromTypeName: fromRule ? typeNameIn(fromRule, lang) : correction.from.type,
        priorityMoved: correction.priority !== correction.from.priority,
        fromPriority: correction.from.priority,
        priorityChanged: correction.requestedPriority !== null && correction.requestedPriority !== correction.priority,
        allowedPriorities: joinAlternatives((rule?.priorities ?? [correction.priority]).map((p) => PRIORITY_LABELS[lang][p]), lang),
        // Before qualification a resolution time is only an earliest bound: it is not promised.
        firstResponseDue: corrected.firstResponseAt ? null : sla?.firstResponseDue ?? null,
        resolutionDue: corrected.qualifiedAt ? sla?.resolutionDue ?? null : null,
      },
      thread: await clientThread(tx, ticket.id),
      random: randomUUID(),
    });
    await enqueue(tx, mail, { now });
  }
  return corrected;
}
