import { and, inArray, ne, or, isNull, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { clientLanguages } from '../schema/client-languages.js';
import { tickets } from '../schema/tickets.js';
import type { ClientLanguage, LanguageSource } from '../../tickets/client-language.js';
import type { Language } from '../../outbound/outbound-mail.js';

/**
 * The stored languages of these addresses (ASCII-lowercased). `lock` holds their rows to the end
 * of the transaction (a client reply, after its ticket's lock); a batch of new tickets reads
 * without, so that it never waits on a row while holding what a reply waits for (its requesters'
 * locks already order their new tickets; a lost count of a mail in the other language is harmless).
 */
export async function readClientLanguages(db: Db, addresses: readonly string[], lock: boolean): Promise<Map<string, ClientLanguage>> {
  const distinct = [...new Set(addresses)].filter((a) => a !== '');
  if (distinct.length === 0) return new Map();
  const query = db.select().from(clientLanguages).where(inArray(clientLanguages.address, distinct)).$dynamic();
  const rows = await (lock ? query.for('update') : query);
  return new Map(rows.map((r) => [r.address, {
    language: r.language as Language, source: r.source as LanguageSource,
    pendingLanguage: (r.pendingLanguage as Language | null) ?? null, pendingCount: r.pendingCount,
  }]));
}

/** Stores each address's language (one statement for a batch's run). */
export async function saveClientLanguages(db: Db, states: ReadonlyMap<string, ClientLanguage>, at: Date): Promise<void> {
  if (states.size === 0) return;
  await db.insert(clientLanguages)
    .values([...states].map(([address, s]) => ({ address, ...s, updatedAt: at })))
    .onConflictDoUpdate({
      target: clientLanguages.address,
      set: {
        language: sql`excluded.language`, source: sql`excluded.source`, pendingLanguage: sql`excluded.pending_language`,
        pendingCount: sql`excluded.pending_count`, updatedAt: sql`excluded.updated_at`,
      },
    });
}

/** Every ticket of the address is written to in its new language from now on (the mails they cause read it there). */
export async function setRequesterLanguage(db: Db, address: string, language: Language, at: Date): Promise<void> {
  await db.update(tickets).set({ requesterLanguage: language, updatedAt: at })
    .where(and(eq(tickets.requesterAddress, address), or(isNull(tickets.requesterLanguage), ne(tickets.requesterLanguage, language))));
}
