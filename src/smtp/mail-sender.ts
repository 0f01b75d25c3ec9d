import type { OutboxAddress } from '../db/schema/outbox.js';

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
  attachments?: { filename: string; contentType: string; contentBase64: string }[];
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
  close(): Promise<void>;
}
