import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickets } from '../../src/db/schema/tickets.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { eventually } from '../helpers/eventually.js';
import { buildMail, type TestMail } from '../helpers/mail-builder.js';
import { startRunningGateway, type ReadMail, type RunningGateway } from '../helpers/running-gateway.js';

const AGENT = 'ayse@sanarise.example';
const LEAD = 'lead@sanarise.example';
const MANAGER = 'manager@sanarise.example';
const CLIENT = 'deniz@anadolu.example';
const COLLEAGUE = 'emre@anadolu.example';
/** Monday 16 March 2026, 10:00 in Istanbul: the day starts in business hours, whenever the test runs. */
const MONDAY_10 = Date.parse('2026-03-16T07:00:00Z');

/** How Outlook (Turkish) writes: its headers and its "Gönderen:" quote of the mail answered. */
function outlook(m: TestMail & { quoting?: ReadMail }): Buffer {
  const quote = m.quoting
    ? `\n\n________________________________\nGönderen: ${m.quoting.mail.from[0]!.name} <${m.quoting.mail.from[0]!.address}>\nGönderildi: 16 Mart 2026 Pazartesi 10:05\nKonu: ${m.quoting.mail.subject}\n\n${m.quoting.mail.text}`
    : '';
  return buildMail({
    ...m,
    headers: { 'X-Mailer': 'Microsoft Outlook 16.0', 'Thread-Index': 'AdqXk1r2aBcDeFgHiJkLmNoPqRsTuV==', 'Content-Language': 'tr-TR', ...m.headers },
    body: `${m.body ?? ''}${quote}`,
  });
}

/** What an English mail would say, and the policy's English names: none of it may reach a Turkish client. */
const ENGLISH = /\b(the|your|you|we|our|ticket|request|received|priority|type|response|resolution|business|hours|please|reply|thanks|regards|client|agent|status|escalat\w*|qualif\w*|survey|score|deadline|target|kind|dear|hello)\b/i;
const POLICY_NAMES = DEFAULT_POLICY.types.map((t) => t.name);

/** Each line a client reads that is ours (their own words quoted back are theirs), with addresses and tokens left out. */
function englishLines(m: ReadMail): string[] {
  const lines = [m.mail.subject, ...m.mail.text.split('\n')]
    .map((l) => l.replace(/\S+@\S+/g, '').replace(/\[#[A-Z]+-\d+\]/g, ''));
  return lines.filter((l) => ENGLISH.test(l) || POLICY_NAMES.some((n) => l.includes(n)));
}

describe('a Turkish client\'s day by mail, against Dovecot, PostgreSQL and an SMTP sink (issue 23)', () => {
  let run: RunningGateway;
  let offset = 0;
  const start = Date.now();
  // The gateway's clock: Monday 10:00 plus the time the test has run, plus whatever a step moves it.
  const clock = () => new Date(MONDAY_10 + (Date.now() - start) + offset);

  beforeAll(async () => {
    run = await startRunningGateway({
      clock,
      people: [
        { address: AGENT, name: 'Ayşe Yılmaz', role: 'agent', language: 'tr' },
        { address: LEAD, name: 'Mert Kaya', role: 'lead', language: 'tr' },
        { address: MANAGER, name: 'Can Öztürk', role: 'manager', language: 'tr' },
      ],
      overrides: { sla: { sweepIntervalMs: 200, digestTime: '09:00' } },
    });
  }, 120_000);
  afterAll(async () => { await run?.close(); });

  it('runs a whole thread in Turkish, from the first mail to the survey, with a colleague on Cc and a priority correction', async () => {
    const subject = '[Yüksek][Hata] İrsaliye ekranında Şubat ayı görünmüyor';
    await run.deliver(outlook({
      from: `Deniz Arslan <${CLIENT}>`, cc: `Emre Işık <${COLLEAGUE}>`, subject, messageId: '<day-1@anadolu.example>',
      body: 'Merhaba,\n\nİrsaliye ekranında Şubat ayına ait kayıtlar görünmüyor; ığdır şubesi de aynı sorunu yaşıyor.\nEkran görüntüsü gönderebilirim.\n\nSaygılarımla,\nDeniz Arslan\nAnadolu Lojistik',
    }));
    const ack = await run.waitFor(CLIENT, 'the acknowledgement', (m) => m.mail.subject.includes('Talebiniz alındı'));
    expect(ack.mail.subject).toContain('İrsaliye ekranında Şubat ayı görünmüyor');
    const notice = await run.waitFor(AGENT, 'the team notification', (m) => m.mail.subject.includes('İrsaliye'));
    const [ticket] = await run.database.db.select().from(tickets).where(eq(tickets.requesterAddress, CLIENT));
    expect(ticket).toMatchObject({ priority: 'high', requesterLanguage: 'tr' });

    // Deniz corrects the priority by answering the acknowledgement with [Kritik] in the subject.
    await run.deliver(outlook({
      from: `Deniz Arslan <${CLIENT}>`, subject: `YNT: ${ack.mail.subject} [Kritik]`, messageId: '<day-2@anadolu.example>',
      inReplyTo: ack.mail.messageId!, references: `<day-1@anadolu.example> ${ack.mail.messageId!}`,
      body: 'Tüm depolar etkilendiği için kritik olarak işaretliyorum.', quoting: ack,
    }));
    await run.waitFor(CLIENT, 'the correction\'s confirmation', (m) => m.mail.subject.includes('Talebiniz güncellendi'));

    // Ayşe qualifies and answers: Deniz gets it, Emre on Cc too.
    await run.deliver(outlook({
      from: `Ayşe Yılmaz <${AGENT}>`, to: notice.mail.replyTo[0]!.address, subject: `YNT: ${notice.mail.subject}`,
      inReplyTo: notice.mail.messageId!, references: notice.mail.messageId!, messageId: '<day-3@sanarise.example>',
      body: '#nitelendirildi\n\nMerhaba Deniz Hanım,\n\nŞubat ayı filtresindeki hatayı bulduk; düzeltmeyi bu öğleden sonra yayına alıyoruz.\n\nAyşe', quoting: notice,
    }));
    const answer = await run.waitFor(COLLEAGUE, 'the answer on Cc', (m) => m.mail.text.includes('Şubat ayı filtresindeki'));
    expect(answer.mail.cc.map((a) => a.address)).toEqual([COLLEAGUE]);
    await run.waitFor(CLIENT, 'the answer', (m) => m.mail.text.includes('Şubat ayı filtresindeki'));

    // Emre answers with Reply All: it reaches Ayşe.
    await run.deliver(outlook({
      from: `Emre Işık <${COLLEAGUE}>`, to: 'support@sanarise.example', cc: CLIENT, subject: `YNT: ${answer.mail.subject}`,
      inReplyTo: answer.mail.messageId!, references: answer.mail.messageId!, messageId: '<day-4@anadolu.example>',
      body: 'Teşekkürler, yayından sonra Iğdır şubesinde de deneyeceğim.', quoting: answer,
    }));
    await run.waitFor(AGENT, 'the colleague\'s reply', (m) => m.mail.text.includes('Iğdır şubesinde de deneyeceğim'));

    // Ayşe resolves it: the answer and the survey go to Deniz; Deniz answers the survey.
    await run.deliver(outlook({
      from: `Ayşe Yılmaz <${AGENT}>`, to: notice.mail.replyTo[0]!.address, subject: `YNT: ${notice.mail.subject}`,
      inReplyTo: notice.mail.messageId!, references: notice.mail.messageId!, messageId: '<day-5@sanarise.example>',
      body: '#durum çözüldü\n\nDüzeltme yayında, Şubat kayıtları artık görünüyor.\n\nAyşe',
    }));
    const survey = await run.waitFor(CLIENT, 'the survey', (m) => m.mail.subject.includes('görüşünüz bizim için önemli'));
    await run.deliver(outlook({
      from: `Deniz Arslan <${CLIENT}>`, subject: `YNT: ${survey.mail.subject}`, messageId: '<day-6@anadolu.example>',
      inReplyTo: survey.mail.messageId!, references: survey.mail.messageId!, body: '5 - çok hızlı çözüldü, teşekkürler', quoting: survey,
    }));
    const scored = async () => (await run.database.db.select().from(tickets).where(eq(tickets.id, ticket!.id)))[0]!;
    await eventually(async () => (await scored()).satisfactionScore === 5, 30_000, 'the survey answer');
    expect(await scored()).toMatchObject({ priority: 'critical', status: 'resolved', requesterLanguage: 'tr' });

    // Every mail either of them got from us is Turkish, every line of it.
    const got = [...await run.mailsTo(CLIENT), ...await run.mailsTo(COLLEAGUE)];
    expect(got.length).toBeGreaterThanOrEqual(7);
    for (const m of got) {
      expect(englishLines(m), m.mail.subject).toEqual([]);
    }
  }, 240_000);

  it('reads an Outlook mail in windows-1254 labelled ISO-8859-1 as Turkish, in the ticket and in the acknowledgement', async () => {
    const raw = readFileSync(join(import.meta.dirname, '../fixtures/regressions/windows-1254-labelled-latin1.eml'));
    await run.deliver(raw);
    const ack = await run.waitFor('gul@kargo.example', 'the acknowledgement', (m) => m.mail.subject.includes('Talebiniz alındı'));
    expect(ack.mail.subject).toContain('Etiket yazıcısı çıktı vermiyor');
    expect(`${ack.mail.subject}\n${ack.mail.text}`).not.toMatch(/[ýþðÝÞÐ\uFFFD]/);
    const [ticket] = await run.database.db.select().from(tickets).where(eq(tickets.requesterAddress, 'gul@kargo.example'));
    expect(ticket).toMatchObject({ subject: '[Hata] Etiket yazıcısı çıktı vermiyor', type: 'problem', requesterLanguage: 'tr' });
    const notice = await run.waitFor(AGENT, 'the team notification', (m) => m.mail.subject.includes('Etiket yazıcısı'));
    expect(notice.mail.text).toContain('Ürün etiketleri İzmir şubesinde de aynı, Ğ harfi bile basılmıyor.');
  }, 120_000);

  it('climbs the ladder as the gateway\'s clock passes the deadline: the lead at 100 %, the manager at 150 %', async () => {
    // Critical (24/7): one hour to the first response, counted from arrival.
    await run.deliver(outlook({
      from: `Selin Ak <selin@ege.example>`, subject: '[Kritik][Erişim] Odoo açılmıyor', messageId: '<ladder-1@ege.example>',
      body: 'Merhaba,\n\nSabahtan beri kimse sisteme giremiyor.\n\nSelin',
    }));
    await run.waitFor(AGENT, 'the team notification', (m) => m.mail.subject.includes('Odoo açılmıyor'));
    const row = async () => (await run.database.db.select().from(tickets).where(eq(tickets.requesterAddress, 'selin@ege.example')))[0]!;
    expect((await row()).escalationLevel).toBeLessThanOrEqual(1);

    offset += 62 * 60_000; // past the first-response deadline
    const breach = await run.waitFor(LEAD, 'the breach to the lead', (m) => m.mail.subject.includes('SLA aşıldı') && m.mail.subject.includes('Odoo'));
    expect(breach.mail.text).toContain('Gecikme: ilk yanıt hedefi');
    await eventually(async () => (await row()).escalationLevel === 2, 30_000, 'the ticket at the lead');

    offset += 30 * 60_000; // past 150 % of it
    await run.waitFor(MANAGER, 'the manager escalation', (m) => m.mail.subject.includes('Yönetici yükseltmesi') && m.mail.subject.includes('Odoo'));
    await eventually(async () => (await row()).escalationLevel === 3, 30_000, 'the ticket at the manager');
  }, 180_000);
});
