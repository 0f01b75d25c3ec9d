import type { Language } from './outbound-mail.js';

/**
 * A sentence in both languages, written side by side where it is decided: the reader gets theirs,
 * events and logs keep the English. Nothing is translated after the fact from an English string.
 */
export type Said = Record<Language, string>;

export function say(en: string, tr: string): Said {
  return { en, tr };
}
