import type { Language } from '../outbound/outbound-mail.js';

/** Where a client's stored language came from. */
export type LanguageSource = 'configured' | 'detected' | 'agent';

/** A client address's language as stored (db/schema/client-languages.ts), without the address. */
export interface ClientLanguage {
  language: Language;
  source: LanguageSource;
  /** The other language the client's latest mails were written in, and how many in a row. */
  pendingLanguage: Language | null;
  pendingCount: number;
}

/** Mails in a row in the other language that move a client to it. */
export const SWITCH_AFTER = 2;

/**
 * The client's language after one more mail from them. On first contact it is the configured one
 * (the client's `clients` entry or the person's own), else the one the mail reads as, else the
 * default. After that it sticks: one mail in the other language (a forwarded English log, a
 * colleague's English reply quoted) changes nothing, two in a row move the client to it, and a
 * mail that tells nothing (a score, "OK") neither counts nor breaks the run. `changed` says
 * whether the language itself moved (the client's tickets then carry the new one). Pure.
 */
export function languageAfterMail(
  stored: ClientLanguage | null, written: Language | null, configured: Language | null, fallback: Language,
): { state: ClientLanguage; changed: boolean } {
  if (!stored) {
    const state: ClientLanguage = configured
      ? { language: configured, source: 'configured', pendingLanguage: null, pendingCount: 0 }
      : { language: written ?? fallback, source: 'detected', pendingLanguage: null, pendingCount: 0 };
    return { state, changed: true };
  }
  if (written === null) return { state: stored, changed: false };
  if (written === stored.language) {
    return { state: { ...stored, pendingLanguage: null, pendingCount: 0 }, changed: false };
  }
  const count = stored.pendingLanguage === written ? stored.pendingCount + 1 : 1;
  if (count >= SWITCH_AFTER) {
    return { state: { language: written, source: 'detected', pendingLanguage: null, pendingCount: 0 }, changed: true };
  }
  return { state: { ...stored, pendingLanguage: written, pendingCount: count }, changed: false };
}

/** The client's language after an agent's `#dil tr|en`: set, whatever the client wrote before. */
export function languageSetByAgent(stored: ClientLanguage | null, language: Language): { state: ClientLanguage; changed: boolean } {
  return {
    state: { language, source: 'agent', pendingLanguage: null, pendingCount: 0 },
    changed: stored?.language !== language,
  };
}
