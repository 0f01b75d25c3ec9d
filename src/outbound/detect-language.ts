import type { Language } from './outbound-mail.js';

const TURKISH_LETTERS = /[çğıöşüÇĞİÖŞÜ]/g;
const TURKISH_WORDS = new Set([
  've', 'bir', 'bu', 'için', 'icin', 'ile', 'da', 'de', 'ne', 'merhaba', 'teşekkürler', 'tesekkurler',
  'teşekkür', 'lütfen', 'lutfen', 'sorun', 'hata', 'çalışmıyor', 'calismiyor', 'nasıl', 'nasil', 'rica',
  'ederim', 'iyi', 'günler', 'gunler', 'çalışmalar', 'selamlar', 'saygılarımla', 'değil', 'degil', 'var',
  'yok', 'olarak', 'şu', 'mi', 'mı', 'mu', 'mü', 'ama', 'fakat', 'ben', 'biz', 'sistem', 'giriş',
]);
const ENGLISH_WORDS = new Set([
  'the', 'and', 'is', 'are', 'to', 'of', 'for', 'with', 'hello', 'hi', 'please', 'thanks', 'thank',
  'you', 'we', 'our', 'not', 'cannot', 'can', 'error', 'issue', 'working', 'regards', 'best', 'this',
  'that', 'it', 'in', 'on', 'have', 'has', 'dear', 'could', 'would',
]);

/**
 * A guess of the language a client wrote in, so the acknowledgement answers in it. Turkish letters
 * weigh more than words because short English mails rarely contain them; a tie keeps the default.
 */
export function detectLanguage(text: string, fallback: Language): Language {
  return guessLanguage(text) ?? fallback;
}

/** The language a text reads as, or null when nothing in it tells (a tie, "OK", a score). */
export function guessLanguage(text: string): Language | null {
  const sample = text.slice(0, 4000);
  let tr = (sample.match(TURKISH_LETTERS) ?? []).length * 0.5;
  let en = 0;
  // Not toLocaleLowerCase('tr'): it turns an English "THIS" into "thıs". Only İ needs help.
  for (const word of sample.replace(/İ/g, 'i').toLowerCase().split(/[^\p{L}]+/u)) {
    if (!word) continue;
    if (TURKISH_WORDS.has(word)) tr += 1;
    if (ENGLISH_WORDS.has(word)) en += 1;
  }
  if (tr > en) return 'tr';
  if (en > tr) return 'en';
  return null;
}
