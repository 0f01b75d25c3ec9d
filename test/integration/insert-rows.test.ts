import { asc, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { insertRows } from '../../src/db/repositories/insert-rows.js';
import { rowsOf } from '../../src/db/rows-of.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { attachments, messages, tickets } from '../../src/db/schema/tickets.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * insertRows writes what drizzle's `.values(rows)` would, with one array per column: the ingest
 * path's tickets, messages, outbox rows and raw mails go through it, on both engines.
 */
describe.each(['postgres', 'embedded'] as const)('insertRows on %s', (engine) => {
  let pg: TestDatabase | undefined;
  let database: Database;

  beforeAll(async () => {
    if (engine === 'postgres') {
      pg = await createTestDatabase({ poolMax: 1 });
      database = { db: pg.db, kind: 'postgres', close: async () => {} };
    } else {
      database = await openDatabase({ ...testConfig('postgres://unused').database, url: undefined }, { dataDir: 'memory://' });
      await migrate(database);
    }
  });
  afterAll(async () => {
    await pg?.drop();
    if (engine === 'embedded') await database.close();
  });

  const ticket = (subject: string, extra: Partial<typeof tickets.$inferInsert> = {}) => ({
    mailbox: 'support', type: 'incident', typeSource: 'tag', priority: 'P2', priorityReason: 'tag',
    requesterAddress: 'ayse@musteri.example', subject, receivedAt: new Date('2026-03-02T07:00:00.000Z'), ...extra,
  });

  it('returns rows in the order given, with types mapped back, and numbers from the sequence in that order', async () => {
    const rows = await insertRows(database.db, tickets, [
      ticket('İlk kayıt "tırnak" \\ ters bölü', { unknownTags: ['[EXTERNAL]'], slaReview: true }),
      ticket('second', { unknownTags: [], slaReview: false, requesterName: null }),
    ].map((t) => ({ ...t, status: 'new' })) as (typeof tickets.$inferInsert)[], {
      computed: { number: sql`${'SR'} || '-' || nextval('ticket_number_seq')::text` },
      returning: 'all',
    });
    expect(rows.map((r) => r.subject)).toEqual(['İlk kayıt "tırnak" \\ ters bölü', 'second']);
    expect(rows[0]!.unknownTags).toEqual(['[EXTERNAL]']);
    expect(rows[0]!.slaReview).toBe(true);
    expect(rows[1]!.slaReview).toBe(false);
    expect(rows[0]!.receivedAt).toEqual(new Date('2026-03-02T07:00:00.000Z'));
    expect(rows[0]!.createdAt).toBeInstanceOf(Date); // the column's default
    expect(rows[1]!.requesterName).toBeNull();
    const numbers = rows.map((r) => Number(r.number.split('-')[1]));
    expect(numbers[1]).toBe(numbers[0]! + 1);
    expect(rows[1]!.id).toBeGreaterThan(rows[0]!.id);
  });

  it('gives a column left out by some rows its default, as drizzle does', async () => {
    const [a, b] = await insertRows(database.db, tickets, [
      { ...ticket('defaulted'), number: 'X-1' },
      { ...ticket('given'), number: 'X-2', status: 'open' },
    ], { returning: ['status', 'number'] });
    expect(a).toEqual({ status: 'new', number: 'X-1' });
    expect(b).toEqual({ status: 'open', number: 'X-2' });
  });

  it('stores bytes and NULLs exactly, and skips conflicting rows without failing the others', async () => {
    const raw = Buffer.from([0, 1, 2, 0x5c, 0x22, 0xff, 0x0d, 0x0a]);
    const row = (messageId: string) => ({
      mailbox: 'support', messageId, sha256: 'x', contentHash: `h-${messageId}`, raw, size: raw.length,
      receivedAt: new Date(), source: 'imap', decision: 'pending', imapUid: null,
    });
    const first = await insertRows(database.db, rawMail, [row('<a@x>'), row('<b@x>')], { onConflictDoNothing: true, returning: ['id', 'messageId'] });
    expect(first.map((r) => r.messageId)).toEqual(['<a@x>', '<b@x>']);
    const second = await insertRows(database.db, rawMail, [row('<b@x>'), row('<c@x>')], { onConflictDoNothing: true, returning: ['messageId', 'raw', 'imapUid'] });
    expect(second).toEqual([{ messageId: '<c@x>', raw, imapUid: null }]);
  });

  it('writes jsonb objects, nested arrays and a named conflict target', async () => {
    const mail = (key: string) => ({
      dedupeKey: key, kind: 'acknowledgement', messageId: `<${key}@slagate>`,
      fromAddress: { name: 'Destek', address: 'support@x.example' }, replyTo: null,
      to: [{ address: 'a@b.example' }], subject: 'S', text: 'T', headers: { 'In-Reply-To': '<p@x>' },
    });
    const first = await insertRows(database.db, outbox, [mail('k1'), mail('k2')], { onConflictDoNothing: outbox.dedupeKey, returning: ['dedupeKey'] });
    expect(first).toEqual([{ dedupeKey: 'k1' }, { dedupeKey: 'k2' }]);
    expect(await insertRows(database.db, outbox, [mail('k1')], { onConflictDoNothing: outbox.dedupeKey, returning: ['id'] })).toEqual([]);
    const stored = await database.db.select({ to: outbox.to, replyTo: outbox.replyTo, headers: outbox.headers }).from(outbox).orderBy(asc(outbox.id));
    expect(stored[0]).toEqual({ to: [{ address: 'a@b.example' }], replyTo: null, headers: { 'In-Reply-To': '<p@x>' } });
  });

  it('uses one statement text whatever the number of rows', async () => {
    if (engine !== 'postgres') return;
    const [t] = await insertRows(database.db, tickets, [{ ...ticket('for messages'), number: 'M-1' }], { returning: ['id'] });
    const message = (n: number) => ({
      ticketId: t!.id, direction: 'inbound', authorKind: 'client', messageId: `<m${n}@x>`, fromAddress: 'a@b.example',
      subject: 's', text: 't',
    });
    for (const count of [1, 3, 7]) await insertRows(database.db, messages, Array.from({ length: count }, (_, i) => message(count * 10 + i)));
    const prepared = rowsOf<{ statement: string }>(await database.db.execute(sql`select statement from pg_prepared_statements`))
      .filter((s) => s.statement.includes('insert into "messages"'));
    expect(prepared).toHaveLength(1);
    expect(await insertRows(database.db, attachments, [])).toEqual([]);
  });
});
