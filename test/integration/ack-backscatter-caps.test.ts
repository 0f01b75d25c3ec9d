import { asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Issue 21, backscatter: forged senders must not turn the gateway into a mail cannon. Each flood
// runs a day after the previous one so the windows do not overlap.
const MONDAY_10 = new Date('2026-03-16T07:00:00Z');
const DAY = 86_400_000;
const AGENTS = 2; // the built-in people: ayse@ and mert@ are agents; the notice goes to each

describe('acknowledgement caps against forged floods (real ingest, PostgreSQL)', () => {
  let database: TestDatabase;
  let now = MONDAY_10;
  const depsWith = (limits: Record<string, number> = {}): IngestDeps => ({
    db: database.db, config: testConfig(database.url, { limits }), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => now,
  });
  const flood = async (deps: IngestDeps, day: number, senders: string[]) => {
    now = new Date(MONDAY_10.getTime() + day * DAY);
    for (const [i, from] of senders.entries()) {
      const outcome = await ingestMessage(deps, {
        raw: buildMail({ from: `Forged <${from}>`, subject: `[Soru] flood ${day}/${i}`, messageId: `<flood-${day}-${i}@forger.example>` }),
        mailbox: 'support', receivedAt: now, source: 'cli',
      });
      // Past a limit the ticket is still opened: a real client caught in a flood loses nothing.
      expect(outcome.decision).toBe('new-ticket');
    }
    const rows = await database.db.select().from(outbox).where(eq(outbox.createdAt, now)).orderBy(asc(outbox.id));
    return {
      acks: rows.filter((r) => r.kind === 'acknowledgement'),
      notices: rows.filter((r) => r.kind === 'sender-capped'),
    };
  };

  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(async () => { await database.drop(); });

  it('caps victim+N@ and Victim@ as one address: 10 acknowledgements out of 40, and the team told once', async () => {
    const senders = Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'Victim' : 'victim'}+${i}@Victim.example`);
    const { acks, notices } = await flood(depsWith(), 1, senders);
    expect(acks).toHaveLength(10); // limits.ackPerSenderCap
    // Each acknowledgement still goes to the address as written; only the counting folds it.
    expect(acks.map((a) => a.to[0]!.address)).toEqual(senders.slice(0, 10).map((s) => s.toLowerCase())); // parsing already folds case
    expect(new Set(acks.map((a) => a.ackRecipient))).toEqual(new Set(['victim@victim.example']));
    expect(notices).toHaveLength(AGENTS);
    expect(new Set(notices.map((n) => n.dedupeKey.replace(/:[^:]+$/, '')))).toEqual(new Set([`sender-capped:victim@victim.example:${Math.floor(now.getTime() / (180 * 60_000))}`]));
    expect(notices[0]!.subject).toContain('victim@victim.example');
    const opened = await database.db.select().from(tickets);
    expect(opened.filter((t) => t.requesterAddress.toLowerCase().startsWith('victim+'))).toHaveLength(40);
  });

  it('caps 40 different addresses of one domain at the per-domain cap, and tells the team once', async () => {
    const senders = Array.from({ length: 40 }, (_, i) => `user${i}@flood.example`);
    const { acks, notices } = await flood(depsWith(), 2, senders);
    expect(acks).toHaveLength(30); // limits.ackPerDomainCap
    expect(notices).toHaveLength(AGENTS);
    expect(notices.every((n) => n.dedupeKey.startsWith('sender-capped:domain:flood.example:'))).toBe(true);
    expect(notices[0]!.text).toContain('*@flood.example');
  });

  it('stops every acknowledgement past the global hourly rate, whoever the senders are, and tells the team once', async () => {
    const senders = Array.from({ length: 12 }, (_, i) => `someone@domain${i}.example`);
    const { acks, notices } = await flood(depsWith({ ackGlobalPerHour: 5 }), 3, senders);
    expect(acks).toHaveLength(5);
    expect(notices).toHaveLength(AGENTS);
    expect(notices.every((n) => n.dedupeKey.startsWith('sender-capped:global:'))).toBe(true);
  });

  it('does not cap a public mail provider as one domain: 40 Gmail users each get their acknowledgement', async () => {
    const senders = Array.from({ length: 40 }, (_, i) => `musteri${i}@gmail.com`);
    const { acks, notices } = await flood(depsWith(), 4, senders);
    expect(acks).toHaveLength(40);
    expect(notices).toEqual([]);
  });

  it('rejects an unknown limits key (config strict)', () => {
    expect(() => testConfig(database.url, { limits: { ackPerDomainCapp: 3 } as never })).toThrow();
  });
});
