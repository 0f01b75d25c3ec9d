import { asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { readSurveyAnswer } from '../../src/app/ingest/record-survey-answer.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { ticketEvents, tickets } from '../../src/db/schema/tickets.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const MONDAY_10 = new Date('2026-03-16T07:00:00Z');
const AYSE = 'ayse@sanarise.example';

describe('reading a survey answer', () => {
  it.each([
    ['5', 5, null],
    ['5/5', 5, null],
    ['5/5 çok hızlıydınız', 5, 'çok hızlıydınız'],
    ['Puan: 4', 4, null],
    ['puanım 3', 3, null],
    ['4 - hızlı çözüldü, teşekkürler', 4, 'hızlı çözüldü, teşekkürler'],
    ['2.\nKimse geri dönmedi.', 2, 'Kimse geri dönmedi.'],
    ['Score: 1', 1, null],
  ])('%j is score %i', (text, score, comment) => {
    expect(readSurveyAnswer(text)).toEqual({ score, comment });
  });

  it.each([
    ['2 users still cannot log in'],
    ['6'],
    ['0/5'],
    ['Hâlâ çalışmıyor'],
    [''],
  ])('%j is not a score', (text) => {
    expect(readSurveyAnswer(text)).toBeNull();
  });
});

describe('the satisfaction survey', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  let now = MONDAY_10;
  let seq = 0;
  const ingest = (raw: Buffer) => ingestMessage(deps, { raw, mailbox: 'support', receivedAt: now, source: 'cli' });
  const ticketRow = async (id: number) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;
  const outboxOf = (ticketId: number) => database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(asc(outbox.id));

  /** A ticket the agent resolved by mail; returns it and the survey the client got. */
  async function resolvedTicket() {
    const opened = await ingest(buildMail({ subject: '[Soru] Rapor nasıl alınır?', messageId: `<s-${++seq}@client.example>` }));
    const id = opened.ticket!.id;
    const notice = (await outboxOf(id)).find((r) => r.kind === 'team-new-ticket' && r.to[0]!.address === AYSE)!;
    await ingest(buildMail({
      from: `Ayşe Yılmaz <${AYSE}>`, to: notice.replyTo!.address, subject: `Re: ${notice.subject}`,
      inReplyTo: notice.messageId, body: '#status resolved\n\nRaporlar menüsünden alabilirsiniz.',
    }));
    const survey = (await outboxOf(id)).find((r) => r.kind === 'survey')!;
    return { id, survey };
  }
  const answer = (survey: { messageId: string; subject: string }, body: string) =>
    ingest(buildMail({ subject: `Re: ${survey.subject}`, inReplyTo: survey.messageId, references: survey.messageId, body }));

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => now };
  });
  afterAll(async () => { await database.drop(); });

  it('asks the client for a score once per resolution, in their thread', async () => {
    const { id, survey } = await resolvedTicket();
    expect(survey.to).toEqual([{ name: 'Ayşe Kaya', address: 'ayse@client.example' }]);
    expect(survey.headers['In-Reply-To']).toMatch(/^<s-\d+@client\.example>$/);
    expect(survey.headers['Auto-Submitted']).toBe('auto-replied');
    expect((await outboxOf(id)).filter((r) => r.kind === 'survey')).toHaveLength(1);
  });

  it('records a score reply instead of reopening, and tells nobody when it is good', async () => {
    const { id, survey } = await resolvedTicket();
    const outcome = await answer(survey, '5/5 çok hızlıydınız\n\nOn Mon, 16 Mar 2026 at 10:00, Sanarise <support@sanarise.example> wrote:\n> 1 ile 5 arası');
    expect(outcome.reason).toContain('survey answer 5/5');
    expect(await ticketRow(id)).toMatchObject({ status: 'resolved', satisfactionScore: 5, satisfactionComment: 'çok hızlıydınız' });
    const events = await database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, id));
    expect(events.find((e) => e.kind === 'survey-answered')).toMatchObject({ actor: 'client', data: { score: 5 } });
    expect(events.some((e) => e.kind === 'reopened')).toBe(false);
    expect((await outboxOf(id)).some((r) => r.kind === 'client-reply-forward')).toBe(false);
  });

  it('tells the managers alone about a score of 1 or 2', async () => {
    const { id, survey } = await resolvedTicket();
    await answer(survey, 'Puan: 2\nÜç gün bekledim.');
    expect(await ticketRow(id)).toMatchObject({ satisfactionScore: 2, satisfactionComment: 'Üç gün bekledim.' });
    const told = (await outboxOf(id)).filter((r) => r.kind === 'client-reply-forward');
    expect(told.map((r) => r.to[0]!.address)).toEqual(['manager@sanarise.example']);
    expect(told[0]!.text).toContain('Üç gün bekledim.');
    // Labelled as the survey answer it is, with its score, not as a plain client reply (issue 23).
    expect(told[0]!.subject).toContain('Memnuniyet anketi: 2/5 puan');
    expect(told[0]!.text).toContain('memnuniyet anketine 2/5 puan verdi.');
  });

  it('reopens the ticket when the reply is not a score', async () => {
    const { id, survey } = await resolvedTicket();
    await answer(survey, 'Raporlar menüsü bende görünmüyor.');
    expect(await ticketRow(id)).toMatchObject({ status: 'open', satisfactionScore: null });
  });

  it('asks again after the ticket is reopened and resolved again', async () => {
    const { id, survey } = await resolvedTicket();
    await answer(survey, 'Hâlâ görünmüyor.');
    now = new Date(MONDAY_10.getTime() + 3_600_000);
    try {
      const forward = (await outboxOf(id)).find((r) => r.kind === 'client-reply-forward' && r.to[0]!.address === AYSE)!;
      await ingest(buildMail({
        from: `Ayşe Yılmaz <${AYSE}>`, to: forward.replyTo!.address, subject: `Re: ${forward.subject}`,
        inReplyTo: forward.messageId, body: '#status resolved\n\nYetkinizi açtık.',
      }));
    } finally {
      now = MONDAY_10;
    }
    expect((await outboxOf(id)).filter((r) => r.kind === 'survey')).toHaveLength(2);
  });
});
