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
  'client-reply-forward',
  'command-result',
  'survey',
  'sender-capped',
  'staff-mail-refused',
  'oversized-rejected',
  'manager-digest',
  'monthly-report',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** Reminders and escalations that lose their point once the ticket moved on (re-checked before sending). */
export const SLA_MAIL_KINDS: readonly MailKind[] = [
  'sla-reminder', 'sla-breach', 'sla-manager-escalation', 'qualification-reminder',
];

export type Language = 'tr' | 'en';

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
  attachments?: { filename: string; contentType: string; contentBase64: string }[];
}
