import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { appendEvents } from '../db/repositories/event-repository.js';
import { insertMessage } from '../db/repositories/message-repository.js';
import { acknowledgementGate, enqueueMany, suppressedAmong } from '../db/repositories/outbox-repository.js';
import { countTicketsOpenedBy, createTicket, lockForKey, type TicketThreadRef } from '../db/repositories/ticket-repository.js';
import { sameOrganisation } from '../inbound/same-organisation.js';
import { acknowledgementWindowStart } from './enqueue-acknowledgement.js';
import type { TeamAttachment } from './enqueue-team-notification.js';
import { renderMonthlyReport } from './render-monthly-report.js';
import type { IngestOutcome } from './ingest-types.js';
import { planTicket, planTicketWrites, requesterOf, staffToNotify, type Requester } from './plan-new-ticket.js';
import type { RouteContext, RouteInput } from './route-parsed-mail.js';

/**
 * A new ticket from a mail: classified, numbered, its clocks started, the special-circumstances
 * rule applied, and its mails (acknowledgement, team notification) queued in the same transaction.
 * The decisions are plan-new-ticket's; this reads what they need and writes what they say, one
 * mail at a time (open-tickets-together does the same for a run of mails).
 */
export async function openTicket(
  tx: Db, ctx: RouteContext, m: RouteInput, linkedTo: TicketThreadRef | null,
): Promise<Omit<IngestOutcome, 'rawMailId'>> {
  const { config, now } = ctx;
  const requester = requesterOf(config, m);
  if (requester.lockKey) await lockForKey(tx, requester.lockKey);
  const earlier = requester.hasSender ? await countTicketsOpenedBy(tx, requester.address, ...dayWindow(requester), { includePrivate: requester.includePrivate }) : 0;
  const plan = planTicket(config, now, m, requester, earlier, linkedTo);
  const ticket = await createTicket(tx, config.ticketPrefix, plan.values);
  const facts = {
    acknowledgement: await acknowledgementGate(tx, requester.address, now, acknowledgementWindowStart(config, now)),
    suppressedStaff: await suppressedAmong(tx, staffToNotify(config, plan), now),
    reportAttachment: ticket.type === 'report' && requester.hasSender && !ticket.private
      ? await clientReportAttachment(tx, config, requester.address, m.input.receivedAt, now) : null,
  };
  const writes = planTicketWrites(config, now, randomUUID, m, plan, ticket, linkedTo, facts);
  await insertMessage(tx, writes.message, writes.files);
  await enqueueMany(tx, writes.mails, now);
  await appendEvents(tx, writes.events);
  return writes.outcome;
}

/** The local day a requester's tickets are counted on, as [start, end). */
export function dayWindow(requester: Requester): [Date, Date] {
  return [requester.day.toJSDate(), requester.day.plus({ days: 1 }).toJSDate()];
}

/**
 * A client asking for a report (Request a Report: website status, helpdesk insights) gets last
 * month's figures of their own organisation, attached to the team's notification so the agent can
 * check and forward it. Their organisation is their domain, or their address at a public service.
 */
export async function clientReportAttachment(tx: Db, config: Config, requester: string, receivedAt: Date, now: Date): Promise<TeamAttachment> {
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
