import { asc, eq, inArray } from 'drizzle-orm';
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

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);

/**
 * Issue 24: "more than three issues on the same day by the same client" means the company. Three
 * people at one client each opening two tickets tripped nothing (the rule counted per address),
 * managers were told twice for one client and day, and the notice came the next morning.
 */
describe('special circumstances per client (organisation)', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  let now = ist('2026-03-16 10:00');
  const ingest = (from: string, subject: string) =>
    ingestMessage(deps, { raw: buildMail({ from, subject }), mailbox: 'support', receivedAt: now, source: 'cli' });
  const flagOf = async (id: number) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!.slaReview;
  const noticesAbout = async (ids: number[]) => database.db.select().from(outbox)
    .where(inArray(outbox.ticketId, ids)).orderBy(asc(outbox.id)).then((rows) => rows.filter((r) => r.kind === 'special-circumstances'));

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = {
      db: database.db, logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => now,
      config: testConfig(database.url, {
        clients: [
          { name: 'Acme Holding', domains: ['acme.com.tr', 'acme-lojistik.com'], addresses: ['acme.muhasebe@gmail.com'], language: 'tr' },
          // Lists an address at its own domain too: its mails are the client's once, not twice.
          { name: 'Kuzey Yapı', domains: ['kuzey-yapi.com.tr'], addresses: ['patron@kuzey-yapi.com.tr'], language: 'tr' },
        ],
      }),
    };
  });
  afterAll(async () => { await database.drop(); });

  it('counts the people of one client together, across its domains and its public-provider address', async () => {
    const ids: number[] = [];
    for (const from of ['Ali <ali@acme.com.tr>', 'Veli <veli@ACME-lojistik.com>', 'Muhasebe <acme.muhasebe@gmail.com>']) {
      for (const n of [1, 2]) ids.push((await ingest(from, `[Soru] ${from} ${n}`)).ticket!.id);
    }
    expect(await Promise.all(ids.map(flagOf))).toEqual([false, false, false, true, true, true]);
    const notices = await noticesAbout(ids);
    // Lead and manager, once for the client and day, although three tickets were flagged.
    expect(notices.map((n) => n.to[0]!.address).sort()).toEqual(['lead@sanarise.example', 'manager@sanarise.example']);
    expect(notices.every((n) => n.dedupeKey.includes('client:Acme Holding:2026-03-16'))).toBe(true);
  });

  it('keeps unrelated people at a public mail provider apart, and groups an unknown company by its domain', async () => {
    const gmail: number[] = [];
    for (const who of ['a', 'b', 'c', 'd', 'e']) gmail.push((await ingest(`${who} <${who}.kisi@gmail.com>`, '[Soru] Fatura')).ticket!.id);
    expect(await Promise.all(gmail.map(flagOf))).toEqual([false, false, false, false, false]);
    const beta: number[] = [];
    for (const who of ['a', 'b', 'c', 'd']) beta.push((await ingest(`${who} <${who}@beta.example>`, '[Soru] Stok')).ticket!.id);
    expect(await Promise.all(beta.map(flagOf))).toEqual([false, false, false, true]);
  });

  it('counts a listed address at the client\'s own domain once, alone and in a batch', async () => {
    now = ist('2026-03-18 09:00');
    const alone = [await ingest('Patron <patron@kuzey-yapi.com.tr>', '[Soru] Bir'), await ingest('Patron <patron@kuzey-yapi.com.tr>', '[Soru] İki')];
    const batch = await ingestBatch(deps, ['Üç', 'Dört'].map((subject) => ({
      raw: buildMail({ from: 'Patron <patron@kuzey-yapi.com.tr>', subject: `[Soru] ${subject}` }), mailbox: 'support' as const, receivedAt: now, source: 'imap' as const,
    })));
    const ids = [...alone.map((o) => o.ticket!.id), ...batch.outcomes.map((o) => o!.ticket!.id)];
    expect(await Promise.all(ids.map(flagOf))).toEqual([false, false, false, true]);
  });

  it('counts the same in a batch as one at a time, each client\'s earlier tickets read once for all its mails', async () => {
    now = ist('2026-03-17 09:00');
    for (const who of ['a', 'b']) await ingest(`${who} <${who}@gamma.example>`, '[Soru] Dün');
    for (const who of ['x', 'y', 'z']) await ingest(`${who} <${who}@delta.example>`, '[Soru] Dün');
    const batch = await ingestBatch(deps, [
      ['c@gamma.example', 'Bir'], ['w@delta.example', 'İki'], ['solo.kisi@gmail.com', 'Üç'], ['d@gamma.example', 'Dört'], ['e@gamma.example', 'Beş'],
    ].map(([from, subject]) => ({ raw: buildMail({ from: `K <${from}>`, subject: `[Soru] ${subject}` }), mailbox: 'support' as const, receivedAt: now, source: 'imap' as const })));
    const ids = batch.outcomes.map((o) => o!.ticket!.id);
    // gamma: 2 earlier, so its 3rd is not flagged and its 4th and 5th are; delta: 3 earlier, its 4th is; the lone gmail address is not.
    expect(await Promise.all(ids.map(flagOf))).toEqual([false, true, false, true, true]);
  });

  it('tells the lead and managers at once, even in the evening, not the next morning', async () => {
    now = ist('2026-03-17 20:30'); // Tuesday evening, outside business hours
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await ingest('Gece <gece@night.example>', `[Soru] Gece ${i}`)).ticket!.id);
    const notices = await noticesAbout(ids);
    expect(notices).toHaveLength(2);
    for (const n of notices) expect(n.notBefore.getTime()).toBeLessThanOrEqual(now.getTime());
  });
});
