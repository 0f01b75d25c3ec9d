import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify, type ClassifyInput } from '../../src/inbound/classify.js';
import { aliasLookup } from '../../src/inbound/subject-tags.js';
import { DEFAULT_POLICY, type Policy } from '../../src/policy/default-policy.js';
import { PRIORITIES } from '../../src/policy/priorities.js';

const support = (subject: string, text = ''): ClassifyInput => ({ subject, text, mailbox: 'support' });
const run = (input: ClassifyInput, policy: Policy = DEFAULT_POLICY) => classify(input, policy, 'SR');

describe('classify: where mail arrives', () => {
  it('makes management mail a private complaint whatever its tags say', () => {
    const c = run({ subject: '[Bug] [Critical] Fatura', text: 'the invoice page crashes', mailbox: 'management' });
    expect(c).toMatchObject({ type: 'complaint', typeSource: 'mailbox', private: true, requestedPriority: 'critical', priority: 'low' });
  });

  it.each([['[Complaint] Ekip cevap vermiyor'], ['[Şikayet] Ekip cevap vermiyor'], ['[ŞİKAYET] Ekip cevap vermiyor']])(
    'routes %j on the support mailbox privately as a tagged complaint', (subject) => {
      expect(run(support(subject))).toMatchObject({ type: 'complaint', typeSource: 'tag', private: true, priority: 'low' });
    },
  );

  it('keeps ordinary support mail with the team', () => {
    expect(run(support('[Bug] Fatura')).private).toBe(false);
  });

  it('keeps a type private when its policy rule says so, whichever way it was chosen', () => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      types: DEFAULT_POLICY.types.map((t) => (t.slug === 'licenses' ? { ...t, private: true } : t)),
    };
    expect(run(support('[Lisans] 5 kullanıcı'), policy)).toMatchObject({ type: 'licenses', private: true });
    expect(run(support('Need a new license'), policy)).toMatchObject({ type: 'licenses', typeSource: 'keywords', private: true });
  });
});

describe('classify: type', () => {
  it('takes the type from a tag', () => {
    expect(run(support('[Hata] Fatura', 'how do I configure the website?'))).toMatchObject({ type: 'problem', typeSource: 'tag' });
  });

  it.each([
    ['Invoice page is broken', '', 'problem'],
    ['Fatura', 'Fatura ekranı çalışmıyor, hata veriyor.', 'problem'],
    ['FATURA EKRANI ÇALIŞMIYOR', '', 'problem'],
    ['Cannot log in', '', 'access'],
    ['Sisteme giriş yapamıyorum', '', 'access'],
    ['Can’t access the database', '', 'access'],
    ['Mail gitmiyor', 'Müşterilere e-posta gitmiyor', 'email-deliverability'],
    ['How do I configure taxes?', '', 'question'],
    ['Vergi ayarı nasıl yapılır?', '', 'question'],
    ['Need a new licence for 5 users', '', 'licenses'],
    ['Disk alanı doldu', '', 'capacity'],
    ['Sipariş otomasyonu', 'Bu süreç için otomasyon istiyoruz', 'automation'],
    ['After upgrade the stock module differs', '', 'main-code-problem'],
    ['Web sitesi yavaş', '', 'website'],
    ['Yeni alan eklenmesi', 'Satış formuna özelleştirme talebimiz var', 'customization'],
  ])('classifies %j / %j from keywords as %s', (subject, text, type) => {
    expect(run(support(subject, text))).toMatchObject({ type, typeSource: 'keywords' });
  });

  it('weighs a subject keyword above a body keyword', () => {
    // One website hit in the subject (3) beats two problem hits in the body (2).
    expect(run(support('Website', 'There is an error, another error.')).type).toBe('website');
  });

  it('breaks ties by policy order', () => {
    // "hata" (problem) and "şifre" (access) once each in the body: problem is listed first.
    expect(run(support('Yardım', 'hata ve şifre')).type).toBe('problem');
  });

  it('counts a keyword listed in both spellings once', () => {
    // access lists "şifre" and "sifre"; one word must not count double against problem's "hata".
    expect(run(support('Yardım', 'şifre hata')).type).toBe('problem');
  });

  it('matches keywords on word boundaries only', () => {
    expect(run(support('Rampa siparişi', 'Programı kullanıyoruz')).type).toBe('other');
  });

  it('reads only the first 4000 characters of the body', () => {
    const text = `${'a '.repeat(2000)}password`;
    expect(run(support('Merhaba', text))).toMatchObject({ type: 'other', typeSource: 'default' });
  });

  it('falls back to other, low, when nothing matches', () => {
    expect(run(support('Merhaba', 'İyi günler'))).toMatchObject({
      type: 'other', typeSource: 'default', priority: 'low', requestedPriority: null, priorityReason: 'default for other',
    });
  });
});

describe('classify: priority', () => {
  it.each([
    ['[Critical] [Website] Down', 'website', 'critical', 'high', 'requested critical; website allows high, medium: nearest is high'],
    ['[Low] [Bug] Typo', 'problem', 'low', 'medium', 'requested low; problem allows critical, high, medium: nearest is medium'],
    ['[Critical] [Customization] New field', 'customization', 'critical', 'low', 'requested critical; customization allows low: nearest is low'],
    ['[P1] [Erişim] Giriş yok', 'access', 'critical', 'critical', 'requested critical'],
    ['[Yüksek] [Soru] Vergi', 'question', 'high', 'medium', 'requested high; question allows medium: nearest is medium'],
  ])('%j is %s, asked %s, granted %s', (subject, type, requested, granted, reason) => {
    expect(run(support(subject))).toMatchObject({ type, requestedPriority: requested, priority: granted, priorityReason: reason });
  });

  it('gives the type default when no priority is asked', () => {
    expect(run(support('[Soru] Vergi'))).toMatchObject({ requestedPriority: null, priority: 'medium', priorityReason: 'default for question' });
  });

  it('breaks a tie between two allowed priorities toward the more urgent one', () => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      types: DEFAULT_POLICY.types.map((t) => (t.slug === 'website' ? { ...t, priorities: ['critical', 'medium'] } : t)),
    };
    expect(run(support('[High] [Website] Slow'), policy)).toMatchObject({ priority: 'critical' });
  });

  it('never grants a priority outside the type allowed list', () => {
    const tag = fc.constantFrom('', ...DEFAULT_POLICY.priorities.flatMap((p) => p.aliases).map((a) => `[${a}]`));
    const type = fc.constantFrom('', ...DEFAULT_POLICY.types.flatMap((t) => t.aliases).map((a) => `[${a}]`));
    const mailbox = fc.constantFrom('support' as const, 'management' as const);
    fc.assert(fc.property(tag, type, fc.string({ maxLength: 40 }), mailbox, (p, t, words, mb) => {
      const c = run({ subject: `${p} ${t} ${words}`, text: words, mailbox: mb });
      const rule = DEFAULT_POLICY.types.find((r) => r.slug === c.type);
      return rule !== undefined && rule.priorities.includes(c.priority) && PRIORITIES.includes(c.priority);
    }));
  });
});

describe('classify: per-mail cost', () => {
  it('builds the alias lookup once per policy object', () => {
    expect(aliasLookup(DEFAULT_POLICY)).toBe(aliasLookup(DEFAULT_POLICY));
    expect(aliasLookup({ ...DEFAULT_POLICY })).not.toBe(aliasLookup(DEFAULT_POLICY));
  });
});
