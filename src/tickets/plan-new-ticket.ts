import { DateTime } from 'luxon';
import { authenticationMode, type Config } from '../config.js';
import type { Classification } from '../inbound/classify.js';
import type { TicketThreadRef } from '../inbound/decide-thread.js';
import type { NoiseVerdict } from '../inbound/detect-noise.js';
import type { IngestInput, IngestOutcome } from '../inbound/ingest-types.js';
import type { ParsedMail } from '../inbound/parsed-mail.js';
import { clientAuthenticationFailureOf, type MailAuthentication } from '../inbound/mail-authentication.js';
import { forwardPlanOfMail } from '../outbound/forwarded-attachments.js';
import type { Language, QueuedMail } from '../outbound/outbound-mail.js';
import type { MailboxName, Priority } from '../policy/priorities.js';
import { cachedZone } from '../sla/cached-zone.js';
import { calendarFor } from '../sla/calendar.js';
import { priorityRule } from '../sla/deadlines.js';
import { dueWithPauses } from '../sla/paused-clock.js';
import { clientsOf, type ClientIdentity } from './client-of.js';
import { clientReportRequest } from './client-report-request.js';
import { planAcknowledgement, type AcknowledgementGate } from './plan-acknowledgement.js';
import { planManagerNotification } from './plan-manager-notification.js';
import { planStaffNotification } from './plan-staff-notification.js';
import { planTeamNotification } from './plan-team-notification.js';
import { findPerson, isOwnMailboxAddress, staffWithRole } from './staff-directory.js';
import { staffDedupeKey } from '../outbound/build-staff-mail.js';
import { storedSlaOf, type StoredSla } from './stored-sla.js';
import type { TicketEvent } from './ticket-event.js';
import { COLLAPSED_EVENT, type TeamNotice } from './team-flood.js';
import { ticketViewOf, type TicketViewSource } from './ticket-view-of.js';

/**
 * A stored, parsed and classified mail that opens a ticket, as the rules read it (app/ingest's
 * RouteInput extends it).
 */
export interface OpeningMail {
  input: Pick<IngestInput, 'mailbox' | 'receivedAt'>;
  mail: ParsedMail;
  /** Its Message-ID, or the synthetic one it was stored under. */
  messageId: string;
  rawMailId: number;
  noise: NoiseVerdict;
  classification: Classification;
  /** mailauth's verdict in authentication mode `verify`, else null or absent. */
  authentication?: MailAuthentication | null;
}

/**
 * Who opened a ticket and the day their special-circumstances count runs on: the local calendar
 * day of arrival. `lockKey` serialises that count across transactions; without a usable sender
 * there is nothing to count.
 */
export interface Requester {
  address: string;
  hasSender: boolean;
  day: DateTime;
  lockKey: string | null;
  /** Team tickets count only team tickets: whether a client also complained to management is not the team's to know. */
  includePrivate: boolean;
  /** The organisation the address belongs to: the rule counts per client, not per address. */
  client: ClientIdentity;
}

/** Who a mail is from, as a ticket's requester: its From, else its Return-Path; '' when neither. */
function requesterAddressOf(m: Pick<OpeningMail, 'mail'>): string {
  return m.mail.from[0]?.address ?? m.mail.returnPath ?? '';
}

export function requesterOf(config: Config, m: Pick<OpeningMail, 'input' | 'mail' | 'classification'>): Requester {
  const { input, classification } = m;
  const address = requesterAddressOf(m);
  const hasSender = /^[^@\s]+@[^@\s]+$/.test(address);
  const client = clientsOf(config)(address);
  // "The same day" is the client's: the zone of its own calendar when it has one.
  const zone = config.policy.calendars.find((c) => c.name === client.rule?.calendar)?.zone ?? config.zone;
  const day = DateTime.fromJSDate(input.receivedAt, { zone: cachedZone(zone) }).startOf('day');
  return {
    address, hasSender, day, includePrivate: classification.private, client,
    lockKey: hasSender ? `special-circumstances:${client.key}:${day.toISODate()}` : null,
  };
}

/** The local day a requester's tickets are counted on, as [start, end). */
export function dayWindow(requester: Requester): [Date, Date] {
  return [requester.day.toJSDate(), requester.day.plus({ days: 1 }).toJSDate()];
}

/** What a new ticket is created with (db/ numbers it and writes it as a tickets row). */
export interface NewTicketValues extends StoredSla {
  mailbox: MailboxName;
  private: boolean;
  type: string;
  typeSource: Classification['typeSource'];
  requestedPriority: Priority | null;
  priority: Priority;
  priorityReason: string;
  status: 'new';
  requesterAddress: string;
  requesterName: string | null;
  requesterLanguage: Language;
  subject: string;
  unknownTags: string[];
  linkedTicketId: number | null;
  slaReview: boolean;
  receivedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The ticket a new mail opens, before the database numbers it. */
export interface TicketPlan {
  requester: Requester;
  /** Tickets the requester opened earlier that day (this one is `earlier + 1`). */
  earlier: number;
  slaReview: boolean;
  values: NewTicketValues;
  firstResponseDue: Date | null;
}

/**
 * A new ticket from a mail: classified, its clocks started, and the special-circumstances rule
 * applied to the count of the requester's earlier tickets that day, in the client's `language`
 * (tickets/client-language.ts). A new ticket's clocks depend
 * only on what it is created with (no pause, nothing fired yet), so its deadlines are part of the
 * row instead of being read back and written again. Pure.
 */
export function planTicket(
  config: Config, now: Date, m: OpeningMail, requester: Requester, earlier: number, linkedTo: TicketThreadRef | null, language: Language,
): TicketPlan {
  const { mail, classification: c, input } = m;
  const sender = mail.from[0] ?? null;
  const slaReview = earlier >= config.policy.specialCircumstancesPerDay;
  const sla = storedSlaOf({
    priority: c.priority, status: 'new', assignee: null, receivedAt: input.receivedAt,
    firstResponseAt: null, qualifiedAt: null, resolvedAt: null, pauses: [], firedKeys: new Set(),
  }, config.policy, now);
  return {
    requester, earlier, slaReview, firstResponseDue: sla.firstResponseDue,
    values: {
      mailbox: c.private ? 'management' : input.mailbox,
      private: c.private,
      type: c.type,
      typeSource: c.typeSource,
      requestedPriority: c.requestedPriority,
      priority: c.priority,
      priorityReason: c.priorityReason,
      status: 'new',
      requesterAddress: requester.address,
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
    },
  };
}

/**
 * The outbox dedupe keys of the special-circumstances notices a new ticket would queue (one per
 * recipient; none when the rule did not hit). Told once per client and day: the first ticket over
 * the threshold queues them, and every later one that day would build the same mails only for the
 * outbox to drop them, so the caller reads which are queued already (RecipientFacts.queuedNotices).
 */
export function specialNoticeKeys(config: Config, plan: TicketPlan): string[] {
  if (!plan.slaReview) return [];
  const base = specialNoticeKey(plan);
  return specialNoticeRecipients(config, plan.values.private === true).map((p) => staffDedupeKey(base, p));
}

function specialNoticeKey(plan: TicketPlan): string {
  return `special:${plan.values.private ? 'private:' : ''}${plan.requester.client.key}:${plan.requester.day.toISODate()}`;
}

function specialNoticeRecipients(config: Config, privateTicket: boolean) {
  return privateTicket ? staffWithRole(config, 'manager') : staffWithRole(config, 'lead', 'manager');
}

/** Staff a new ticket may notify (the team; leads and managers under the special-circumstances rule): whose suppression to read. */
export function staffToNotify(config: Config, plan: TicketPlan): string[] {
  // A private ticket goes to every manager at arrival (planManagerNotification); a team one to the agents.
  const team = plan.values.private ? staffWithRole(config, 'manager') : staffWithRole(config, 'agent');
  const review = !plan.slaReview ? [] : plan.values.private ? staffWithRole(config, 'manager') : staffWithRole(config, 'lead', 'manager');
  return [...team, ...review].map((p) => p.address);
}

/** What the database said about the people a new ticket's mails go to. */
export interface RecipientFacts {
  acknowledgement: AcknowledgementGate;
  /** Staff addresses under suppression now. */
  suppressedStaff: ReadonlySet<string>;
  /** A private ticket's requester's other open tickets (team and private), by number, for the managers. */
  otherOpenTickets?: string[];
  /**
   * Dedupe keys of special-circumstances notices already queued (specialNoticeKeys): such a notice
   * is not built again, as the outbox would drop it.
   */
  queuedNotices?: ReadonlySet<string>;
  /** A team ticket's notification: its own, or collapsed into the flood list (tickets/team-flood.ts); default its own. */
  teamNotice?: TeamNotice;
  /** Team tickets the same mail already opened (its support copy was read first): told to the managers, recorded. */
  teamCopies?: string[];
}

/**
 * What a numbered new ticket causes besides its row and its mail's message row, in the order it
 * is written.
 */
export interface TicketWrites {
  /** Acknowledgement (or the sender-capped notices), team notification, special-circumstances notice. */
  mails: QueuedMail[];
  /** The ticket's whole story of this mail, in the order it happened. */
  events: TicketEvent[];
  /** Whether an acknowledgement is among `mails`. */
  acknowledged: boolean;
  /** Set when the team's notification went into the flood list: the caller writes the list. */
  collapsed?: Extract<TeamNotice, { kind: 'collapse' }>;
  outcome: Omit<IngestOutcome, 'rawMailId'>;
}

/**
 * The mails and events of a ticket the database has just numbered: the acknowledgement (gated),
 * the team's notification (or the managers', for a private ticket), and the staff notice when the
 * special-circumstances rule hit. Pure; `random` makes the Message-IDs.
 */
export function planTicketWrites(
  config: Config, now: Date, random: () => string, m: OpeningMail, plan: TicketPlan, ticket: TicketViewSource,
  linkedTo: TicketThreadRef | null, facts: RecipientFacts,
): TicketWrites {
  const { mail, classification: c, input, noise } = m;
  const { requester, earlier, slaReview } = plan;
  const sender = mail.from[0] ?? null;
  const day = requester.day.toISODate();
  const events: TicketEvent[] = [{
    ticketId: ticket.id, at: now, actor: 'system', kind: 'created',
    reason: `new mail to ${input.mailbox}`,
    data: {
      mailbox: input.mailbox, messageId: m.messageId, rawMailId: m.rawMailId, type: c.type, typeSource: c.typeSource,
      requestedPriority: c.requestedPriority, priority: c.priority, priorityReason: c.priorityReason, private: c.private,
      tags: { type: c.tags.type?.raw ?? null, priority: c.tags.priority?.raw ?? null, unknown: c.tags.unknown },
      noise: noise.reasons, parserWarnings: mail.warnings,
    },
  }];
  if (ticket.private && facts.teamCopies && facts.teamCopies.length > 0) {
    // The support copy of a Bcc to management opened a team ticket before this copy was read: the
    // team has seen the mail. That ticket is left as it is (nothing of the team's is removed
    // behind their backs); the managers are told, and it is recorded here, on the private side only.
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: 'team-copy-exists',
      reason: `the support copy of this mail was read first and opened team ticket ${facts.teamCopies.join(', ')}`,
      data: { teamTickets: facts.teamCopies } });
  }
  if (linkedTo) {
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: 'linked', reason: `reply to ${linkedTo.number}, closed too long ago to reopen`, data: { linkedTicket: linkedTo.number } });
  }
  if (slaReview) {
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: 'special-circumstances',
      reason: `ticket ${earlier + 1} from ${requester.client.name} (${requester.address}) on ${day}: SLA times and priority to be reviewed`,
      data: { count: earlier + 1, day, client: requester.client.name } });
  }

  const rule = priorityRule(c.priority, config.policy);
  // Resolution is counted from qualification; the acknowledgement shows the earliest it can be.
  const resolutionDue = rule.resolutionMinutes === null ? null
    : dueWithPauses(input.receivedAt, rule.resolutionMinutes, [], calendarFor(c.priority, config.policy)).due;
  const view = ticketViewOf(config, ticket, { firstResponseDue: plan.firstResponseDue, resolutionDue });
  const mails: QueuedMail[] = [];

  // A member of the team writing to management is not told a private number (issue 20); what else
  // becomes of staff mail without a signed address is the identity rules' business.
  const teamMember = ticket.private && (findPerson(config, requester.address)?.role ?? 'manager') !== 'manager';
  // A client's mail that fails DMARC is still a ticket (a real client loses nothing), but is not
  // acknowledged: its From may be a forged stranger's, and an acknowledgement would be backscatter.
  const unverified = clientAuthenticationFailureOf(authenticationMode(config), {
    trustedAuthservId: config.trustedAuthservId, headers: mail.headers['authentication-results'] ?? [], authentication: m.authentication ?? null,
  });
  const acknowledge = noise.acknowledge && requester.hasSender && !isOwnMailboxAddress(config, requester.address) && !teamMember && unverified === null;
  let acknowledged = false;
  if (acknowledge) {
    const ack = planAcknowledgement(config, now, random, {
      ticket: view,
      mail: {
        messageId: m.messageId, references: mail.references, subject: mail.subject, fromAddress: requester.address,
        fromName: sender?.name ?? null, toAddress: config.mailboxes[input.mailbox].address, text: mail.text,
        attachmentCount: mail.attachments.filter((a) => !a.inline).length,
      },
    }, facts.acknowledgement);
    mails.push(...ack.mails.map((queued) => ({ mail: queued, notBefore: now })));
    acknowledged = ack.enqueued;
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: ack.enqueued ? 'acknowledgement-queued' : 'acknowledgement-skipped', reason: ack.reason });
  } else {
    const why = !requester.hasSender ? 'no usable sender address' : teamMember ? 'a team member is not acknowledged a private ticket'
      : !noise.acknowledge ? noise.reasons.join('; ') || 'sender is our own mailbox'
        : unverified ?? 'sender is our own mailbox';
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: 'acknowledgement-skipped', reason: why });
  }
  const collapsed = !ticket.private && facts.teamNotice?.kind === 'collapse' ? facts.teamNotice : undefined;
  if (collapsed) {
    events.push({ ticketId: ticket.id, at: now, actor: 'system', kind: COLLAPSED_EVENT,
      reason: `more than ${config.limits.teamFloodThreshold} new tickets in ${config.limits.teamFloodWindowMinutes} minutes: listed in the team's flood mail sent ${collapsed.sendAt.toISOString()}`,
      data: { bucket: collapsed.bucket } });
  } else if (!ticket.private) {
    // The client's own files go with it (screenshots, logs), within the forwarding limit.
    const forwarded = forwardPlanOfMail(config, m.rawMailId, mail.attachments);
    // A report request carries the client's figures of last month, rendered when the mail is sent.
    const report = c.type === 'report' && requester.hasSender ? clientReportRequest(config, requester.address, input.receivedAt) : null;
    const team = planTeamNotification(config, now, random, {
      ticket: view, attachments: [...(report ? [report] : []), ...forwarded.attach],
      files: forwarded.files,
      ...(report ? { reportFile: report.filename } : {}),
      message: { text: mail.text, fromAddress: requester.address, fromName: sender?.name ?? null },
    }, facts.suppressedStaff);
    mails.push(...team.mails.map((queued) => ({ mail: queued, notBefore: team.notBefore })));
  }
  if (ticket.private) {
    // The client's files go with it, as with the team's notice (the same forwarding limit).
    mails.push(...planManagerNotification(config, now, random, {
      ticket: view, mail, forwarded: forwardPlanOfMail(config, m.rawMailId, mail.attachments), otherOpenTickets: facts.otherOpenTickets ?? [], teamCopies: facts.teamCopies ?? [], suppressed: facts.suppressedStaff,
    }).map((queued) => ({ mail: queued, notBefore: now })));
  }
  if (slaReview) {
    // Told once per client (organisation) and day, and at once: "opened 4 requests today" the
    // next morning is no use. A private ticket's existence is for managers only.
    const dedupeKey = specialNoticeKey({ ...plan, values: { ...plan.values, private: ticket.private } });
    const recipients = specialNoticeRecipients(config, ticket.private)
      .filter((p) => !facts.queuedNotices?.has(staffDedupeKey(dedupeKey, p)));
    const notBefore = now;
    const notices = planStaffNotification(config, now, random, {
      ticket: view, kind: 'special-circumstances', recipients, notBefore, dedupeKey,
      data: { count: earlier + 1, day, client: requester.client.name },
    }, facts.suppressedStaff);
    mails.push(...notices.map((queued) => ({ mail: queued, notBefore })));
  }
  return {
    mails,
    events,
    acknowledged,
    ...(collapsed ? { collapsed } : {}),
    outcome: {
      decision: 'new-ticket',
      acknowledge,
      reason: `${c.type} (${c.typeSource}), ${c.priority}${linkedTo ? `, linked to ${linkedTo.number}` : ''}${unverified ? `; ${unverified}` : ''}`,
      ticket: { id: ticket.id, number: ticket.number, type: ticket.type, priority: c.priority, private: ticket.private },
    },
  };
}
