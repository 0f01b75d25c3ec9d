/** An address as nodemailer and the outbox store it: never a string, so a comma cannot split it. */
export interface MailAddress {
  name: string;
  address: string;
}

/** Every kind of mail slagate writes; each has a template per language under templates/<lang>/. */
export const MAIL_KINDS = [
  'acknowledgement',
  'acknowledgement-private',
  'team-new-ticket',
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

export type OutboxAttachment = InlineOutboxAttachment | StoredOutboxAttachment;

/** A stored attachment's reference, for mail kinds that forward what a client or agent sent. */
export function isStoredAttachment(a: OutboxAttachment): a is StoredOutboxAttachment {
  return 'stored' in a;
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
