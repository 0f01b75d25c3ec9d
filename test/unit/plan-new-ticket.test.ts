import { describe, expect, it } from 'vitest';
import { classify } from '../../src/inbound/classify.js';
import { detectNoise } from '../../src/inbound/detect-noise.js';
import type { MailboxName } from '../../src/policy/priorities.js';
import { clientReportRequest } from '../../src/tickets/client-report-request.js';
import { planTicket, planTicketWrites, requesterOf, staffToNotify, type OpeningMail, type RecipientFacts } from '../../src/tickets/plan-new-ticket.js';
import { parsedMail, type ParsedMailOverrides } from '../helpers/parsed-mail-factory.js';
import { testConfig } from '../helpers/test-config.js';

const config = testConfig('postgres://unused');
// Monday 16 March 2026, 10:00 in Istanbul: inside business hours.
const now = new Date('2026-03-16T07:00:00Z');
let n = 0;
const random = () => `r${++n}`;

/** A mail as ingest hands it to the rules: parsed, judged for noise and classified as ingest does. */
function opening(over: ParsedMailOverrides = {}, mailbox: MailboxName = 'support'): OpeningMail {
  const mail = parsedMail(over);
  const noise = detectNoise(mail, { addresses: [config.mailboxes.support.address, config.mailboxes.management.address],
    messageIdDomain: config.messageIdDomain, allowedLists: config.policy.allowedLists });
  const classification = classify({ subject: mail.subject, text: mail.text, mailbox,
    recipients: [...mail.to, ...mail.cc].map((a) => a.address), managementAddress: config.mailboxes.management.address },
  config.policy, [config.ticketPrefix, config.privateTicketPrefix]);
  return { input: { mailbox, receivedAt: now }, mail, messageId: mail.messageId!, rawMailId: 41, noise, classification };
}

const open: RecipientFacts = {
  acknowledgement: { suppressed: false, sent: 0, domainSent: 0, globalSent: 0, recipient: 'deniz@client.example', domain: 'client.example' },
  suppressedStaff: new Set(),
};

/** Plans a ticket and what it writes, as if the database numbered it `number`. */
function opened(m: OpeningMail, earlier = 0, facts: RecipientFacts = open, number = 'SR-1007') {
  const plan = planTicket(config, now, m, requesterOf(config, m), earlier, null);
  const ticket = { ...plan.values, id: 7, number, assignee: null };
  return { plan, writes: planTicketWrites(config, now, random, m, plan, ticket, null, facts) };
}

describe('a new ticket, planned without a database', () => {
  it('starts its clocks at arrival and keeps what the mail said', () => {
    const m = opening({ subject: '[Hata][Yüksek] Stok ekranı açılmıyor' });
    const { plan } = opened(m);
    expect(plan.values).toMatchObject({
      mailbox: 'support', private: false, type: 'problem', typeSource: 'tag', requestedPriority: 'high', priority: 'high', status: 'new',
      requesterAddress: 'deniz@client.example', requesterName: 'Deniz Client', subject: '[Hata][Yüksek] Stok ekranı açılmıyor', slaReview: false,
      receivedAt: now, createdAt: now, linkedTicketId: null,
    });
    expect(plan.values.firstResponseDue.getTime()).toBeGreaterThan(now.getTime());
    expect(plan.firstResponseDue).toEqual(plan.values.firstResponseDue);
  });

  it('acknowledges the client, tells the agents, and writes the story in order', () => {
    const { writes } = opened(opening());
    expect(writes.acknowledged).toBe(true);
    expect(writes.mails.map((q) => `${q.mail.kind} ${q.mail.to[0]!.address}`)).toEqual([
      'acknowledgement deniz@client.example', 'team-new-ticket ayse@sanarise.example', 'team-new-ticket mert@sanarise.example',
    ]);
    expect(writes.events.map((e) => e.kind)).toEqual(['created', 'acknowledgement-queued']);
    expect(writes.outcome).toMatchObject({ decision: 'new-ticket', acknowledge: true, ticket: { id: 7, number: 'SR-1007' } });
  });

  it('does not acknowledge mail from our own mailbox, and says why', () => {
    const { writes } = opened(opening({ from: 'Support <support@sanarise.example>', returnPath: 'support@sanarise.example' }));
    expect(writes.mails.some((q) => q.mail.kind === 'acknowledgement')).toBe(false);
    expect(writes.events[1]).toMatchObject({ kind: 'acknowledgement-skipped' });
  });

  it('from the client\'s fourth ticket of the day: flagged for SLA review, and the leads and managers told at once', () => {
    const m = opening();
    const { plan, writes } = opened(m, config.policy.specialCircumstancesPerDay);
    expect(plan.slaReview).toBe(true);
    const notices = writes.mails.filter((q) => q.mail.kind === 'special-circumstances');
    expect(notices.map((q) => q.mail.to[0]!.address)).toEqual(['lead@sanarise.example', 'manager@sanarise.example']);
    expect(notices.every((q) => q.notBefore === now)).toBe(true);
    expect(writes.events.map((e) => e.kind)).toContain('special-circumstances');
    expect(staffToNotify(config, plan)).toEqual(['ayse@sanarise.example', 'mert@sanarise.example', 'lead@sanarise.example', 'manager@sanarise.example']);
  });

  it('a report request names last month\'s figures of the client\'s organisation, for the outbox worker to render when it sends', () => {
    const m = opening({ subject: '[Rapor] Aylık SLA raporu', from: 'Ali <ali@acme-lojistik.example>', returnPath: 'ali@acme-lojistik.example' });
    const team = opened(m).writes.mails.filter((q) => q.mail.kind === 'team-new-ticket');
    expect(team).toHaveLength(2);
    const request = { filename: 'sla-report-acme-lojistik.example-2026-02.html', contentType: 'text/html; charset=utf-8',
      report: { client: 'acme-lojistik.example', month: '2026-02' } };
    for (const q of team) {
      expect(q.mail.attachments).toEqual([request]);
      expect(q.mail.text).toContain('sla-report-acme-lojistik.example-2026-02.html');
    }
    // At a public mail service the organisation is the address itself.
    expect(clientReportRequest(config, 'ali@gmail.com', now).report).toEqual({ client: 'ali@gmail.com', month: '2026-02' });
    expect(opened(opening({ subject: '[Soru] Fatura' })).writes.mails.every((q) => !q.mail.attachments?.length)).toBe(true);
  });

  it('a complaint is private: numbered apart, told to the managers only, and a team member writing one gets no acknowledgement', () => {
    const complaint = opening({ subject: '[Şikayet] Temsilciden şikayetçiyim', to: [{ name: '', address: 'management@sanarise.example' }] }, 'management');
    const { plan, writes } = opened(complaint, 0, open, 'YN-1000');
    expect(plan.values).toMatchObject({ private: true, mailbox: 'management' });
    expect(writes.mails.map((q) => q.mail.kind)).toEqual(['acknowledgement-private', 'private-new-ticket']);
    expect(staffToNotify(config, plan)).toEqual(['manager@sanarise.example']);

    const fromAgent = opening({ subject: '[Şikayet] Ekip içi', from: 'Ayşe <ayse@sanarise.example>', returnPath: 'ayse@sanarise.example',
      to: [{ name: '', address: 'management@sanarise.example' }] }, 'management');
    const agent = opened(fromAgent, 0, open, 'YN-1001').writes;
    expect(agent.mails.map((q) => q.mail.kind)).toEqual(['private-new-ticket']);
    expect(agent.events[1]).toMatchObject({ kind: 'acknowledgement-skipped', reason: 'a team member is not acknowledged a private ticket' });
  });
});
