/**
 * What the rest of slagate knows of an inbound mail. Only `parse-mail.ts` builds it (the only
 * mailparser import); everything downstream is pure and works on this shape.
 */
export interface MailAddress {
  /** Display name, decoded; '' when none. */
  name: string;
  /** ASCII-lowercased address (never locale-lowercased: see docs/PITFALLS.md). */
  address: string;
}

export interface ParsedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
  contentId: string | null;
  inline: boolean;
}

/** What a delivery status notification (RFC 3464) tells about one of our mails. */
export interface DeliveryReport {
  /** Message-ID of the mail that bounced, from the returned headers, when present. */
  originalMessageId: string | null;
  recipients: { address: string; status: string | null; action: string | null; diagnostic: string | null }[];
}

/** What an abuse feedback report (RFC 5965, `message/feedback-report`) tells. */
export interface FeedbackReport {
  /** `abuse`, `fraud`, `not-spam`, `auth-failure` ..., lowercased; null when the field is missing. */
  feedbackType: string | null;
  /** Original-Rcpt-To: who complained (the recipient of the reported mail), ASCII-lowercased. */
  originalRcptTo: string[];
  originalMailFrom: string | null;
}

/** What a message disposition notification (RFC 8098 read receipt) tells. */
export interface DispositionNotification {
  /** e.g. `automatic-action/MDN-sent-automatically; displayed`, lowercased. */
  disposition: string | null;
  originalMessageId: string | null;
}

export interface ParsedMail {
  /** `<id@host>` with angle brackets, as in the header; null when the mail has none. */
  messageId: string | null;
  inReplyTo: string | null;
  /** Oldest first, each `<id@host>`; malformed entries dropped. */
  references: string[];
  /** Every mailbox of the first From header (usually one; several is suspicious for identity). */
  from: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  /** Decoded subject with CR/LF and C0 controls removed; '' when none. */
  subject: string;
  /** The Date header when it parsed; never trusted for SLA clocks. */
  date: Date | null;
  /** Plain text body (from text/plain, else derived from HTML), NUL and C0 controls stripped. */
  text: string;
  /** The sender's HTML, sanitized for display; null when none. */
  html: string | null;
  attachments: ParsedAttachment[];
  /** Lowercased header name to every value it had, decoded, in order. */
  headers: Record<string, string[]>;
  /** Top-level content type with parameters, lowercased, e.g. `multipart/report; report-type=delivery-status`. */
  contentType: string;
  /** The Return-Path address ('' for the null path `<>`), or null when the header is absent. */
  returnPath: string | null;
  /** Present when the mail is a delivery status notification. */
  deliveryReport: DeliveryReport | null;
  /** Present when the mail holds a `message/feedback-report` part (RFC 5965). */
  feedbackReport: FeedbackReport | null;
  /** Present when the mail holds a `message/disposition-notification` part (RFC 8098). */
  dispositionNotification: DispositionNotification | null;
  /**
   * Message-IDs of the mails returned inside this one (`message/rfc822` or `text/rfc822-headers`
   * parts, first header block of each), in order: which mail a report is about.
   */
  returnedMessageIds: string[];
  /** Things the parser had to repair or drop, for the event log (e.g. "NUL bytes removed"). */
  warnings: string[];
}
