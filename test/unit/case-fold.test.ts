import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiLowerAddress, caseFold } from '../../src/inbound/case-fold.js';

describe('caseFold', () => {
  it.each([
    ['İ', 'i'], ['I', 'i'], ['ı', 'i'], ['i', 'i'],
    ['Ş', 's'], ['ş', 's'], ['Ğ', 'g'], ['ğ', 'g'], ['Ü', 'u'], ['ü', 'u'],
    ['Ö', 'o'], ['ö', 'o'], ['Ç', 'c'], ['ç', 'c'],
  ])('maps the Turkish letter %s to %s', (input, folded) => {
    expect(caseFold(input)).toBe(folded);
  });

  it.each([
    ['KRİTİK', 'kritik'],
    ['YÜKSEK', 'yuksek'],
    ['ŞİKAYET', 'sikayet'],
    ['DÜŞÜK', 'dusuk'],
    ['İLT', 'ilt'],
    ['ÖZELLEŞTİRME', 'ozellestirme'],
    ['yapılandırma', 'yapilandirma'],
    ['IŞIK', 'isik'],
  ])('folds Turkish capitals the way a Turkish reader means them: %s → %s', (input, folded) => {
    expect(caseFold(input)).toBe(folded);
  });

  it('never produces the combining dot that toLowerCase leaves on İ', () => {
    expect(caseFold('İPTAL')).toBe('iptal');
    expect(caseFold('İPTAL')).not.toBe('İPTAL'.toLowerCase());
  });

  it.each([
    ['Café', 'cafe'], ['naïve', 'naive'], ['Ñandú', 'nandu'], ['Å', 'a'], ['ＲＥ', 're'],
  ])('removes other diacritics and compatibility forms: %s → %s', (input, folded) => {
    expect(caseFold(input)).toBe(folded);
  });

  it.each([
    ['main-code', 'main code'], ['main_code', 'main code'], ['main   code', 'main code'],
    ['main - _ code', 'main code'], ['  web sitesi  ', 'web sitesi'], ['e‐posta', 'e posta'],
  ])('treats spaces, hyphens and underscores alike: %j → %j', (input, folded) => {
    expect(caseFold(input)).toBe(folded);
  });

  it('folds plain ASCII exactly as the full Turkish and Unicode fold does', () => {
    // A leading "ı" sends the text down the full path and folds to the "i" that sends it down the
    // ASCII one: the two must agree on everything after it.
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
      (s) => caseFold(`ı${s}`) === caseFold(`i${s}`)));
    expect(caseFold('ı  Web_Sitesi -- DOWN\t')).toBe(caseFold('I  Web_Sitesi -- DOWN\t'));
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => caseFold(caseFold(s)) === caseFold(s)));
  });

  it('never leaves upper-case ASCII, leading or trailing spaces, or runs of separators', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
      const f = caseFold(s);
      return !/[A-Z]/.test(f) && f === f.trim() && !/[\s_-]{2}/.test(f);
    }));
  });
});

describe('asciiLowerAddress', () => {
  it('lowercases only ASCII letters, so a Turkish locale cannot turn I into ı', () => {
    expect(asciiLowerAddress('  IRMAK.Ilgaz@Example.COM ')).toBe('irmak.ilgaz@example.com');
  });

  it('leaves non-ASCII characters as they are', () => {
    expect(asciiLowerAddress('İnci@Örnek.example')).toBe('İnci@Örnek.example');
  });
});
