import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns.js';

/** Mail that could not be processed: the raw bytes stay in raw_mail, the reason is here. */
export const quarantine = pgTable('quarantine', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  rawMailId: bigint('raw_mail_id', { mode: 'number' }).notNull(),
  mailbox: text('mailbox').notNull(),
  /** A stable code (PARSE_FAILED, TOO_LARGE, ...) and the human reason. */
  reasonCode: text('reason_code').notNull(),
  reason: text('reason').notNull(),
  retryCount: integer('retry_count').notNull().default(0),
  createdAt: timestamptz('created_at').notNull().default(sql`now()`),
  lastTriedAt: timestamptz('last_tried_at'),
  /** Set when a retry succeeded or an operator released it. */
  resolvedAt: timestamptz('resolved_at'),
  resolution: text('resolution'),
}, (t) => [index('quarantine_open').on(t.createdAt).where(sql`${t.resolvedAt} is null`)]);
