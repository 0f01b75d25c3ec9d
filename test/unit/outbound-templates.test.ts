import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseConfig, DEFAULT_CONFIG_INPUT, type Person } from '../../src/config.js';
import { SlagateError } from '../../src/errors.js';
import { buildAcknowledgement } from '../../src/outbound/build-acknowledgement.js';
import { buildClientMail } from '../../src/outbound/build-client-mail.js';
import { buildStaffMail, type StaffMailKind } from '../../src/outbound/build-staff-mail.js';
import { formatInstant } from '../../src/outbound/format-instant.js';
import { MAIL_KINDS, type Language, type OutboundMail } from '../../src/outbound/outbound-mail.js';
import { renderTemplate } from '../../src/outbound/render-template.js';
import type { TicketView } from '../../src/outbound/ticket-view.js';
import { grantPriority } from '../../src/inbound/classify.js';
import { ticketViewOf } from '../../src/tickets/ticket-view-of.js';

const config = parseConfig(DEFAULT_CONFIG_INPUT);
const received = new Date('2026-03-13T14:30:00Z'); // Friday 17:30 in Istanbul

const ticket: TicketView = {
  id: 7, number: 'SR-1042', subject: 'Fatura modülü açılmıyor & hata veriyor', type: 'website', typeName: 'Website Issue',
  priority: 'high', requestedPriority: 'critical', priorityReason: 'critical requested; website allows high at most',
  private: false, mailbox: 'support', requesterAddress: 'deniz@client.example', requesterName: 'Deniz Arslan',
  language: 'tr', firstResponseDue: new Date('2026-03-16T08:00:00Z'), resolutionDue: new Date('2026-03-17T11:00:00Z'),
  slaReview: false, assignee: null,
};

function person(lang: Language): Person {
  return { address: `agent-${lang}@sanarise.example`, name: lang === 'tr' ? 'Ayşe Yılmaz' : 'Mert Demir', role: 'agent', language: lang, zone: 'Europe/Istanbul', tokenKeyVersion: 1 };
}

const staffData: Record<StaffMailKind, Record<string, unknown>> = {
  'team-new-ticket': { excerpt: 'Fatura ekranı <script> açılmıyor.', firstResponseDue: ticket.firstResponseDue, attachmentCount: 1 },
  'team-flood': {
    count: 2, threshold: 20, windowMinutes: 10, windowStart: new Date('2026-03-16T07:00:00Z'), windowEnd: new Date('2026-03-16T07:10:00Z'),
    tickets: [
      { number: 'SR-1042', subject: ticket.subject, priority: 'high', requesterAddress: 'deniz@client.example' },
      { number: 'SR-1043', subject: '<script>x</script>', priority: 'critical', requesterAddress: 'forged@client.example' },
    ],
  },
  'private-new-ticket': { body: 'Temsilci <b>Mehmet</b> hiç dönmedi.', files: [{ filename: 'ekran.png', size: 48213, attached: true }, { filename: 'kayit.mp4', size: 31457280, attached: false }], otherTickets: ['SR-1040', 'YN-1003'], teamCopies: [] },
  'sla-reminder': { clock: 'first-response', deadline: ticket.firstResponseDue },
  'sla-breach': { clock: 'first-response', deadline: ticket.firstResponseDue },
  'sla-manager-escalation': { clock: 'resolution', deadline: ticket.resolutionDue },
  'qualification-reminder': { clock: 'qualification', deadline: ticket.firstResponseDue },
  'client-escalation': { level: 2, step: 'lead', escalatedBy: null },
  'special-circumstances': { count: 4, day: '2026-03-13' },
  'client-reply-forward': { body: 'Hâlâ açılmıyor.\nEkran görüntüsü ekte.', sender: 'Deniz Arslan <deniz@client.example>' },
  'command-result': { command: '#priority high', ok: true, message: 'Öncelik Yüksek yapıldı.' },
  'sender-capped': { senderAddress: 'robot@client.example', cap: 10, windowMinutes: 180, until: new Date('2026-03-13T18:00:00Z') },
  'staff-mail-refused': { code: 'token-expired', senderAddress: 'agent@sanarise.example', receivedAt: received, subject: 'Re: [#SR-1042] <b>x</b>', ttlDays: 30, windowMinutes: 60 },
  'manager-digest': {
    date: '2026-03-16', since: new Date('2026-03-13T06:00:00Z'), until: new Date('2026-03-16T06:00:00Z'), breachedCount: 1, atRiskCount: 1,
    members: [
      { assignee: 'ayse@sanarise.example', name: 'Ayşe Yılmaz', priorities: [{ priority: 'high', tickets: [
        { number: 'SR-1042', subject: ticket.subject, priority: 'high', requesterAddress: 'deniz@client.example', state: 'breached', clock: 'first-response', due: ticket.firstResponseDue },
      ] }] },
      { assignee: null, name: '', priorities: [{ priority: 'medium', tickets: [
        { number: 'SR-1043', subject: 'Rapor', priority: 'medium', requesterAddress: 'deniz@client.example', state: 'at-risk', clock: 'resolution', due: ticket.resolutionDue },
      ] }] },
    ],
    escalations: [
      { number: 'SR-1042', subject: ticket.subject, priority: 'high', private: false, at: ticket.firstResponseDue, source: 'sla', clock: 'first-response', to: 'lead' },
      { number: 'SR-1040', subject: 'Şikayet', priority: 'low', private: true, at: ticket.firstResponseDue, source: 'client', clock: null, to: 'manager' },
    ],
    specialDays: [{ client: 'busy@client.example', day: '2026-03-13', tickets: ['SR-1050', 'SR-1051'] }],
    privateTickets: [{ number: 'SR-1040', subject: 'Şikayet', priority: 'low', requesterAddress: 'deniz@client.example', state: 'open', clock: null, due: null }],
  },
  'monthly-report': {
    month: '2026-02', client: null, markdown: '# Monthly report 2026-02\n\n| Tickets | 3 |', reportHtml: '<!doctype html><html><body><h1>Monthly report &amp; charts</h1></body></html>',
  },
  'quarterly-review': {
    quarter: '2026-Q4', markdown: '# Quarterly SLA review Q4 2026\n\n| tickets | 30 |', reportHtml: '<!doctype html><html><body><h1>Quarterly review &amp; trends</h1></body></html>',
  },
};

function build(kind: (typeof MAIL_KINDS)[number], lang: Language, base: TicketView = ticket): OutboundMail {
  const random = 'fixed';
  const langTicket = { ...base, language: lang };
  if (kind === 'acknowledgement' || kind === 'acknowledgement-private') {
    return buildAcknowledgement(config, {
      ticket: kind === 'acknowledgement-private' ? { ...langTicket, private: true, mailbox: 'management', type: 'complaint', typeName: 'Submit a Complaint Directly to Management (Not Seen by Team)', priority: 'low', requestedPriority: null } : langTicket,
      mail: { messageId: '<client-1@client.example>', references: ['<older@client.example>'], subject: ticket.subject, fromAddress: 'deniz@client.example', fromName: 'Deniz Arslan', toAddress: 'support@sanarise.example', text: 'Kısa.', attachmentCount: 0 },
      random,
    });
  }
  if (kind === 'agent-relay' || kind === 'survey' || kind === 'oversized-rejected' || kind === 'classification-corrected' || kind === 'escalation-confirmed') {
    return buildClientMail(config, {
      kind, ticket: kind === 'oversized-rejected' ? null : langTicket, to: { name: 'Deniz Arslan', address: 'deniz@client.example' }, lang,
      dedupeKey: `${kind}:7`, random,
      data: kind === 'agent-relay' ? { agentName: 'Ayşe Yılmaz', body: 'Merhaba, sorunu giderdik. <b>Kontrol eder misiniz?</b>' }
        : kind === 'survey' ? {}
          : kind === 'escalation-confirmed' ? { level: 2, step: 'lead' }
          : kind === 'classification-corrected' ? {
            typeChanged: true, fromTypeName: lang === 'tr' ? 'Diğer' : 'Other', priorityMoved: true, fromPriority: 'low', priorityChanged: true,
            allowedPriorities: lang === 'tr' ? 'Yüksek veya Orta' : 'High or Medium', firstResponseDue: ticket.firstResponseDue, resolutionDue: null,
          }
            : { originalSubject: 'Büyük dosya', sizeMb: 31, maxMb: 25 },
      thread: { inReplyTo: '<client-1@client.example>', references: [] },
    });
  }
  if (kind === 'private-new-ticket') {
    const manager: Person = { ...person(lang), role: 'manager' };
    const privateTicket = { ...langTicket, number: 'YN-1001', private: true, mailbox: 'management' as const, type: 'complaint', priority: 'low' as const, requestedPriority: null };
    return buildStaffMail(config, { kind, ticket: privateTicket, person: manager, dedupeKey: `${kind}:7`, data: staffData[kind], random });
  }
  if (kind === 'manager-digest' || kind === 'monthly-report' || kind === 'quarterly-review') {
    const manager: Person = { ...person(lang), role: 'manager' };
    return buildStaffMail(config, { kind, ticket: null, mailbox: 'management', person: manager, dedupeKey: `${kind}:2026-03-16`, data: staffData[kind], random });
  }
  return buildStaffMail(config, { kind, ticket: langTicket, person: person(lang), dedupeKey: `${kind}:7`, data: staffData[kind], random });
}

describe('every template in both languages', () => {
  for (const kind of MAIL_KINDS) {
    for (const lang of ['tr', 'en'] as const) {
      it(`${kind} (${lang}) renders as recorded`, () => {
        const mail = build(kind, lang);
        expect(mail.text).not.toMatch(/&amp;|&lt;|&#x/);
        expect(mail.subject).not.toMatch(/[\r\n]/);
        expect(mail).toMatchSnapshot();
      });
    }
  }
});

describe('a Turkish mail carries no English policy name or reason (issue 23)', () => {
  // A ticket as ingest stores it: a critical request clamped by its type, named and explained by the
  // policy's own functions, viewed through the same ticketViewOf every mail path uses.
  const rule = config.policy.types.find((t) => t.slug === 'problem')!;
  const website = config.policy.types.find((t) => t.slug === 'website')!;
  const granted = grantPriority(website, 'critical');
  const stored = {
    id: 7, number: 'SR-1042', subject: 'Fatura modülü açılmıyor', type: 'website', priority: granted.priority, requestedPriority: 'critical',
    priorityReason: granted.reason, private: false, mailbox: 'support', requesterAddress: 'deniz@client.example', requesterName: 'Deniz Arslan',
    requesterLanguage: 'tr', slaReview: false, assignee: null,
  };
  const clamped = ticketViewOf(config, stored, { firstResponseDue: ticket.firstResponseDue, resolutionDue: ticket.resolutionDue });
  const corrected = ticketViewOf(config, { ...stored, type: rule.slug, priorityReason: `client corrected: ${grantPriority(rule, 'low').reason}` }, clamped);
  const agentSet = ticketViewOf(config, { ...stored, priorityReason: `set by agent@sanarise.example: ${grantPriority(website, null).reason}` }, clamped);
  const english = [
    ...config.policy.types.map((t) => t.name),
    'requested', 'allows', 'nearest', 'default for', 'corrected', 'set by',
    'kept as an internal note', 'unknown status', 'unknown command',
  ];

  for (const [label, view] of [['clamped', clamped], ['client-corrected', corrected], ['agent-set', agentSet]] as const) {
    for (const kind of MAIL_KINDS) {
      it(`${kind} for a ${label} ticket`, () => {
        const mail = build(kind, 'tr', view);
        for (const part of [mail.subject, mail.text, mail.html]) {
          for (const phrase of english) expect(part, `${kind} contains "${phrase}"`).not.toContain(phrase);
        }
      });
    }
  }

  it('the staff notification explains the clamp in Turkish with the policy\'s names', () => {
    const text = build('team-new-ticket', 'tr', clamped).text;
    expect(text).toContain('Tür: Web sitesi sorunu');
    expect(text).toContain('Öncelik gerekçesi: istenen öncelik Kritik; “Web sitesi sorunu” türü yalnızca Yüksek veya Orta önceliğine izin veriyor, en yakını: Yüksek');
    expect(build('team-new-ticket', 'en', clamped).text).toContain('Why this priority: requested Critical; “Website Issue” allows High or Medium: nearest is High');
  });
});

describe('rendering rules', () => {
  it('escapes HTML parts but not text parts', () => {
    const mail = build('agent-relay', 'tr');
    expect(mail.html).toContain('&lt;b&gt;Kontrol');
    expect(mail.text).toContain('<b>Kontrol');
  });

  it('turns a missing variable into TEMPLATE_MISSING_VARIABLE', () => {
    const attempt = () => renderTemplate('sla-reminder', 'tr', { zone: 'Europe/Istanbul', recipientName: 'x', ticket: null });
    expect(attempt).toThrow(SlagateError);
    try { attempt(); } catch (err) { expect((err as SlagateError).code).toBe('TEMPLATE_MISSING_VARIABLE'); }
  });

  it('formats instants in the reader\'s zone and language with the offset', () => {
    const at = new Date('2026-03-16T09:30:00Z');
    expect(formatInstant(at, 'Europe/Istanbul', 'tr')).toBe('Pazartesi 16 Mart 2026 12:30 (GMT+3)');
    expect(formatInstant(at, 'Europe/Istanbul', 'en')).toBe('Monday 16 March 2026 12:30 (GMT+3)');
    expect(formatInstant(at, 'UTC', 'en')).toBe('Monday 16 March 2026 09:30 (GMT)');
  });

  it('reads exactly as luxon formats the same instant, across zones, offsets and their transitions', () => {
    const zones = ['Europe/Istanbul', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kolkata', 'UTC', 'America/St_Johns'];
    fc.assert(fc.property(
      fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.constantFrom(...zones), fc.constantFrom<Language>('tr', 'en'),
      (ms, zone, lang) => {
        const local = DateTime.fromMillis(ms, { zone }).setLocale(lang);
        const minutes = local.offset;
        const offset = minutes === 0 ? 'GMT' : `GMT${minutes > 0 ? '+' : '-'}${Math.floor(Math.abs(minutes) / 60)}${Math.abs(minutes) % 60 ? `:${String(Math.abs(minutes) % 60).padStart(2, '0')}` : ''}`;
        expect(formatInstant(new Date(ms), zone, lang)).toBe(`${local.toFormat('cccc d LLLL yyyy HH:mm')} (${offset})`);
      },
    ), { numRuns: 3000 });
  });
});

describe('the acknowledgement', () => {
  const mail = { messageId: '<c@client.example>', references: [], subject: 's', fromAddress: 'deniz@client.example', fromName: 'Deniz', toAddress: 'support@sanarise.example', text: 'x'.repeat(300), attachmentCount: 2 };

  it('says what was understood, why the priority changed, the due times and how to correct it', () => {
    const ack = buildAcknowledgement(config, { ticket, mail, random: 'r' });
    expect(ack.text).toContain('SR-1042');
    // The ticket is Turkish: the type is named as the policy names it in Turkish (issue 23), no longer 'Website Issue'.
    expect(ack.text).toContain('Tür: Web sitesi sorunu');
    expect(ack.text).not.toContain('Website Issue');
    expect(ack.text).toContain('Kritik öncelik istediniz');
    expect(ack.text).toContain('yalnızca Yüksek veya Orta öncelikle');
    expect(ack.text).toContain('Pazartesi 16 Mart 2026 11:00 (GMT+3)');
    expect(ack.text).toContain('[Kritik]');
    expect(ack.text).not.toContain('Ön değerlendirmeyi hızlandırmak');
    expect(ack.text).not.toContain('Özel Durumlar');
  });

  it('offers the qualification guidelines when the mail is short or has no attachment, and the special-circumstances notice', () => {
    const ack = buildAcknowledgement(config, { ticket: { ...ticket, slaReview: true }, mail: { ...mail, attachmentCount: 0 }, random: 'r' });
    expect(ack.text).toContain('Ön değerlendirmeyi hızlandırmak');
    expect(ack.text).toContain('Özel Durumlar');
  });

  // Issue 23: "Resolution target: Tuesday 17 March 14:00" read as counted from arrival, beside the
  // sentence saying the resolution clock starts after qualification (SLA-POLICY.md, Clocks).
  it('counts the first response from arrival and the resolution from the end of qualification, never as a date, in both languages', () => {
    for (const lang of ['tr', 'en'] as const) {
      const ack = buildAcknowledgement(config, { ticket: { ...ticket, language: lang }, mail, random: 'r' });
      for (const part of [ack.text, ack.html]) {
        expect(part).not.toContain(lang === 'tr' ? '17 Mart' : '17 March');
        expect(part).toContain(lang === 'tr' ? 'ön değerlendirme tamamlandıktan sonra 12 çalışma saati içinde' : '12 business hours, counted from the end of qualification');
        expect(part).toContain(lang === 'tr' ? 'e-postanızın bize ulaştığı andan itibaren çalışma saatleri içinde sayılır' : 'counted from when your mail reached us, in business hours');
        expect(part).toContain(lang === 'tr' ? 'sizden yanıt beklediğimiz sürece durur' : 'it stops while we wait for an answer from you');
      }
    }
    const critical = buildAcknowledgement(config, { ticket: { ...ticket, language: 'en', priority: 'critical' }, mail, random: 'r' });
    expect(critical.text).toContain('7 hours, counted from the end of qualification');
    expect(critical.text).not.toContain('in business hours');
  });

  it('tells a low-priority client there is no resolution target', () => {
    const ack = buildAcknowledgement(config, { ticket: { ...ticket, language: 'en', priority: 'low', requestedPriority: null, type: 'other', typeName: 'Other', resolutionDue: null }, mail, random: 'r' });
    expect(ack.text).toContain('low-priority requests have no resolution time commitment');
    expect(ack.text).toContain('default priority');
  });

  it('is an RFC 3834 auto-reply continuing the client\'s thread from the owning mailbox', () => {
    const ack = buildAcknowledgement(config, { ticket, mail, random: 'r' });
    expect(ack.headers).toMatchObject({ 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'In-Reply-To': '<c@client.example>', References: '<c@client.example>', 'X-Slagate-Ticket': 'SR-1042' });
    expect(ack.from.address).toBe('support@sanarise.example');
    expect(ack.replyTo?.address).toBe('support@sanarise.example');
    expect(ack.messageId).toBe('<acknowledgement.r@slagate.sanarise.example>');
    expect(ack.subject.startsWith('[#SR-1042] ')).toBe(true);
  });

  it('comes from management for a private ticket and says nothing of the team', () => {
    const ack = build('acknowledgement-private', 'tr');
    const en = build('acknowledgement-private', 'en');
    expect(ack.from.address).toBe('management@sanarise.example');
    for (const m of [ack, en]) expect(`${m.subject}\n${m.text}`).not.toMatch(/ekip|takım|team/i);
  });
});
