import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { quarantine } from '../../src/db/schema/quarantine.js';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { messages, ticketEvents, tickets } from '../../src/db/schema/tickets.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { CORPUS_DIR as CORPUS } from '../helpers/real-world-corpus.js';

// Monday 16 March 2026, 10:00 in Istanbul: inside business hours.
const MONDAY_10 = new Date('2026-03-16T07:00:00Z');

describe('ingest', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  let now = MONDAY_10;
  const ingest = (raw: Buffer, mailbox: 'support' | 'management' = 'support', receivedAt = now) =>
    ingestMessage(deps, { raw, mailbox, receivedAt, source: 'cli' });
  const ticketRow = async (id: number) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;
  const outboxOf = (ticketId: number) => database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(asc(outbox.id));
  const eventKinds = async (ticketId: number) =>
    (await database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(asc(ticketEvents.id))).map((e) => e.kind);

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => now };
  });
  afterAll(async () => { await database.drop(); });

  it('turns a tagged Turkish mail into a classified ticket with its clocks, acknowledgement and team notification', async () => {
    const raw = buildMail({ subject: 'YNT: [KRİTİK] [Hata] Fatura ekranı açılmıyor', messageId: '<first@client.example>' });
    const outcome = await ingest(raw);
    expect(outcome).toMatchObject({ decision: 'new-ticket', acknowledge: true, ticket: { type: 'problem', priority: 'critical', private: false } });
    const t = await ticketRow(outcome.ticket!.id);
    expect(t.number).toMatch(/^SR-\d+$/);
    expect(t).toMatchObject({ status: 'new', typeSource: 'tag', requestedPriority: 'critical', requesterAddress: 'ayse@client.example', requesterLanguage: 'tr' });
    // Critical runs on the 24/7 calendar: first response one wall-clock hour after arrival.
    expect(t.firstResponseDue?.toISOString()).toBe('2026-03-16T08:00:00.000Z');
    expect(await eventKinds(t.id)).toEqual(expect.arrayContaining(['created', 'acknowledgement-queued']));
    const mails = await outboxOf(t.id);
    const ack = mails.find((m) => m.kind === 'acknowledgement')!;
    expect(ack.to).toEqual([{ name: 'Ayşe Kaya', address: 'ayse@client.example' }]);
    expect(ack.headers['In-Reply-To']).toBe('<first@client.example>');
    expect(ack.subject).toContain(`[#${t.number}]`);
    expect(mails.some((m) => m.kind === 'team-new-ticket')).toBe(true);
    const raws = await database.db.select().from(rawMail).where(eq(rawMail.ticketId, t.id));
    expect(raws).toHaveLength(1);
    expect(Buffer.compare(raws[0]!.raw, raw)).toBe(0);
  });

  it('acknowledges at once at the weekend but holds the team notification until Monday 09:00, unless critical', async () => {
    const saturday = new Date('2026-03-21T10:00:00Z'); // 13:00 Istanbul
    now = saturday;
    const medium = await ingest(buildMail({ from: 'Hafta Sonu <hs@client.example>', subject: '[Soru] Cumartesi sorusu' }), 'support', saturday);
    const critical = await ingest(buildMail({ from: 'Hafta Sonu <hs2@client.example>', subject: '[Kritik][Hata] Sistem kapalı' }), 'support', saturday);
    const held = (await outboxOf(medium.ticket!.id)).map((r) => [r.kind, r.notBefore.toISOString()]);
    expect(held).toContainEqual(['team-new-ticket', '2026-03-23T06:00:00.000Z']);
    expect((await outboxOf(medium.ticket!.id)).find((r) => r.kind === 'acknowledgement')!.notBefore.getTime()).toBeLessThanOrEqual(now.getTime());
    expect((await outboxOf(critical.ticket!.id)).filter((r) => r.kind === 'team-new-ticket').every((r) => r.notBefore.getTime() <= saturday.getTime())).toBe(true);
    now = MONDAY_10;
  });

  it('answers duplicate for the same mail delivered again, and changes nothing', async () => {
    const raw = buildMail({ subject: '[Soru] Rapor nasıl alınır?', messageId: '<twice@client.example>' });
    const first = await ingest(raw);
    const before = await database.db.select().from(tickets);
    const again = await ingest(Buffer.from(`Received: from relay.example by mx.example\r\n${raw.toString()}`));
    expect(again.decision).toBe('duplicate');
    expect(again.rawMailId).toBe(first.rawMailId);
    expect(await database.db.select().from(tickets)).toHaveLength(before.length);
  });

  it('threads a reply to our acknowledgement onto the ticket and resumes nothing else', async () => {
    const first = await ingest(buildMail({ subject: '[Website] Site yavaş', messageId: '<site@client.example>' }));
    const ack = (await outboxOf(first.ticket!.id)).find((m) => m.kind === 'acknowledgement')!;
    const reply = await ingest(buildMail({ subject: `Re: ${ack.subject}`, messageId: '<site-2@client.example>', inReplyTo: ack.messageId, references: `<site@client.example> ${ack.messageId}` }));
    expect(reply).toMatchObject({ decision: 'reply', acknowledge: false, ticket: { id: first.ticket!.id } });
    expect(await database.db.select().from(messages).where(eq(messages.ticketId, first.ticket!.id))).toHaveLength(2);
  });

  it('threads by our acknowledgement\'s Message-ID alone, when a phone\'s mail app dropped the number and the client\'s own ID', async () => {
    const first = await ingest(buildMail({ subject: '[Hata] Sipariş ekranı', messageId: '<siparis@client.example>' }));
    const ack = (await outboxOf(first.ticket!.id)).find((m) => m.kind === 'acknowledgement')!;
    const reply = await ingest(buildMail({ subject: 'YNT: Sipariş ekranı', messageId: '<siparis-2@client.example>', inReplyTo: ack.messageId, references: ack.messageId }));
    expect(reply).toMatchObject({ decision: 'reply', ticket: { id: first.ticket!.id } });
  });

  it('threads by the subject token alone', async () => {
    const first = await ingest(buildMail({ subject: '[Lisans] 5 yeni kullanıcı' }));
    const reply = await ingest(buildMail({ subject: `Bilgi [#${first.ticket!.number}]` }));
    expect(reply).toMatchObject({ decision: 'reply', ticket: { id: first.ticket!.id } });
  });

  it('lets a colleague join by the subject token, but gives a stranger a new ticket linked to it', async () => {
    const first = await ingest(buildMail({ from: 'Ali <ali@acme-lojistik.example>', subject: '[Hata] Depo raporu boş' }));
    const colleague = await ingest(buildMail({ from: 'Veli <veli@acme-lojistik.example>', subject: `Ek bilgi [#${first.ticket!.number}]` }));
    expect(colleague).toMatchObject({ decision: 'reply', ticket: { id: first.ticket!.id } });
    const stranger = await ingest(buildMail({ from: 'X <x@gmail.com>', subject: `[#${first.ticket!.number}] [Escalate] bana da bakın` }));
    expect(stranger.decision).toBe('new-ticket');
    expect((await ticketRow(stranger.ticket!.id)).linkedTicketId).toBe(first.ticket!.id);
    expect((await ticketRow(first.ticket!.id)).escalationLevel).toBe(0);
  });

  it('keeps a mail that reached management private, the support copy first included (issue 20: it was a team ticket too)', async () => {
    // Its own company: client.example opened enough tickets today to trip the per-client rule (issue 24).
    const raw = buildMail({ from: 'Unhappy <unhappy@unhappy-client.example>', subject: 'Destek ekibinden memnun değilim', cc: 'management@sanarise.example', messageId: '<cc-both@client.example>' });
    const mgmt = await ingest(raw, 'support');
    const copy = await ingest(raw, 'management');
    expect(mgmt).toMatchObject({ decision: 'new-ticket', ticket: { private: true, type: 'complaint' } });
    expect(copy).toMatchObject({ decision: 'duplicate', ticket: null });
    const privateMails = await outboxOf(mgmt.ticket!.id);
    expect(privateMails.map((m) => m.kind)).toEqual(['acknowledgement-private', 'private-new-ticket']);
    expect(privateMails[0]!.fromAddress.address).toBe('management@sanarise.example');
    // The complainant answers our private acknowledgement but sends it to support: the mail is
    // read as private and stays with the complaint; no team ticket carries its text.
    const misdirected = await ingest(buildMail({ from: 'Unhappy <unhappy@unhappy-client.example>', subject: `Re: [#${mgmt.ticket!.number}] ek bilgi`, inReplyTo: privateMails[0]!.messageId }), 'support');
    expect(misdirected).toMatchObject({ decision: 'reply', ticket: { id: mgmt.ticket!.id, private: true } });
    expect((await outboxOf(mgmt.ticket!.id)).some((m) => m.to.some((a) => a.address.endsWith('@sanarise.example') && !a.address.startsWith('manager')))).toBe(false);
  });

  it('routes a [Şikayet] tag on support mail privately, from the management address', async () => {
    const outcome = await ingest(buildMail({ subject: '[ŞİKAYET] Temsilci hakkında' }), 'support');
    expect(outcome.ticket).toMatchObject({ private: true, type: 'complaint' });
    const mails = await outboxOf(outcome.ticket!.id);
    expect(mails.every((m) => m.fromAddress.address === 'management@sanarise.example')).toBe(true);
    expect(mails.some((m) => m.kind === 'team-new-ticket')).toBe(false);
  });

  it('opens one private ticket for a complaint sent to support with management in Cc', async () => {
    const raw = buildMail({ from: 'Kızgın <kizgin@client.example>', subject: '[Şikayet] Temsilci hiç dönmedi', cc: 'management@sanarise.example', messageId: '<complaint-cc@client.example>' });
    const viaSupport = await ingest(raw, 'support');
    const viaManagement = await ingest(raw, 'management');
    expect(viaSupport.ticket).toMatchObject({ private: true, type: 'complaint' });
    expect(viaManagement).toMatchObject({ decision: 'duplicate', acknowledge: false, ticket: null });
    const acks = (await database.db.select().from(outbox).where(eq(outbox.kind, 'acknowledgement-private')))
      .filter((r) => r.to[0]!.address === 'kizgin@client.example');
    expect(acks).toHaveLength(1);
  });

  it('records list mail with no ticket and no acknowledgement, and our own mail coming back as a loop', async () => {
    // Issue 22: list and bulk mail is machine mail, recorded (slagate noise list), never a ticket.
    const bulk = await ingest(buildMail({ subject: 'Newsletter', headers: { 'Precedence': 'bulk', 'List-Id': '<news.client.example>' } }));
    expect(bulk).toMatchObject({ decision: 'machine', acknowledge: false, ticket: null, verdict: 'list' });
    const [row] = await database.db.select().from(rawMail).where(eq(rawMail.id, bulk.rawMailId!));
    expect(row).toMatchObject({ decision: 'machine', acknowledge: false, ticketId: null });
    expect(row!.reason).toContain('list (');
    const loop = await ingest(buildMail({ from: 'Support <support@sanarise.example>', subject: 'Re: something' }));
    expect(loop).toMatchObject({ decision: 'loop', acknowledge: false, ticket: null });
  });

  it('keeps an out-of-office on its ticket without touching the status', async () => {
    const first = await ingest(buildMail({ subject: '[Otomasyon] Fatura otomasyonu', messageId: '<auto-1@client.example>' }));
    const ack = (await outboxOf(first.ticket!.id)).find((m) => m.kind === 'acknowledgement')!;
    const ooo = await ingest(buildMail({ subject: 'Otomatik yanıt: ofis dışındayım', inReplyTo: ack.messageId, headers: { 'Auto-Submitted': 'auto-replied' } }));
    expect(ooo).toMatchObject({ decision: 'auto-reply', acknowledge: false });
    expect((await ticketRow(first.ticket!.id)).status).toBe('new');
  });

  it('flags the fourth ticket of a client on one day for SLA review and tells lead and managers once', async () => {
    // Its own domain: the rule counts per organisation (issue 24), and client.example opened tickets above.
    const sender = 'Busy Client <busy@busy-client.example>';
    const outcomes = [];
    for (let i = 1; i <= 5; i++) outcomes.push(await ingest(buildMail({ from: sender, subject: `[Soru] Soru ${i}` })));
    const flags = await Promise.all(outcomes.map(async (o) => (await ticketRow(o.ticket!.id)).slaReview));
    expect(flags).toEqual([false, false, false, true, true]);
    expect(await eventKinds(outcomes[3]!.ticket!.id)).toContain('special-circumstances');
    const notices = (await database.db.select().from(outbox).where(eq(outbox.kind, 'special-circumstances')))
      .filter((n) => n.dedupeKey.includes('busy-client.example'));
    // One mail per person (each in their own language), and only once although two tickets were flagged.
    expect(notices.flatMap((n) => n.to.map((a) => a.address)).sort()).toEqual(['lead@sanarise.example', 'manager@sanarise.example']);
  });

  it('reopens a closed ticket within 14 days and opens a linked one after', async () => {
    const first = await ingest(buildMail({ subject: '[Kapasite] Disk doldu' }));
    await database.db.update(tickets).set({ status: 'closed', closedAt: now }).where(eq(tickets.id, first.ticket!.id));
    now = new Date(MONDAY_10.getTime() + 13 * 86_400_000);
    const within = await ingest(buildMail({ subject: `Re: [#${first.ticket!.number}] yine doldu` }));
    expect(within).toMatchObject({ decision: 'reply', ticket: { id: first.ticket!.id } });
    expect((await ticketRow(first.ticket!.id)).status).toBe('open');
    await database.db.update(tickets).set({ status: 'closed', closedAt: now }).where(eq(tickets.id, first.ticket!.id));
    now = new Date(now.getTime() + 15 * 86_400_000);
    const later = await ingest(buildMail({ subject: `Re: [#${first.ticket!.number}] bir daha` }));
    expect(later.decision).toBe('new-ticket');
    expect((await ticketRow(later.ticket!.id)).linkedTicketId).toBe(first.ticket!.id);
    now = MONDAY_10;
  });

  it('quarantines what it cannot take, keeping the raw bytes and a reason', async () => {
    const small = { ...deps, config: testConfig(database.url, { limits: { maxMessageBytes: 2048 } }) };
    const big = buildMail({ subject: 'Büyük ek', body: 'x'.repeat(4096) });
    const outcome = await ingestMessage(small, { raw: big, mailbox: 'support', receivedAt: now, source: 'cli' });
    expect(outcome).toMatchObject({ decision: 'quarantined', acknowledge: false });
    expect(outcome.reason).toMatch(/MESSAGE_TOO_LARGE/);
    const [q] = await database.db.select().from(quarantine).where(eq(quarantine.rawMailId, outcome.rawMailId!));
    expect(q).toMatchObject({ reasonCode: 'MESSAGE_TOO_LARGE', retryCount: 0 });
    const [stored] = await database.db.select().from(rawMail).where(eq(rawMail.id, outcome.rawMailId!));
    expect(Buffer.compare(stored!.raw, big)).toBe(0);
  });

  it('takes every mail of the real-world corpus, records a decision for each, and never acknowledges a delivery report', async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.eml')).sort();
    const decisions = new Map<string, number>();
    for (const f of files) {
      const outcome = await ingest(readFileSync(join(CORPUS, f)));
      decisions.set(outcome.decision, (decisions.get(outcome.decision) ?? 0) + 1);
      expect(outcome.rawMailId, f).not.toBeNull();
      // bounce2 is bounce1 with different trace headers: the same mail, so a duplicate.
      if (f.startsWith('multipart_report_emails__')) {
        expect(outcome.acknowledge, f).toBe(false);
        // A delayed-delivery report is recorded as machine mail with nothing to do (issue 22).
        expect(['bounce', 'machine', 'duplicate'], f).toContain(outcome.decision);
        expect(outcome.ticket, f).toBeNull();
      }
    }
    console.log(`corpus: ${files.length} mails -> ${[...decisions].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect([...decisions.values()].reduce((a, b) => a + b, 0)).toBe(files.length);
  }, 180_000); // the whole corpus, one mail at a time: over the 30 s default at load 27
});
