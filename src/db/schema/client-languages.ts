import { pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns.js';

/**
 * The language each client address is written to, kept from mail to mail (tickets/client-language.ts
 * decides it): a guess per mail would answer a short English mail in Turkish after a Turkish
 * one. Every ticket of the address carries a copy (tickets.requester_language) for the mails it causes.
 */
export const clientLanguages = pgTable('client_languages', {
  /** ASCII-lowercased, like every address we compare. */
  address: text('address').primaryKey(),
  /** tr | en */
  language: text('language').notNull(),
  /** configured | detected | agent: where the language came from. */
  source: text('source').notNull(),
  /** The other language the client's last mails were written in, and how many in a row. */
  pendingLanguage: text('pending_language'),
  pendingCount: smallint('pending_count').notNull().default(0),
  updatedAt: timestamptz('updated_at').notNull(),
});
