import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/outbound/detect-language.js';
import { buildReferences, isValidMessageId, makeMessageId, safeHeaderValue, subjectWithToken } from '../../src/outbound/message-headers.js';

describe('safeHeaderValue', () => {
  it('never lets a line break or control character through, and bounds the length', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (s) => {
      const v = safeHeaderValue(s);
      expect([...v].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f')).toBe(false); // no control character
      expect(v.length).toBeLessThanOrEqual(998);
    }));
  });

  it('turns an injection attempt into one harmless line', () => {
    expect(safeHeaderValue('Hello\r\nBcc: victim@example.com')).toBe('Hello Bcc: victim@example.com');
  });
});

describe('Message-IDs and References', () => {
  it('accepts only well-formed ids', () => {
    expect(isValidMessageId('<a.b@c.example>')).toBe(true);
    for (const bad of ['a@b', '<a b@c>', '<a@b>\r\nX: y', '<@b>', `<${'x'.repeat(300)}@b>`, null]) expect(isValidMessageId(bad)).toBe(false);
  });

  it('keeps the thread, drops junk and duplicates, and keeps only the last 20', () => {
    const refs = Array.from({ length: 30 }, (_, i) => `<r${i}@x>`);
    const built = buildReferences('<parent@x>', [...refs, 'junk', '<r29@x>']);
    expect(built).toHaveLength(20);
    expect(built.at(-1)).toBe('<parent@x>');
    expect(new Set(built).size).toBe(20);
  });

  it('makes ids in our domain', () => {
    expect(makeMessageId('slagate.example', 'sla-reminder', 'ab\r\ncd')).toBe('<sla-reminder.abcd@slagate.example>');
  });
});

describe('subjectWithToken', () => {
  it('prepends the token once, never twice', () => {
    expect(subjectWithToken('Printer down', 'SR-1042')).toBe('[#SR-1042] Printer down');
    expect(subjectWithToken('Re: [#SR-1042] Printer down', 'SR-1042')).toBe('[#SR-1042] Re: Printer down');
    fc.assert(fc.property(fc.string(), (s) => {
      const once = subjectWithToken(s, 'SR-1');
      expect(subjectWithToken(once, 'SR-1')).toBe(once);
      expect(once.split('[#SR-1]').length).toBe(2);
    }));
  });

  it('strips a token in any case and spacing, with or without the fast path for subjects that hold no "[#"', () => {
    expect(subjectWithToken('AW:  [#sr-1042]   Drucker', 'SR-1042')).toBe('[#SR-1042] AW: Drucker');
    expect(subjectWithToken('[#SR-99] other ticket', 'SR-1042')).toBe('[#SR-1042] [#SR-99] other ticket');
    const piece = fc.oneof(fc.string(), fc.constantFrom('[#SR-7]', '[#sr-7]', ' [#SR-7] ', '[#', '\r\n', '  '));
    fc.assert(fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
      const subject = pieces.join('');
      const clean = safeHeaderValue(subject, 400);
      const reference = safeHeaderValue(clean.replace(/\s*\[#SR-7\]\s*/gi, ' '));
      expect(subjectWithToken(subject, 'SR-7')).toBe(reference ? `[#SR-7] ${reference}` : '[#SR-7]');
    }));
  });
});

describe('detectLanguage', () => {
  it.each([
    ['Merhaba, fatura ekranı açılmıyor. Yardımcı olur musunuz?', 'tr'],
    ['Hello, the invoice screen does not open. Could you help?', 'en'],
    ['PLEASE HELP, THIS IS NOT WORKING', 'en'],
    ['LÜTFEN YARDIM EDİN, SİSTEM ÇALIŞMIYOR', 'tr'],
    ['???', 'tr'],
  ])('%s → %s', (text, lang) => {
    expect(detectLanguage(text, 'tr')).toBe(lang);
  });
});
