import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { appendEvents, type NewEvent } from '../db/repositories/event-repository.js';
import { insertMessage } from '../db/repositories/message-repository.js';
import { countTicketsOpenedBy, createTicket, lockForKey, type TicketThreadRef } from '../db/repositories/ticket-repository.js';
import { sameOrganisation } from '../inbound/same-organisation.js';
import { detectLanguage } from '../outbound/detect-language.js';
import { calendarFor } from '../sla/calendar.js';
import { priorityRule } from '../sla/deadlines.js';
import { holdForStaff } from '../sla/escalation-plan.js';
import { dueWithPauses } from '../sla/paused-clock.js';
import { enqueueAcknowledgement } from './enqueue-acknowledgement.js';
import { enqueueStaffNotification } from './enqueue-staff-notification.js';
import { enqueueTeamNotification, type TeamAttachment } from './enqueue-team-notification.js';
import { renderMonthlyReport } from './render-monthly-report.js';
import type { IngestOutcome } from './ingest-types.js';
import { attachmentRows, inboundMessageRow } from './inbound-message-row.js';
import { storedSlaOf } from './recompute-ticket-sla.js';
import type { RouteContext, RouteInput } from './route-parsed-mail.js';
import { findPerson, isOwnMailboxAddress, staffWithRole } from './staff-directory.js';
import { ticketViewOf } from './ticket-view-of.js';

/**
 * A new ticket from a mail: classified, numbered, its clocks started, the special-circumstances
 * rule applied, and its mails (acknowledgement, team notification) queued in the same transaction.
 */
export async function openTicket(
  tx: Db, ctx: RouteContext, m: RouteInput, linkedTo: TicketThreadRef | null,
): Promise<Omit<IngestOutcome, 'rawMailId'>> {
  const { config, now } = ctx;
  const { mail, classification: c, input, noise } = m;
  const sender = mail.from[0] ?? null;
  const requester = sender?.address ?? mail.returnPath ?? '';
  const hasSender = /^[^@\s]+@[^@\s]+$/.test(requester);

  // Special circumstances count the client's tickets on the local calendar day of arrival.
  const day = DateTime.fromJSDate(input.receivedAt, { zone: config.zone }).startOf('day');
  if (hasSender) await lockForKey(tx, `special-circumstances:${requester}:${day.toISODate()}`);
  const earlier = hasSender
    ? await countTicketsOpenedBy(tx, requester, day.toJSDate(), day.plus({ days: 1 }).toJSDate(), { includePrivate: c.private })
    : 0;
  const slaReview = earlier >= config.policy.specialCircumstancesPerDay;
  const person = findPerson(config, requester);
  const language = person?.language ?? detectLanguage(`${mail.subject}\n${mail.text.slice(0, 4000)}`, config.defaultLanguage);

  // A new ticket's clocks depend only on what it is created with (no pause, nothing fired yet), so
  // its deadlines go into the insert instead of being read back and written again.
  const sla = storedSlaOf({
    priority: c.priority, status: 'new', assignee: null, receivedAt: input.receivedAt,
    firstResponseAt: null, qualifiedAt: null, resolvedAt: null, pauses: [], firedKeys: new Set(),
  }, config.policy, now);
  const ticket = await createTicket(tx, config.ticketPrefix, {
    mailbox: c.private ? 'management' : input.mailbox,
    private: c.private,
    type: c.type,
    typeSource: c.typeSource,
    requestedPriority: c.requestedPriority,
    priority: c.priority,
    priorityReason: c.priorityReason,
    status: 'new',
    requesterAddress: requester,
    requesterName: sender?.name || null,
    requesterLanguage: language,
    subject: c.tags.cleanSubject || mail.subject || '(no subject)',
    unknownTags: c.tags.unknown,
    linkedTicketId: linkedTo?.id ?? null,
    slaReview,
    receivedAt: input.receivedAt,
    createdAt: now,
    updatedAt: now,
    ...sla,
  });
  await insertMessage(tx, inboundMessageRow(ticket.id, m, 'client'), attachmentRows(m));
  const events: NewEvent[] = [{
    ticketId: ticket.id, at: now, actor: 'system', kind: 'created',
    reason: `new mail to ${input.mailbox}`,
    data: {
      mailbox: input.mailbox, messageId: m.messageId, rawMailId: m.rawMailId, type: c.type, typeSource: c.typeSource,
      requestedPriority: c.requestedPriority, priority: c.priority, priorityReason: c.priorityReason, private: c.private,
      tags: { type: c.tags.type?.raw ?? null, priority: c.tags.priority?.raw ?? null, unknown: c.tags.unknown },
      noise: noise.reasons, parserWarnings: mail.warnings,
    },
  }];
  if (linkedTo) {
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: 'linked', reason: `reply to ${linkedTo.number}, closed too long ago to reopen`, data: { linkedTicket: linkedTo.number } });
  }
  if (slaReview) {
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: 'special-circumstances',
      reason: `ticket ${earlier + 1} from ${requester} on ${day.toISODate()}: SLA times and priority to be reviewed`,
      data: { count: earlier + 1, day: day.toISODate() } });
  }

  const rule = priorityRule(c.priority, config.policy);
  const firstResponseDue = sla.firstResponseDue;
  // Resolution is counted from qualification; the acknowledgement shows the earliest it can be.
  const resolutionDue = rule.resolutionMinutes === null ? null
    : dueWithPauses(input.receivedAt, rule.resolutionMinutes, [], calendarFor(c.priority, config.policy)).due;
  const view = ticketViewOf(config, ticket, { firstResponseDue, resolutionDue });
  const deps = { config, clock: () => now };

  const acknowledge = noise.acknowledge && hasSender && !isOwnMailboxAddress(config, requester);
  if (acknowledge) {
    const ack = await enqueueAcknowledgement(tx, deps, {
      ticket: view,
      mail: {
        messageId: m.messageId, references: mail.references, subject: mail.subject, fromAddress: requester,
        fromName: sender?.name ?? null, toAddress: config.mailboxes[input.mailbox].address, text: mail.text,
        attachmentCount: mail.attachments.filter((a) => !a.inline).length,
      },
    });
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: ack.enqueued ? 'acknowledgement-queued' : 'acknowledgement-skipped', reason: ack.reason });
  } else {
    const why = !hasSender ? 'no usable sender address' : noise.reasons.join('; ') || 'sender is our own mailbox';
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: 'acknowledgement-skipped', reason: why });
  }
  // The ticket's whole story of this mail in one insert, in the order it happened.
  await appendEvents(tx, events);
  if (!ticket.private) {
    const attachments = ticket.type === 'report' && hasSender ? [await clientReportAttachment(tx, config, requester, input.receivedAt, now)] : [];
    await enqueueTeamNotification(tx, deps, { ticket: view, attachments, message: { text: mail.text, fromAddress: requester, fromName: sender?.name ?? null } });
  }
  if (slaReview) {
    // Told once per client and day; a private ticket's existence is for managers only.
    const recipients = ticket.private ? staffWithRole(config, 'manager') : staffWithRole(config, 'lead', 'manager');
    await enqueueStaffNotification(tx, deps, {
      ticket: view, kind: 'special-circumstances', recipients, notBefore: holdForStaff(now, c.priority, config.policy),
      dedupeKey: `special:${ticket.private ? 'private:' : ''}${requester}:${day.toISODate()}`,
      data: { count: earlier + 1, day: day.toISODate() },
    });
  }
  return {
    decision: 'new-ticket',
    acknowledge,
    reason: `${c.type} (${c.typeSource}), ${c.priority}${linkedTo ? `, linked to ${linkedTo.number}` : ''}`,
    ticket: { id: ticket.id, number: ticket.number, type: ticket.type, priority: c.priority, private: ticket.private },
  };
}

/**
 * A client asking for a report (Request a Report: website status, helpdesk insights) gets last
 * month's figures of their own organisation, attached to the team's notification so the agent can
 * check and forward it. Their organisation is their domain, or their address at a public service.
 */
async function clientReportAttachment(tx: Db, config: Config, requester: string, receivedAt: Date, now: Date): Promise<TeamAttachment> {
  const domain = requester.split('@')[1] ?? '';
  const client = sameOrganisation(requester, `x@${domain}`) ? domain : requester;
  const month = DateTime.fromJSDate(receivedAt, { zone: config.zone }).minus({ months: 1 }).toFormat('yyyy-MM');
  const report = await renderMonthlyReport(tx, config, month, now, client);
  return {
    filename: `sla-report-${client.replace(/[^a-z0-9.@-]+/gi, '_')}-${month}.html`,
    contentType: 'text/html; charset=utf-8',
    contentBase64: Buffer.from(report.html, 'utf8').toString('base64'),
  };
}
