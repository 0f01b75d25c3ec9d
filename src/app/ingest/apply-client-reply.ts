import type { Db } from '../../db/client.js';
import { deferOr } from '../../db/write-behind.js';
import { appendEvents } from '../../db/repositories/event-repository.js';
import type { TicketEvent } from '../../tickets/ticket-event.js';
import { insertMessage } from '../../db/repositories/message-repository.js';
import { closePause, lockTicket, openPause, updateTicket, type TicketRow } from '../../db/repositories/ticket-repository.js';
import { SlagateError } from '../../errors.js';
import { holdForStaff } from '../../sla/escalation-plan.js';
import { extractNewText } from '../../inbound/reply-text.js';
import type { Priority } from '../../policy/priorities.js';
import { enqueueStaffNotification } from '../notify/enqueue-staff-notification.js';
import { arrivalTime } from '../../tickets/arrival-time.js';
import { attachmentRows, inboundMessageRow, senderOf } from './inbound-message-row.js';
import { recomputeTicketSla } from './recompute-ticket-sla.js';
import type { IngestOutcome } from '../../inbound/ingest-types.js';
import { applyClientCorrection } from './apply-client-correction.js';
import { confirmEscalation } from '../notify/confirm-escalation.js';
import { escalationFacts } from '../notify/escalation-facts.js';
import { levelAfterEscalation, stepOf, type LadderStep } from '../../tickets/escalation-ladder.js';
import { forwardPlanOfMail } from '../../outbound/forwarded-attachments.js';
import type { RouteContext, RouteInput } from './route-types.js';
import { findPerson, staffWithRole } from '../../tickets/staff-directory.js';
import { ticketViewOf } from '../../tickets/ticket-view-of.js';


/**
 * A client's mail on an existing ticket: stored, the ticket resumed or reopened, an
 * `[Escalate]` tag climbs one step of the ladder, and whoever handles the ticket is told.
 */
export async function applyClientReply(
  tx: Db, ctx: RouteContext, m: RouteInput, ticketId: number, opts: { reopen: boolean; via: string },
): Promise<NonNullable<IngestOutcome['ticket']>> {
  const { config, now } = ctx;
  const ticket = await lockTicket(tx, ticketId);
  if (!ticket) throw new SlagateError('INTERNAL', `ticket ${ticketId} vanished while threading`);
  await deferOr(ctx.writes, insertMessage(tx, inboundMessageRow(ticket.id, m, 'client'), attachmentRows(m)));
  const events: TicketEvent[] = [{
    ticketId: ticket.id, at: now, actor: 'client', kind: 'client-reply',
    reason: `matched by ${opts.via}`, data: { messageId: m.messageId, rawMailId: m.rawMailId },
  }];
  const patch: Parameters<typeof updateTicket>[2] = {};

  if (opts.reopen && (ticket.status === 'resolved' || ticket.status === 'closed')) {
    patch.status = 'open';
    patch.resolvedAt = null;
    patch.closedAt = null;
    // The time the ticket sat resolved was the client's, not ours: count it as a pause, up to when
    // their mail arrived (not when a backlog let us read it).
    const arrivedAt = arrivalTime(m.input.receivedAt, now);
    await openPause(tx, ticket.id, ticket.resolvedAt ?? ticket.closedAt ?? arrivedAt);
    await closePause(tx, ticket.id, arrivedAt);
    events.push({ ticketId: ticket.id, at: now, actor: 'client', kind: 'reopened', reason: `client replied after ${ticket.status}`,
      data: { arrivedAt: arrivedAt.toISOString() } });
  } else if (ticket.status === 'waiting') {
    patch.status = 'open';
    // The clock runs again from when the client's mail arrived, not from when we read it.
    const arrivedAt = arrivalTime(m.input.receivedAt, now);
    await closePause(tx, ticket.id, arrivedAt);
    events.push({ ticketId: ticket.id, at: now, actor: 'client', kind: 'resumed', reason: 'client replied while waiting',
      data: { arrivedAt: arrivedAt.toISOString() } });
  }

  if (m.classification.tags.escalate) {
    // One step above where the ticket stands (a breach may have moved it already); an
    // unassigned ticket goes to the lead like an assigned one.
    const level = levelAfterEscalation(ticket.escalationLevel);
    patch.escalationLevel = level;
    const step = stepOf(level);
    const recipients = escalationRecipients(ctx, ticket, step);
    events.push({ ticketId: ticket.id, at: now, actor: 'client', kind: 'client-escalated',
      reason: `client asked to escalate: level ${level} (${step})`, data: { level, step, recipients: recipients.map((r) => r.address) } });
    await enqueueStaffNotification(tx, { config, clock: () => now }, {
      ticket: ticketViewOf(config, ticket, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue }),
      kind: 'client-escalation', recipients, notBefore: holdForStaff(now, ticket.priority as Priority, config.policy),
      dedupeKey: `client-escalation:${ticket.id}:${m.rawMailId}`,
      data: { level, step, escalatedBy: null, escalation: await escalationFacts(tx, config, ticket, null) },
    });
    await confirmEscalation(tx, ctx, ticket, m, level);
  }
  if (Object.keys(patch).length > 0) await deferOr(ctx.writes, updateTicket(tx, ticket.id, patch, now));
  // Tags that correct the type or priority re-classify the ticket (and recompute its clocks).
  const corrected = await applyClientCorrection(tx, ctx, m, { ...ticket, ...patch } as TicketRow);
  Object.assign(patch, { type: corrected.type, priority: corrected.priority, requestedPriority: corrected.requestedPriority, priorityReason: corrected.priorityReason });
  // Whoever handles the ticket reads the reply in their mailbox and answers it from there: the
  // forward carries their signed reply address.
  const handlers = ticket.private ? staffWithRole(config, 'manager')
    : ((assignee) => (assignee ? [assignee] : staffWithRole(config, 'agent')))(findPerson(config, ticket.assignee));
  // The client's files go with the forward, to whoever handles it (managers alone on a private ticket).
  const forwarded = forwardPlanOfMail(config, m.rawMailId, m.mail.attachments);
  await enqueueStaffNotification(tx, { config, clock: () => now }, {
    ticket: ticketViewOf(config, { ...ticket, ...patch }, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue }),
    kind: 'client-reply-forward', recipients: handlers, notBefore: holdForStaff(now, ticket.priority as Priority, config.policy),
    dedupeKey: `client-reply:${ticket.id}:${m.rawMailId}`,
    data: { body: extractNewText(m.mail.text).body || m.mail.text.trim(), sender: senderOf(m), files: forwarded.files },
    attachments: forwarded.attach,
  });
  await deferOr(ctx.writes, appendEvents(tx, events));
  // The stored deadlines and next look are a function of the clock inputs alone (not of now:
  // storedSlaOf), so a reply that leaves them as they were would read them back and write the
  // same values: a round trip and a row version for nothing, on the commonest mail there is. The
  // only clock inputs a client reply changes are the status and, with it, the pauses.
  if (patch.status !== undefined) await recomputeTicketSla(tx, ticket.id, config.policy, now, ctx.writes);
  return { id: ticket.id, number: ticket.number, type: corrected.type, priority: corrected.priority as Priority, private: ticket.private };
}

function escalationRecipients(ctx: RouteContext, ticket: TicketRow, step: LadderStep) {
  const { config } = ctx;
  // Private tickets are handled by managers alone, at every step.
  if (ticket.private || step === 'manager') return staffWithRole(config, 'manager');
  if (step === 'lead') return staffWithRole(config, 'lead');
  const assignee = findPerson(config, ticket.assignee);
  return assignee ? [assignee] : staffWithRole(config, 'agent');
}
