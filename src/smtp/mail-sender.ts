import type { OutboxAddress, OutboxAttachment } from '../outbound/outbound-mail.js';

/** The stored mail a sender needs; an outbox row has this shape. */
export interface SendableMail {
  messageId: string;
  fromAddress: OutboxAddress;
  replyTo: OutboxAddress | null;
  to: OutboxAddress[];
  cc: OutboxAddress[];
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  /** Stored references must have been resolved to their bytes (resolveOutboxAttachments) first. */
  attachments?: OutboxAttachment[];
  /** SMTP MAIL FROM when it is not the From address: our signed bounce address (bounce-address.ts). */
  envelopeFrom?: string;
  /**
   * How long the mail may wait for a connection, from the call. A sender that holds mails waiting
   * for one (`holdsOneMore`) fails a mail that waited longer with SMTP_NOT_STARTED, before any
   * byte of it reached a server; the others start at once and ignore it.
   */
  maxWaitMs?: number;
}

export interface SendResult {
  accepted: string[];
  /** A resolved send can still have refused some recipients: each with the server's answer. */
  rejected: { address: string; response: string }[];
  response: string;
}

export interface MailSender {
  send(mail: SendableMail): Promise<SendResult>;
  /**
   * How many mails it sends at once (the SMTP pool's connections). The outbox claims no more per
   * pass: a claimed mail waiting behind others in the pool could outlive its lease and be claimed
   * and sent again by another instance.
   */
  readonly concurrency?: number;
  /**
   * True when the sender takes `concurrency` more mails than it sends at once, each waiting for a
   * connection at most its `maxWaitMs`: the outbox then hands it one mail ahead per connection, so
   * a connection that finishes a mail starts the next at once.
   */
  readonly holdsOneMore?: boolean;
  close(): Promise<void>;
}
