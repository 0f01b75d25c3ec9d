import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { OutboxAddress, OutboxAttachment } from '../../outbound/outbound-mail.js';
import { timestamptz } from './columns.js';

/**
 * Every mail we send, written in the same transaction as the change that causes it. The
 * Message-ID is fixed here and reused on every attempt, so a retry after an ambiguous failure
 * (connection lost after DATA) is recognisable as the same mail.
 */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** Unique per cause: `ack:<ticket>`, `sla:<ticket>:<clock>:<level>:<deadline>`, ... */
  dedupeKey: text('dedupe_key').notNull(),
  /** ack | relay | notify-new | reminder | escalation | digest | survey | command-result | report */
  kind: text('kind').notNull(),
  ticketId: bigint('ticket_id', { mode: 'number' }),
  messageId: text('message_id').notNull(),
  fromAddress: jsonb('from_address').$type<OutboxAddress>().notNull(),
  replyTo: jsonb('reply_to').$type<OutboxAddress | null>(),
  to: jsonb('to').$type<OutboxAddress[]>().notNull(),
  cc: jsonb('cc').$type<OutboxAddress[]>().notNull().default(sql`'[]'::jsonb`),
  subject: text('subject').notNull(),
  text: text('text').notNull(),
  html: text('html'),
  /** Extra headers (In-Reply-To, References, Auto-Submitted, ...), already validated. */
  headers: jsonb('headers').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
  attachments: jsonb('attachments').$type<OutboxAttachment[]>().notNull().default(sql`'[]'::jsonb`),
  /** pending | sending | sent | failed | bounced | suppressed */
  status: text('status').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  /** Not sent before this instant (backoff, or staff mail held until business hours). */
  notBefore: timestamptz('not_before').notNull().default(sql`now()`),
  leaseOwner: text('lease_owner'),
  leaseUntil: timestamptz('lease_until'),
  lastError: text('last_error'),
  /** Per-recipient outcome of the last attempt: accepted and rejected with their responses. */
  recipients: jsonb('recipients').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
  createdAt: timestamptz('created_at').notNull().default(sql`now()`),
  sentAt: timestamptz('sent_at'),
  /**
   * An acknowledgement's recipient as the caps count it (normaliseAddress: case and plus-tag
   * folded); null on every other mail. Stored rather than computed in SQL so the one TypeScript
   * rule decides both what is stored and what is looked up.
   */
  ackRecipient: text('ack_recipient'),
  /** The domain of ackRecipient, for the per-domain cap. */
  ackDomain: text('ack_domain'),
}, (t) => [
  uniqueIndex('outbox_dedupe').on(t.dedupeKey),
  uniqueIndex('outbox_message_id').on(t.messageId),
  index('outbox_due').on(t.notBefore).where(sql`${t.status} in ('pending', 'sending')`),
  index('outbox_ticket').on(t.ticketId),
  // The acknowledgement gate counts a sender's recent acknowledgements for every new ticket:
  // without this it read the whole outbox each time, which grows with every mail ever sent. An
  // acknowledgement has exactly one recipient (build-acknowledgement.ts), so a btree on it does.
  // It replaced a GIN index on the whole "to" list (0005): every update of a row (leased, then
  // sent) is a new row version with new entries in every index, and GIN entries are the dear ones.
  // Issue 21: on the normalised recipient, so victim+1@ and Victim@ count as one.
  index('outbox_ack_recipient').on(t.ackRecipient, t.createdAt).where(sql`${t.ackRecipient} is not null`),
  index('outbox_ack_domain').on(t.ackDomain, t.createdAt).where(sql`${t.ackDomain} is not null`),
  // The global acknowledgement rate counts every acknowledgement of the last hour.
  index('outbox_ack_created').on(t.createdAt).where(sql`${t.ackRecipient} is not null`),
]);

/** Addresses that hard-bounced: no mail to them until `until`. */
export const suppressions = pgTable('suppressions', {
  address: text('address').primaryKey(),
  until: timestamptz('until').notNull(),
  reason: text('reason').notNull(),
  createdAt: timestamptz('created_at').notNull().default(sql`now()`),
});
