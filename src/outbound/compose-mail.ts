import type { Config } from '../config.js';
import { typeNameIn } from '../policy/default-policy.js';
import { bareSubject } from './bare-subject.js';
import { buildReferences, isValidMessageId, makeMessageId, safeHeaderValue, subjectWithToken, ticketToken } from './message-headers.js';
import type { Language, MailAddress, MailKind, OutboundMail } from './outbound-mail.js';
import { priorityReasonIn } from './priority-reason.js';
import { renderTemplate as defaultRender } from './render-template.js';
import type { TicketView } from './ticket-view.js';

/** RFC 3834: `auto-replied` answers a mail, `auto-generated` is a notification; null for human mail. */
export type AutoSubmitted = 'auto-replied' | 'auto-generated' | null;

export interface ThreadContext {
  /** The Message-ID of the mail we answer (the client's), validated before use. */
  inReplyTo: string | null;
  references: readonly string[];
}

export interface ComposeInput {
  kind: MailKind;
  dedupeKey: string;
  ticket: TicketView | null;
  lang: Language;
  zone: string;
  /** Template variables besides `lang`, `zone` and `ticket` (which are added here). */
  data: Record<string, unknown>;
  from: MailAddress;
  replyTo: MailAddress | null;
  to: MailAddress[];
  cc?: MailAddress[];
  autoSubmitted: AutoSubmitted;
  thread?: ThreadContext;
  /** A fresh random string for the Message-ID (a parameter so tests can fix it). */
  random: string;
  render?: typeof defaultRender;
}

/** The mailbox that owns a ticket: our mail goes out from it and replies come back to it. */
export function mailboxAddress(config: Config, mailbox: 'support' | 'management'): MailAddress {
  const mb = config.mailboxes[mailbox];
  return { name: safeHeaderValue(mb.name, 200), address: mb.address };
}

/** What every template may say about a ticket; values from inbound mail are made single-line. */
export function ticketTemplateData(ticket: TicketView, config?: Pick<Config, 'policy' | 'ticketPrefix'>, lang: Language = 'en'): Record<string, unknown> {
  const typeRule = config?.policy.types.find((t) => t.slug === ticket.type);
  // The policy names the type and explains the priority in the reader's language (issue 23).
  const typeName = lang === 'tr' ? ticket.typeNameTr ?? (typeRule ? typeNameIn(typeRule, 'tr') : ticket.typeName) : ticket.typeName;
  const priorityReason = config ? priorityReasonIn(ticket.priorityReason, lang, config.policy.types) : ticket.priorityReason;
  const subject = config ? bareSubject(ticket.subject, config.policy.replyPrefixes, config.ticketPrefix) : ticket.subject;
  return {
    number: ticket.number,
    token: ticketToken(ticket.number),
    subject: safeHeaderValue(subject, 400),
    type: ticket.type,
    typeName,
    priority: ticket.priority,
    requestedPriority: ticket.requestedPriority,
    priorityReason,
    requesterAddress: ticket.requesterAddress,
    requesterName: ticket.requesterName ? safeHeaderValue(ticket.requesterName, 200) : null,
    slaReview: ticket.slaReview,
    private: ticket.private,
  };
}

/**
 * Renders a mail and gives it the headers every outbound mail needs: our Message-ID, the thread
 * (In-Reply-To/References continuing the client's conversation), the ticket token in the subject,
 * RFC 3834 markers on automatic mail, and a header naming the ticket for filters.
 */
export function composeMail(config: Config, input: ComposeInput): OutboundMail {
  const render = input.render ?? defaultRender;
  const rendered = render(input.kind, input.lang, {
    ...input.data,
    zone: input.zone,
    ticket: input.ticket ? ticketTemplateData(input.ticket, config, input.lang) : null,
  });
  const headers: Record<string, string> = {};
  if (input.autoSubmitted) {
    headers['Auto-Submitted'] = input.autoSubmitted;
    // Exchange and Outlook otherwise answer our notices with out-of-office replies.
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  if (input.thread) {
    const parent = isValidMessageId(input.thread.inReplyTo) ? input.thread.inReplyTo : null;
    const references = buildReferences(parent, input.thread.references);
    if (parent) headers['In-Reply-To'] = parent;
    if (references.length > 0) headers.References = references.join(' ');
  }
  if (input.ticket) headers['X-Slagate-Ticket'] = safeHeaderValue(input.ticket.number, 40);
  return {
    dedupeKey: input.dedupeKey,
    kind: input.kind,
    ticketId: input.ticket?.id ?? null,
    messageId: makeMessageId(config.messageIdDomain, input.kind, input.random),
    from: input.from,
    replyTo: input.replyTo,
    to: input.to,
    cc: input.cc ?? [],
    subject: input.ticket ? subjectWithToken(rendered.subject, input.ticket.number) : safeHeaderValue(rendered.subject),
    text: rendered.text,
    html: rendered.html,
    headers,
  };
}
