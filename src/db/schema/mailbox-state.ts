import { sql } from 'drizzle-orm';
import { bigint, pgTable, text } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns.js';

/** Where IMAP ingestion of a mailbox stands: only UIDs above last_uid are new. */
export const mailboxCheckpoints = pgTable('mailbox_checkpoints', {
  mailbox: text('mailbox').primaryKey(),
  uidvalidity: bigint('uidvalidity', { mode: 'number' }).notNull(),
  lastUid: bigint('last_uid', { mode: 'number' }).notNull(),
  updatedAt: timestamptz('updated_at').notNull().default(sql`now()`),
});

/**
 * Leases: one owner at a time per name (a mailbox, a worker). The token grows on every takeover,
 * and writes guarded by a lease check the token, so a stalled former owner cannot move anything.
 */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  token: bigint('token', { mode: 'number' }).notNull(),
  expiresAt: timestamptz('expires_at').notNull(),
});
