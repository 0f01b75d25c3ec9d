import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../src/policy/default-policy.js';
import { readSubjectTags, stripReplyPrefixes } from '../../src/inbound/subject-tags.js';

const prefixes = DEFAULT_POLICY.replyPrefixes;
const tags = (subject: string, policy: Policy = DEFAULT_POLICY) => readSubjectTags(subject, policy, 'SR');

describe('stripReplyPrefixes', () => {
  it.each([
    ['Re: Fatura', 'Fatura'],
    ['RE: Fatura', 'Fatura'],
    ['Fwd: Fatura', 'Fatura'],
    ['FW: Fatura', 'Fatura'],
    ['YNT: Fatura', 'Fatura'],
    ['İLT: Fatura', 'Fatura'],
    ['ILT: Fatura', 'Fatura'],
    ['AW: Fatura', 'Fatura'],
    ['WG: Fatura', 'Fatura'],
    ['SV: Fatura', 'Fatura'],
    ['Re[2]: Fatura', 'Fatura'],
    ['Re(3): Fatura', 'Fatura'],
    ['Fwd: Re: Fwd: Fatura', 'Fatura'],
    ['RE: YNT: İLT: AW: Fatura', 'Fatura'],
    ['Re：Fatura', 'Fatura'],
    ['re:re:Fatura', 'Fatura'],
    ['Re : Fatura', 'Fatura'],
    ['  Re:   [#SR-1042] Fatura', '[#SR-1042] Fatura'],
  ])('strips %j to %j', (subject, clean) => {
    expect(stripReplyPrefixes(subject, prefixes)).toBe(clean);
  });

  it.each([
    ['Sorun: fatura açılmıyor'],
    ['Report: monthly bandwidth'],
    ['Fatura Re: yanlış'],
    ['[EXTERNAL] RE: Fatura'],
  ])('leaves %j alone: not a known prefix at the start', (subject) => {
    expect(stripReplyPrefixes(subject, prefixes)).toBe(subject);
  });

  it('is idempotent', () => {
    const word = fc.constantFrom('Re', 'RE', 'Fwd', 'FW', 'YNT', 'İLT', 'AW', 'Sorun', 'Re[2]', 'x', '');
    const sep = fc.constantFrom(':', '：', ' : ', ': ', ' ', '');
    const subject = fc.array(fc.tuple(word, sep).map(([w, s]) => w + s), { maxLength: 6 })
      .chain((parts) => fc.string({ maxLength: 12 }).map((tail) => parts.join('') + tail));
    fc.assert(fc.property(subject, (s) => {
      const once = stripReplyPrefixes(s, prefixes);
      return stripReplyPrefixes(once, prefixes) === once;
    }));
  });
});

describe('readSubjectTags: priorities', () => {
  it.each([
    ['critical', 'critical'], ['kritik', 'critical'], ['p1', 'critical'], ['urgent', 'critical'], ['acil', 'critical'],
    ['high', 'high'], ['yüksek', 'high'], ['p2', 'high'],
    ['medium', 'medium'], ['orta', 'medium'], ['normal', 'medium'], ['p3', 'medium'],
    ['low', 'low'], ['düşük', 'low'], ['p4', 'low'],
    ['KRİTİK', 'critical'], ['YÜKSEK', 'high'], ['DÜŞÜK', 'low'], ['Critical', 'critical'], ['ACİL', 'critical'],
    ['P1', 'critical'], ['Yuksek', 'high'], ['dusuk', 'low'],
  ])('[%s] asks for %s', (alias, priority) => {
    expect(tags(`[${alias}] Fatura`).priority).toEqual({ priority, raw: alias });
  });
});

describe('readSubjectTags: types', () => {
  it.each([
    ['problem', 'problem'], ['bug', 'problem'], ['hata', 'problem'], ['sorun', 'problem'],
    ['main code', 'main-code-problem'], ['main-code', 'main-code-problem'], ['core', 'main-code-problem'], ['ana kod', 'main-code-problem'],
    ['access', 'access'], ['cannot access', 'access'], ['login', 'access'], ['erişim', 'access'],
    ['email', 'email-deliverability'], ['e-mail', 'email-deliverability'], ['deliverability', 'email-deliverability'],
    ['e-posta', 'email-deliverability'], ['eposta', 'email-deliverability'],
    ['website', 'website'], ['web', 'website'], ['site', 'website'], ['web sitesi', 'website'],
    ['automation', 'automation'], ['otomasyon', 'automation'],
    ['question', 'question'], ['soru', 'question'], ['configuration', 'question'], ['yapılandırma', 'question'],
    ['license', 'licenses'], ['licenses', 'licenses'], ['lisans', 'licenses'],
    ['capacity', 'capacity'], ['server', 'capacity'], ['kapasite', 'capacity'], ['sunucu', 'capacity'],
    ['report', 'report'], ['rapor', 'report'],
    ['customization', 'customization'], ['customisation', 'customization'], ['modification', 'customization'], ['özelleştirme', 'customization'],
    ['other', 'other'], ['diğer', 'other'],
    ['partner', 'partner-role'], ['partner role', 'partner-role'],
    ['training', 'training-access'], ['trainee', 'training-access'], ['eğitim', 'training-access'],
    ['complaint', 'complaint'], ['şikayet', 'complaint'],
    ['ŞİKAYET', 'complaint'], ['Şikayet', 'complaint'], ['ÖZELLEŞTİRME', 'customization'], ['ERİŞİM', 'access'],
    ['Main_Code', 'main-code-problem'], ['WEB-SITESI', 'website'], ['Partner Role', 'partner-role'],
  ])('[%s] names the type %s', (alias, slug) => {
    expect(tags(`[${alias}] Fatura`).type).toEqual({ slug, raw: alias });
  });

  it('also accepts a type slug as written in CLI output', () => {
    expect(tags('[email-deliverability] Mails bounce').type?.slug).toBe('email-deliverability');
  });
});

describe('readSubjectTags: thread token, escalation and unknown tokens', () => {
  it.each([
    ['[#SR-1042] Fatura', 'SR-1042'],
    ['[SR-1042] Fatura', 'SR-1042'],
    ['[#sr-1042] Fatura', 'SR-1042'],
    ['Re: Fatura [#SR-7]', 'SR-7'],
    ['Fatura', null],
    ['[#XY-1042] Fatura', null],
  ])('reads the thread token of %j as %j', (subject, token) => {
    expect(tags(subject).threadToken).toBe(token);
  });

  it('never takes the thread token for a type or priority tag', () => {
    const t = tags('[#SR-1042] Fatura');
    expect(t).toMatchObject({ type: null, priority: null, unknown: [] });
  });

  it('uses the configured ticket prefix', () => {
    expect(readSubjectTags('[#HD-12] [#SR-1]', DEFAULT_POLICY, 'HD')).toMatchObject({ threadToken: 'HD-12', unknown: ['#SR-1'] });
  });

  it.each([['[Escalate]'], ['[Yükselt]'], ['[YÜKSELT]'], ['[escalate]']])('%s asks for escalation', (tag) => {
    expect(tags(`Re: [#SR-1042] ${tag} Fatura`).escalate).toBe(true);
  });

  it('does not escalate without the tag', () => {
    expect(tags('Re: [#SR-1042] Fatura').escalate).toBe(false);
  });

  it('keeps unknown tokens as written', () => {
    expect(tags('[EXTERNAL] [SPAM?] [Kritik] Fatura').unknown).toEqual(['EXTERNAL', 'SPAM?']);
  });
});

describe('readSubjectTags: where tags are and which wins', () => {
  it('reads tags anywhere in the subject, after prefixes are removed', () => {
    expect(tags('RE: İLT: Fatura [Hata] ekranı [KRİTİK]')).toMatchObject({
      type: { slug: 'problem', raw: 'Hata' }, priority: { priority: 'critical', raw: 'KRİTİK' },
    });
  });

  it('lets the first type tag win', () => {
    expect(tags('[Website] [Bug] Fatura').type).toEqual({ slug: 'website', raw: 'Website' });
  });

  it('lets the first priority tag win', () => {
    expect(tags('[Low] [Critical] Fatura').priority).toEqual({ priority: 'low', raw: 'Low' });
  });

  it('gives the subject without prefixes, tags kept, and a title without the tags it understood', () => {
    const t = tags('Re: Fwd: [#SR-1042] [EXTERNAL] [Kritik] Fatura açılmıyor [Hata]');
    expect(t.cleanSubject).toBe('[#SR-1042] [EXTERNAL] [Kritik] Fatura açılmıyor [Hata]');
    expect(t.title).toBe('[EXTERNAL] Fatura açılmıyor');
  });

  it('reads a subject without tags as having none', () => {
    expect(tags('Fatura açılmıyor')).toEqual({
      threadToken: null, type: null, priority: null, escalate: false, unknown: [],
      cleanSubject: 'Fatura açılmıyor', title: 'Fatura açılmıyor',
    });
  });

  it('takes its aliases from the policy it is given', () => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      priorities: DEFAULT_POLICY.priorities.map((p) => (p.priority === 'critical' ? { ...p, aliases: [...p.aliases, 'çok acil'] } : p)),
    };
    expect(tags('[ÇOK ACİL] Fatura', policy).priority?.priority).toBe('critical');
    expect(tags('[ÇOK ACİL] Fatura').priority).toBeNull();
  });
});
