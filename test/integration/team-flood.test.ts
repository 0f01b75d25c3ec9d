import { and, asc, eq, inArray } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../src/app/ingest/ingest-batch.js';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Issue 21, floods: 50 new tickets in a minute must not be 100 team mails. Each flood runs a day
// after the previous one (in business hours) so the windows do not overlap.
const MONDAY_10 = new Date('2026-03-16T07:00:00Z'); // 10:00 in Istanbul
const DAY = 86_400_000;
const AGENTS = ['ayse@sanarise.example', 'mert@sanarise.example'];
const THRESHOLD = 20; // limits.teamFloodThreshold's default

describe('team notifications collapse in a flood of new tickets (real ingest, PostgreSQL)', () => {
  let database: TestDatabase;
  let now = MONDAY_10;
  const deps = (): IngestDeps => ({
    db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => now,
  });
  const mail = (day: number, i: number) => buildMail({
    from: `Müşteri ${i} <kisi${i}@firma${i % 7}.example>`, subject: `[Soru] sel ${day}/${i}`, messageId: `<flood-${day}-${i}@firma.example>`,
  });
  /** The team mail of one day's flood: every single notice and every flood list. */
  const teamMail = async (day: number) => {
    const numbers = (await database.db.select().from(tickets)).filter((t) => t.subject.startsWith(`[Soru] sel ${day}/`));
    const single = await database.db.select().from(outbox)
      .where(and(eq(outbox.kind, 'team-new-ticket'), inArray(outbox.ticketId, numbers.map((t) => t.id)))).orderBy(asc(outbox.id));
    const lists = (await database.db.select().from(outbox).where(eq(outbox.kind, 'team-flood')).orderBy(asc(outbox.id)))
      .filter((r) => numbers.some((t) => r.text.includes(t.number)));
    return { opened: numbers, single, lists };
  };
  const expectBounded = async (day: number) => {
    const { opened, single, lists } = await teamMail(day);
    expect(opened).toHaveLength(50); // every mail is still a ticket
    // The first THRESHOLD tickets are told one by one; the other 30 are one list per agent.
    expect(single).toHaveLength(THRESHOLD * AGENTS.length);
    expect(lists).toHaveLength(AGENTS.length);
    expect(lists.map((l) => l.to[0]!.address).sort()).toEqual(AGENTS);
    const singled = new Set(single.map((r) => r.ticketId));
    const collapsed = opened.filter((t) => !singled.has(t.id));
    expect(collapsed).toHaveLength(50 - THRESHOLD);
    for (const list of lists) {
      for (const t of collapsed) expect(list.text).toContain(t.number);
      expect(list.subject).toContain(String(50 - THRESHOLD));
      // It leaves when its window ends, not at once: the tickets that come later in it join it.
      expect(list.notBefore.getTime()).toBeGreaterThan(now.getTime());
      expect(list.status).toBe('pending');
    }
  };

  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(async () => { await database.drop(); });

  it('50 new tickets in a minute, one mail at a time: 20 notices and one list per agent naming the other 30', async () => {
    const start = MONDAY_10.getTime() + DAY;
    for (let i = 0; i < 50; i++) {
      now = new Date(start + i * 1_000); // one a second: 50 within a minute
      const outcome = await ingestMessage(deps(), { raw: mail(1, i), mailbox: 'support', receivedAt: now, source: 'cli' });
      expect(outcome.decision).toBe('new-ticket');
    }
    await expectBounded(1);
  });

  it('50 new tickets in one batch (as IMAP hands them over): the same bound', async () => {
    now = new Date(MONDAY_10.getTime() + 2 * DAY);
    const result = await ingestBatch(deps(), Array.from({ length: 50 }, (_, i) => ({ raw: mail(2, i), mailbox: 'support' as const, receivedAt: now, source: 'imap' as const })));
    expect(result.failure).toBeUndefined();
    await expectBounded(2);
  });

  it('a quiet stretch is told ticket by ticket: no list', async () => {
    const start = MONDAY_10.getTime() + 3 * DAY;
    for (let i = 0; i < 5; i++) {
      now = new Date(start + i * 60_000);
      await ingestMessage(deps(), { raw: mail(3, i), mailbox: 'support', receivedAt: now, source: 'cli' });
    }
    const { single, lists } = await teamMail(3);
    expect(single).toHaveLength(5 * AGENTS.length);
    expect(lists).toEqual([]);
  });
});
