import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { bytea, timestamptz } from './columns.js';

/**
 * Every mail that reached us, byte for byte, before anything else is done with it. Nothing is ever
 * deleted from here by the ingest path: a mail that fails later is still here to be replayed.
 */
export const rawMail = pgTable('raw_mail', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  mailbox: text('mailbox').notNull(),
  /** The Message-ID header, or a stable synthetic one derived from the content hash. */
  messageId: text('message_id').notNull(),
  syntheticMessageId: boolean('synthetic_message_id').notNull().default(false),
  /** sha256 (hex) of the raw bytes as received. */
  sha256: text('sha256').notNull(),
  /** sha256 of what identifies the mail apart from trace headers: redelivery does not change it. */
  contentHash: text('content_hash').notNull(),
  /**
   * The raw bytes when they are at most 1 MiB (almost every mail); empty when they are bigger and
   * stored in raw_mail_chunks instead. Read them with readRawMail, never from this column.
   */
  raw: bytea('raw').notNull(),
  /** Bytes of the mail as received (for a mail quarantined from its headers, the announced size). */
  size: integer('size').notNull(),
  receivedAt: timestamptz('received_at').notNull(),
  ingestedAt: timestamptz('ingested_at').notNull().default(sql`now()`),
  /** 'imap' | 'cli' | 'smtp' | 'lmtp' | 'replay' */
  source: text('source').notNull(),
  imapUidvalidity: bigint('imap_uidvalidity', { mode: 'number' }),
  imapUid: bigint('imap_uid', { mode: 'number' }),
  /** The ingest decision (new-ticket, reply, bounce, auto-reply, loop, quarantined) and its reason. */
  decision: text('decision').notNull(),
  reason: text('reason'),
  acknowledge: boolean('acknowledge').notNull().default(false),
  // No index on ticket_id: nothing looks raw mail up by its ticket (a ticket's mails are its
  // messages), and without one the decision written at the end of ingest (decision, reason,
  // acknowledge, ticket_id) changes no indexed column, so PostgreSQL can update the row in place
  // (HOT) instead of adding an entry to every index of the table for each mail.
  ticketId: bigint('ticket_id', { mode: 'number' }),
}, (t) => [
  uniqueIndex('raw_mail_dedupe').on(t.mailbox, t.messageId, t.contentHash),
  index('raw_mail_message_id').on(t.messageId),
  index('raw_mail_received').on(t.receivedAt),
]);

/**
 * The bytes of a mail over 1 MiB, in 1 MiB pieces in order (seq from 0). postgres.js sends a bytea
 * parameter as a hex string twice its size plus its send buffer, so one 34 MB parameter cost
 * about 165 MB at peak; the pieces are written with one binary COPY (copy-raw-chunks.ts) and read
 * back one at a time. No foreign key, like quarantine: raw_mail rows are never deleted, and tests
 * truncate raw_mail alone.
 */
export const rawMailChunks = pgTable('raw_mail_chunks', {
  rawMailId: bigint('raw_mail_id', { mode: 'number' }).notNull(),
  seq: integer('seq').notNull(),
  data: bytea('data').notNull(),
}, (t) => [primaryKey({ columns: [t.rawMailId, t.seq] })]);
