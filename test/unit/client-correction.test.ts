import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tagsInSubject } from '../../src/inbound/subject-tags.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { clientCorrection, mayCorrect, type Classified } from '../../src/tickets/client-correction.js';

const tags = (s: string) => tagsInSubject(s, DEFAULT_POLICY);
const other: Classified = { type: 'other', priority: 'low', requestedPriority: null, private: false };
const correct = (reply: string, earlier: string[], ticket: Classified = other) =>
  clientCorrection(tags(reply), earlier.map(tags), ticket, DEFAULT_POLICY);

describe('a client corrects type and priority by replying with tags', () => {
  it('re-classifies by the rules of a new mail: a new type tag, the priority clamped to what it allows', () => {
    expect(correct('YNT: [#SR-1011] Talebiniz alındı: [Diğer] Rapor ekranı [Hata] [Kritik]', ['[Diğer] Rapor ekranı'])).toEqual({
      type: 'problem', requestedPriority: 'critical', priority: 'critical', priorityReason: 'client corrected: requested critical',
      from: { type: 'other', priority: 'low' },
    });
    expect(correct('RE: [#SR-1011] [Website] [Critical] site down', ['site down'])).toMatchObject({
      type: 'website', priority: 'high', priorityReason: 'client corrected: requested critical; website allows high, medium: nearest is high',
    });
  });

  it('a type correction alone is judged against the priority the client asked for before', () => {
    const asked: Classified = { type: 'question', priority: 'medium', requestedPriority: 'high', private: false };
    expect(correct('Re: [Soru] [Yüksek] x [Hata]', ['[Soru] [Yüksek] x'], asked)).toMatchObject({ type: 'problem', priority: 'high', requestedPriority: 'high' });
  });

  it('repeating the tags of an earlier subject changes nothing (an agent\'s #priority is not undone by a quoted subject)', () => {
    const setByAgent: Classified = { type: 'problem', priority: 'medium', requestedPriority: 'critical', private: false };
    expect(correct('RE: [#SR-1011] Talebiniz alındı: [Hata] [Kritik] Fatura', ['[Hata] [Kritik] Fatura'], setByAgent)).toBeNull();
    expect(correct('RE: [#SR-1011] Fatura', ['[Hata] [Kritik] Fatura'], setByAgent)).toBeNull();
  });

  it('never changes privacy: a complaint tag on a team ticket is not a correction', () => {
    expect(correct('Re: [#SR-1011] [Şikayet] yanıt yok', ['yanıt yok'])).toBeNull();
  });
});

describe('mayCorrect: whether the earlier subjects need reading at all', () => {
  const types = DEFAULT_POLICY.types.map((t) => t.slug);
  const priorities = ['critical', 'high', 'medium', 'low'] as const;
  const tagList = fc.record({ types: fc.array(fc.constantFrom(...types), { maxLength: 3 }), priorities: fc.array(fc.constantFrom(...priorities), { maxLength: 3 }) });
  const classified = fc.record({
    type: fc.constantFrom(...types), priority: fc.constantFrom(...priorities),
    requestedPriority: fc.option(fc.constantFrom(...priorities), { nil: null }), private: fc.boolean(),
  });

  it('when it says no, no earlier subjects could make a correction (so skipping their query changes nothing)', () => {
    fc.assert(fc.property(tagList, fc.array(tagList, { maxLength: 4 }), classified, (reply, earlier, ticket) => {
      if (!mayCorrect(reply, ticket, DEFAULT_POLICY)) expect(clientCorrection(reply, earlier, ticket, DEFAULT_POLICY)).toBeNull();
    }), { numRuns: 2000 });
  });

  it('says no to a reply that repeats the ticket as it stands, and yes to a new tag', () => {
    const asked: Classified = { type: 'problem', priority: 'critical', requestedPriority: 'critical', private: false };
    expect(mayCorrect(tags('RE: Talebiniz alındı: [Hata] [Kritik] Fatura'), asked, DEFAULT_POLICY)).toBe(false);
    expect(mayCorrect(tags('RE: [Soru] Fatura'), asked, DEFAULT_POLICY)).toBe(true);
    expect(mayCorrect(tags('RE: [Düşük] Fatura'), asked, DEFAULT_POLICY)).toBe(true);
  });
});
