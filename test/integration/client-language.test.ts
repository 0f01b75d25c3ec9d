import { asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { clientLanguages } from '../../src/db/schema/client-languages.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { buildMail, type TestMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Monday 16 March 2026, 10:00 in Istanbul: inside business hours.
const MONDAY_10 = new Date('2026-03-16T07:00:00Z');
const AYSE = 'ayse@sanarise.example';
const ENGLISH = 'Hello,\n\nThe invoice screen does not open since this morning. Could you please have a look at it?\n\nThanks,\nJohn';
const TURKISH = 'Merhaba,\n\nFatura ekranı bu sabahtan beri açılmıyor. Lütfen bakabilir misiniz?\n\nTeşekkürler';

/** The language a queued mail was rendered in (its HTML part says it). */
const langOf = (row: { html: string | null }) => /<html lang="(tr|en)">/.exec(row.html ?? '')?.[1];

describe('a client\'s language is stored and sticks (issue 23)', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  let seq = 0;
  const ingest = (raw: Buffer) => ingestMessage(deps, { raw, mailbox: 'support', receivedAt: MONDAY_10, source: 'cli' });
  const outboxOf = (ticketId: number) => database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(asc(outbox.id));
  const stored = async (address: string) => (await database.db.select().from(clientLanguages).where(eq(clientLanguages.address, address)))[0];
  const ticketLanguage = async (id: number) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!.requesterLanguage;

  async function newTicket(from: string, body: string, subject = '[Hata] Fatura') {
    const messageId = `<c-${++seq}@client.example>`;
    const opened = await ingest(buildMail({ from, subject, body, messageId }));
    const rows = await outboxOf(opened.ticket!.id);
    return { id: opened.ticket!.id, messageId, ack: rows.find((r) => r.kind === 'acknowledgement')!, notice: rows.find((r) => r.kind === 'team-new-ticket' && r.to[0]!.address === AYSE)! };
  }
  const clientReply = (from: string, t: { messageId: string }, body: string) =>
    ingest(buildMail({ from, subject: 'Re: [Hata] Fatura', body, messageId: `<c-${++seq}@client.example>`, inReplyTo: t.messageId, references: t.messageId }));
  async function agentReply(t: { id: number; notice: { replyTo: { address: string } | null; messageId: string; subject: string } }, body: string, m: TestMail = {}) {
    await ingest(buildMail({
      from: `Ayşe Yılmaz <${AYSE}>`, to: t.notice.replyTo!.address, subject: `Re: ${t.notice.subject}`, body,
      messageId: `<agent-${++seq}@sanarise.example>`, inReplyTo: t.notice.messageId, references: t.notice.messageId, ...m,
    }));
    return outboxOf(t.id);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = {
      db: database.db, logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => MONDAY_10,
      config: testConfig(database.url, { clients: [{ name: 'Acme', domains: ['acme.example'], language: 'tr' }] }),
    };
  });
  afterAll(async () => { await database.drop(); });

  it('is stored on first contact and kept against one mail in the other language, moved by two in a row', async () => {
    const first = await newTicket('John Smith <john@globex.example>', ENGLISH, '[Bug] Invoice screen');
    expect(langOf(first.ack)).toBe('en');
    expect(await stored('john@globex.example')).toMatchObject({ language: 'en', source: 'detected', pendingCount: 0 });
    // One Turkish mail (a new ticket): still answered in English.
    const second = await newTicket('John Smith <john@globex.example>', TURKISH);
    expect(langOf(second.ack)).toBe('en');
    expect(await stored('john@globex.example')).toMatchObject({ language: 'en', pendingLanguage: 'tr', pendingCount: 1 });
    // A second Turkish mail in a row, a reply: from now on every mail to John is Turkish, on both tickets.
    await clientReply('John Smith <john@globex.example>', first, TURKISH);
    expect(await stored('john@globex.example')).toMatchObject({ language: 'tr', source: 'detected', pendingCount: 0 });
    expect([await ticketLanguage(first.id), await ticketLanguage(second.id)]).toEqual(['tr', 'tr']);
    const relay = (await agentReply(first, 'Sorunu inceledik.')).find((r) => r.kind === 'agent-relay')!;
    expect(langOf(relay)).toBe('tr');
  });

  it('takes a configured client\'s language on first contact, against the language of the mail', async () => {
    const t = await newTicket('Jane Doe <jane@acme.example>', ENGLISH, '[Bug] Invoice screen');
    expect(langOf(t.ack)).toBe('tr');
    expect(await stored('jane@acme.example')).toMatchObject({ language: 'tr', source: 'configured' });
  });

  it('is set by an agent\'s #dil, confirmed in the agent\'s language, and already speaks in the text of that same mail', async () => {
    const t = await newTicket('Deniz Arslan <deniz@firma.example>', TURKISH);
    expect(langOf(t.ack)).toBe('tr');
    const rows = await agentReply(t, '#dil en\nHello Deniz, we are looking into it.');
    expect(langOf(rows.find((r) => r.kind === 'agent-relay')!)).toBe('en');
    const confirmation = rows.find((r) => r.kind === 'command-result')!;
    expect(confirmation.subject).toContain('#dil en');
    expect(confirmation.text).toContain('deniz@firma.example kişisine giden her e-posta bundan sonra İngilizce');
    expect(await stored('deniz@firma.example')).toMatchObject({ language: 'en', source: 'agent' });
    // One Turkish mail afterwards does not undo the agent's word.
    const next = await newTicket('Deniz Arslan <deniz@firma.example>', TURKISH);
    expect(langOf(next.ack)).toBe('en');
    // `#lang` says it too, and a colleague's reply on the thread never moves the requester's language.
    await clientReply('Emre <emre@firma.example>', t, TURKISH);
    await clientReply('Emre <emre@firma.example>', t, TURKISH);
    expect(await stored('deniz@firma.example')).toMatchObject({ language: 'en' });
    await agentReply(next, '#lang tr');
    expect([await ticketLanguage(t.id), await ticketLanguage(next.id)]).toEqual(['tr', 'tr']);
  });
});

describe('a Turkish agent\'s confirmations carry no English (issue 23)', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  const ingest = (raw: Buffer) => ingestMessage(deps, { raw, mailbox: 'support', receivedAt: MONDAY_10, source: 'cli' });

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => MONDAY_10 };
  });
  afterAll(async () => { await database.drop(); });

  // Words of the English outcomes and reasons, and the policy's English names: none may reach a Turkish agent.
  const ENGLISH_WORDS = /\b(status|priority|type|assigned|qualified|already|escalated|level|notified|added|removed|receives|replies|clock|paused|resolution|deadlines?|recomputed|requested|allows|nearest|default|client|team|ticket|only|the|is|to|and|of|unknown|missing|expected|kept|internal|sent|because|reply|command|agent|manager|lead|nobody)\b/i;
  const POLICY_NAMES = DEFAULT_POLICY.types.map((t) => t.name);

  it('every command, applied or refused, is confirmed in Turkish, echoing the alias typed', async () => {
    const opened = await ingest(buildMail({ from: 'Deniz Arslan <deniz@firma.example>', to: 'support@sanarise.example', cc: 'Emre <emre@firma.example>', subject: '[Hata] Fatura ekranı', body: TURKISH, messageId: '<tr-1@firma.example>' }));
    const id = opened.ticket!.id;
    const notice = (await database.db.select().from(outbox).where(eq(outbox.ticketId, id))).find((r) => r.kind === 'team-new-ticket' && r.to[0]!.address === AYSE)!;
    const reply = (body: string, n: number) => ingest(buildMail({
      from: `Ayşe Yılmaz <${AYSE}>`, to: notice.replyTo!.address, subject: `Re: ${notice.subject}`, body,
      messageId: `<agent-tr-${n}@sanarise.example>`, inReplyTo: notice.messageId, references: notice.messageId,
    }));
    await reply([
      '#durum beklemede', '#durum beklemede', '#öncelik kritik', '#öncelik düşük', '#tür web sitesi', '#tür şikayet', '#ata mert', '#ata kimse',
      '#nitelendirildi', '#nitelendirildi', '#yükselt', '#bilgi ekle emre2@firma.example', '#bilgi çıkar yok@firma.example',
      '#bilgi ekle deniz@firma.example', '#bilgi ekle ayse@sanarise.example', '#sla duraklat test', '#dil en', '#dil en', '#ekip',
      '#durum açık', '#durum çözüldü', '#durum kapalı', '#yükselt', '#yükselt',
    ].join('\n'), 1);
    // Errors in the block withhold the text: that notice too is in Turkish.
    await reply('#durum bilinmeyen\n#bilgi davet x@y.example\n#sla uzat çözüm iki neden\n#dil fransızca\nMetin', 2);
    await reply('#not\nMüşteriyi aradım.', 3);
    const results = (await database.db.select().from(outbox).where(eq(outbox.ticketId, id)).orderBy(asc(outbox.id)))
      .filter((r) => r.kind === 'command-result');
    expect(results.length).toBeGreaterThanOrEqual(30);
    for (const r of results) {
      for (const part of [r.subject, r.text]) {
        // The command as typed is Turkish already; what is said about it must be too.
        const said = part.replace(/"[^"]*"|“[^”]*”/g, '').replace(/\S+@\S+/g, '').replace(/#\p{L}+/gu, '');
        expect(said, part).not.toMatch(ENGLISH_WORDS);
        for (const name of POLICY_NAMES) expect(part).not.toContain(name);
      }
    }
    expect(results.map((r) => r.subject)).toContain('[#SR-1000] Komut uygulandı: #öncelik kritik');
    expect(results.some((r) => r.text.includes('GÖNDERİLMEDİ'))).toBe(true);
  });
});
