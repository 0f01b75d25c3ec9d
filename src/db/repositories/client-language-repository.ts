import { and, inArray, ne, or, isNull, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { clientLanguages } from '../schema/client-languages.js';
import { tickets } from '../schema/tickets.js';
import type { ClientLanguage, LanguageSource } from '../../tickets/client-language.js';
import type { Language } from '../../outbound/outbound-mail.js';

/** The stored languages of these addresses (ASCII-lowercased), locked until the transaction ends. */
export async function lockClientLanguages(db: Db, addresses: readonly string[]): Promise<Map<string, ClientLanguage>> {
  const distinct = [...new Set(addresses)].filter((a) => a !== '');
  if (distinct.length === 0) return new Map();
  const rows = await db.select().from(clientLanguages).where(inArray(clientLanguages.address, distinct)).for('update');
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
