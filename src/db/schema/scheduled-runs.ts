import { sql } from 'drizzle-orm';
import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns.js';

/**
 * What a scheduled job decided for one occurrence (the digest of a day, the review of a quarter),
 * written once: the instance whose insert lands owns the occurrence, and a restart or another
 * instance later the same day finds the row and does nothing. "Nothing to say" is a decision too.
 */
export const scheduledRuns = pgTable('scheduled_runs', {
  job: text('job').notNull(),
  occurrence: text('occurrence').notNull(),
  /** sent | nothing-to-say | no-managers */
  outcome: text('outcome').notNull(),
  mails: integer('mails').notNull().default(0),
  decidedAt: timestamptz('decided_at').notNull().default(sql`now()`),
}, (t) => [primaryKey({ columns: [t.job, t.occurrence] })]);
