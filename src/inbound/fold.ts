/**
 * Folding for comparing the words people type (tags, commands, keywords), never for display.
 * Turkish letters are mapped explicitly because neither `toLowerCase` ('İ' → 'i̇') nor
 * `toLocaleLowerCase('tr')` ('I' → 'ı') gives the ASCII form both languages' users expect.
 */

const TURKISH: Record<string, string> = {
  İ: 'i', I: 'i', ı: 'i', i: 'i',
  Ş: 's', ş: 's',
  Ğ: 'g', ğ: 'g',
  Ü: 'u', ü: 'u',
  Ö: 'o', ö: 'o',
  Ç: 'c', ç: 'c',
};
const TURKISH_LETTERS = /[İIıiŞşĞğÜüÖöÇç]/g;
const COMBINING_MARKS = /\p{M}+/gu;
// Spaces, hyphens of every kind and underscores all separate words the same way in a tag.
const SEPARATORS = /[\s\p{Pd}_]+/gu;

function mapTurkish(s: string): string {
  return s.replace(TURKISH_LETTERS, (c) => TURKISH[c] ?? c);
}

function stripMarks(s: string): string {
  return s.normalize('NFKD').replace(COMBINING_MARKS, '');
}

/**
 * Folds a token for comparison: case-insensitive, Turkish letters to ASCII, other diacritics
 * removed, runs of spaces/hyphens/underscores collapsed to one space, trimmed.
 * `foldToken('[KRİTİK]')` is `'[kritik]'`; `foldToken('Web_Sitesi')` is `'web sitesi'`.
 */
export function foldToken(s: string): string {
  // Map before and after lowercasing: compatibility forms (fullwidth, Roman numerals) only
  // become plain letters after NFKD, and lowercasing can expose new decomposable forms.
  const once = stripMarks(mapTurkish(s)).toLowerCase();
  return stripMarks(mapTurkish(once)).replace(SEPARATORS, ' ').trim();
}

/** Lowercases only A-Z, so an address never changes under a Turkish (or any) locale. */
export function asciiLowerAddress(addr: string): string {
  return addr.trim().replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
