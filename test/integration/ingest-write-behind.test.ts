import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../src/app/ingest/ingest-batch.js';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import type { IngestInput } from '../../src/inbound/ingest-types.js';
import { rowsOf } from '../../src/db/rows-of.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Ingest sends its writes without waiting for them (db/write-behind.ts): a write that fails is
 * seen only later, by whatever statement is next waited for, and PostgreSQL has failed that one
 * with 25P02. A mail that breaks a write must still be quarantined with the write's own error.
 */
describe('a write that fails behind the ingest transaction', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  const now = new Date('2026-03-16T07:00:00Z');
  const input = (raw: Buffer, minutes: number): IngestInput => ({
    raw, mailbox: 'support', receivedAt: new Date(now.getTime() - minutes * 60_000), source: 'imap',
  });

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 2 });
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: 'silent' }), clock: () => now };
    // The event of a client's reply is refused, as a constraint or a full disk would refuse it.
    await database.db.execute(sql.raw(`
      create function refuse_reply_event() returns trigger language plpgsql as $$
      begin
        if new.kind = 'client-reply' then raise exception 'refused by the test trigger'; end if;
        return new;
      end $$;
      create trigger refuse_reply_event before insert on ticket_events for each row execute function refuse_reply_event();`));
  });
  afterAll(async () => { await database.drop(); });

  it('quarantines the mail whose write failed, with that write\'s error, and takes the mails around it', async () => {
    const first = await ingestMessage(deps, input(buildMail({ from: 'Ali Veli <ali@musteri.example>', subject: '[Hata] Stok ekranı', messageId: '<stok@musteri.example>' }), 30));
    expect(first.decision).toBe('new-ticket');

    const batch = await ingestBatch(deps, [
      input(buildMail({ from: 'Jane Roe <jane@acme.example>', subject: 'Invoice export is broken', messageId: '<inv@acme.example>' }), 20),
      input(buildMail({ from: 'Ali Veli <ali@musteri.example>', subject: 'Re: [Hata] Stok ekranı', inReplyTo: '<stok@musteri.example>',
        references: '<stok@musteri.example>', messageId: '<stok2@musteri.example>' }), 10),
      input(buildMail({ from: 'Can Demir <can@client.example>', subject: '[Soru] Kullanıcı ekleme', messageId: '<soru@client.example>' }), 5),
    ]);
    expect(batch.failure).toBeUndefined();
    expect(batch.oneByOne).toBe(true); // the batch failed together, then went one at a time
    expect(batch.outcomes.map((o) => o?.decision)).toEqual(['new-ticket', 'quarantined', 'new-ticket']);
    expect(batch.outcomes[1]!.reason).toMatch(/refused by the test trigger/);
    expect(batch.outcomes[1]!.reason).not.toMatch(/aborted/);
    const quarantined = rowsOf<{ reason: string }>(await database.db.execute(sql`select reason from quarantine`));
    expect(quarantined.map((q) => q.reason)).toEqual([expect.stringMatching(/refused by the test trigger/)]);
  });
});
