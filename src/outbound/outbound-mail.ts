/** An address as nodemailer and the outbox store it: never a string, so a comma cannot split it. */
export interface MailAddress {
  name: string;
  address: string;
}

/**
 * An address as an outbox row holds it and the sender reads it back: the name may be missing on
 * rows written by hand or by older versions. The smtp/ sender names this type, db/ stores it.
 */
export interface OutboxAddress { name?: string; address: string }

/** Every kind of mail slagate writes; each has a template per language under templates/<lang>/. */
export const MAIL_KINDS = [
  'acknowledgement',
  'acknowledgement-private',
  'team-new-ticket',
  'team-flood',
  'private-new-ticket',
  'sla-reminder',
  'sla-breach',
  'sla-manager-escalation',
  'qualification-reminder',
  'client-escalation',
  'special-circumstances',
  'agent-relay',
  'classification-corrected',
  'escalation-confirmed',
  'client-reply-forward',
  'command-result',
  'survey',
  'sender-capped',
  'staff-mail-refused',
  'oversized-rejected',
  'manager-digest',
  'monthly-report',
  'quarterly-review',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** Reminders and escalations that lose their point once the ticket moved on (re-checked before sending). */
export const SLA_MAIL_KINDS: readonly MailKind[] = [
  'sla-reminder', 'sla-breach', 'sla-manager-escalation', 'qualification-reminder',
];

export type Language = 'tr' | 'en';

/** A file sent with a mail (a client's report for the agent to forward), base64 in the row. */
export interface InlineOutboxAttachment { filename: string; contentType: string; contentBase64: string }

/**
 * A file of a mail we received, sent on (a client's screenshot to the agent, an agent's PDF to the
 * client): the row names it, the outbox worker reads its bytes back from raw_mail when it sends,
 * so the bytes are stored once and never held by the ingest transaction.
 */
export interface StoredOutboxAttachment {
  filename: string;
  contentType: string;
  stored: { rawMailId: number; index: number; size: number; sha256: string };
}

/**
 * A client's own report, asked for by a Request a Report ticket: the row names the client and the
 * month, and the outbox worker renders it when it sends the mail, from the tickets as they stand
 * then, so ingest reads no figures and renders nothing while it holds its locks.
 */
export interface RequestedReportAttachment {
  filename: string;
  contentType: string;
  /** `client`: a configured client's name, an address, or a domain; `month`: yyyy-MM. */
  report: { client: string; month: string };
}

export type OutboxAttachment = InlineOutboxAttachment | StoredOutboxAttachment | RequestedReportAttachment;

/** A stored attachment's reference, for mail kinds that forward what a client or agent sent. */
export function isStoredAttachment(a: OutboxAttachment): a is StoredOutboxAttachment {
  return 'stored' in a;
}

/** A report to render when the mail is sent. */
export function isRequestedReport(a: OutboxAttachment): a is RequestedReportAttachment {
  return 'report' in a;
}

/**
 * A mail ready for the outbox: rendered, addressed and with every header validated. Building one
 * sends nothing; the outbox worker sends it later with exactly these values.
 */
export interface OutboundMail {
  /** Unique per cause, so a repeated decision never sends twice (`ack:<ticketId>`, ...). */
  dedupeKey: string;
  kind: MailKind;
  ticketId: number | null;
  /** `<...@messageIdDomain>`, fixed once and reused on every attempt. */
  messageId: string;
  from: MailAddress;
  replyTo: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  text: string;
  html: string;
  /** Extra headers (In-Reply-To, References, Auto-Submitted, ...), already safe for a header line. */
  headers: Record<string, string>;
  /** Files sent with the mail; most mail has none. */
  attachments?: OutboxAttachment[];
}

/** A mail with the moment it may leave (staff mail waits for business hours; most mail goes at once). */
export interface QueuedMail { mail: OutboundMail; notBefore: Date }
