import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { retryQuarantined } from '../../src/app/ingest/retry-quarantined.js';
import { openDatabase } from '../../src/db/client.js';
import { copyRawChunks, postgresJsOf } from '../../src/db/repositories/copy-raw-chunks.js';
import { RAW_CHUNK_BYTES, readRawMail } from '../../src/db/repositories/raw-mail-repository.js';
import { quarantine } from '../../src/db/schema/quarantine.js';
import { rawMail, rawMailChunks } from '../../src/db/schema/raw-mail.js';
import { attachments } from '../../src/db/schema/tickets.js';
import { buildMail } from '../helpers/mail-builder.js';
import { withAdmin } from '../helpers/postgres-admin.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const MONDAY_10 = new Date('2026-03-16T07:00:00Z');

/** A client mail with `file` attached, base64 in 76-character lines as mail clients send it. */
function mailWithAttachment(file: Buffer, messageId: string): Buffer {
  const head = buildMail({ subject: 'Yedek dosyası ekte', messageId }).toString('utf8').split('\r\n\r\n')[0]!
    .replace('Content-Type: text/plain; charset=utf-8', 'Content-Type: multipart/mixed; boundary="b1"')
    .replace('Content-Transfer-Encoding: 8bit\r\n', '');
  return Buffer.from([
    head, '', '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'Merhaba, yedek ekte.', '--b1',
    'Content-Type: application/octet-stream; name="yedek.bin"', 'Content-Disposition: attachment; filename="yedek.bin"',
    'Content-Transfer-Encoding: base64', '', file.toString('base64').replace(/.{76}/g, '$&\r\n'), '--b1--', '',
  ].join('\r\n'));
}

describe('raw mail over 1 MiB', () => {
  let database: TestDatabase;
  let deps: IngestDeps;

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: 'silent' }), clock: () => MONDAY_10 };
  });
  afterAll(async () => { await database.drop(); });

  it('is stored in 1 MiB pieces and comes back byte for byte, through a quarantine retry too', async () => {
    const file = randomBytes(2_500_000); // random, so pieces out of order would not match; about 3.3 MiB as base64
    const raw = mailWithAttachment(file, '<chunked-1@client.example>');
    expect(raw.length).toBeGreaterThan(3 * RAW_CHUNK_BYTES);

    const tight = { ...deps, config: testConfig(database.url, { limits: { maxMessageBytes: 2 * 1024 * 1024 } }) };
    const held = await ingestMessage(tight, { raw, mailbox: 'support', receivedAt: MONDAY_10, source: 'cli' });
    expect(held).toMatchObject({ decision: 'quarantined', reason: expect.stringMatching(/^MESSAGE_TOO_LARGE/) });
    const id = held.rawMailId!;

    const [row] = await database.db.select().from(rawMail).where(eq(rawMail.id, id));
    expect(row).toMatchObject({ size: raw.length, sha256: createHash('sha256').update(raw).digest('hex') });
    expect(row!.raw).toHaveLength(0);
    const pieces = await database.db.select().from(rawMailChunks).where(eq(rawMailChunks.rawMailId, id)).orderBy(asc(rawMailChunks.seq));
    expect(pieces.map((p) => [p.seq, p.data.length])).toEqual([
      [0, RAW_CHUNK_BYTES], [1, RAW_CHUNK_BYTES], [2, RAW_CHUNK_BYTES], [3, raw.length - 3 * RAW_CHUNK_BYTES],
    ]);
    expect(Buffer.compare(await readRawMail(database.db, id), raw)).toBe(0);

    const [q] = await database.db.select().from(quarantine).where(eq(quarantine.rawMailId, id));
    const retried = await retryQuarantined(deps, q!.id);
    expect(retried).toMatchObject({ status: 'resolved', rawMailId: id, decision: 'new-ticket' });
    const files = await database.db.select().from(attachments);
    expect(files).toEqual([expect.objectContaining({
      filename: 'yedek.bin', size: file.length, sha256: createHash('sha256').update(file).digest('hex'),
    })]);
    expect(Buffer.compare(await readRawMail(database.db, id), raw)).toBe(0);

    const again = await ingestMessage(deps, { raw, mailbox: 'support', receivedAt: MONDAY_10, source: 'cli' });
    expect(again).toMatchObject({ decision: 'duplicate', rawMailId: id });
    expect(await database.db.select().from(rawMailChunks).where(eq(rawMailChunks.rawMailId, id))).toHaveLength(4);
  });

  it('refuses to hand back pieces that no longer match the sha256 of the mail', async () => {
    const raw = mailWithAttachment(randomBytes(1_000_000), '<tampered-1@client.example>');
    const outcome = await ingestMessage(deps, { raw, mailbox: 'support', receivedAt: MONDAY_10, source: 'cli' });
    await database.db.update(rawMailChunks).set({ data: Buffer.alloc(RAW_CHUNK_BYTES, 'x') })
      .where(and(eq(rawMailChunks.rawMailId, outcome.rawMailId!), eq(rawMailChunks.seq, 0)));
    await expect(readRawMail(database.db, outcome.rawMailId!)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('fails the transaction, rather than hanging or storing half, when the COPY of the pieces is refused', async () => {
    // A piece already stored under the same id and seq: the server refuses the COPY's row.
    await database.db.insert(rawMailChunks).values({ rawMailId: 999_001, seq: 2, data: Buffer.from('x') });
    const bytes = randomBytes(3 * 64 * 1024 + 17);
    const attempt = database.db.transaction(async (tx) => {
      await copyRawChunks(postgresJsOf(tx)!, 999_001, bytes, 64 * 1024);
    });
    await expect(attempt).rejects.toThrow();
    const left = await database.db.select().from(rawMailChunks).where(eq(rawMailChunks.rawMailId, 999_001));
    expect(left.map((p) => p.seq)).toEqual([2]);

    // The connection is usable afterwards, and a good COPY stores every byte in order.
    const timeouts = await database.db.transaction(async (tx) => {
      const show = async () => ((await tx.execute(sql`show statement_timeout`)) as unknown as { statement_timeout: string }[])[0]!.statement_timeout;
      const before = await show();
      await copyRawChunks(postgresJsOf(tx)!, 999_002, bytes, 64 * 1024);
      return { before, after: await show() };
    });
    // Raised for the COPY only (the server times a COPY as one statement), then put back.
    expect(timeouts.after).toBe(timeouts.before);
    const stored = await database.db.select().from(rawMailChunks).where(eq(rawMailChunks.rawMailId, 999_002)).orderBy(asc(rawMailChunks.seq));
    expect(stored.map((p) => p.data.length)).toEqual([65_536, 65_536, 65_536, 17]);
    expect(Buffer.compare(Buffer.concat(stored.map((p) => p.data)), bytes)).toBe(0);
  }, 30_000);

  it('loses nothing when its connection is killed in the middle of the COPY: a retryable error, then one whole copy', async () => {
    const raw = mailWithAttachment(randomBytes(24 * 1024 * 1024), '<killed-copy-1@client.example>');
    const victim = await openDatabase({ ...testConfig(database.url).database, url: database.url }, { applicationName: 'slagate-copy-victim' });
    try {
      // Kill the backend as soon as the server shows it inside the COPY.
      const killer = withAdmin(async (sql) => {
        for (let i = 0; i < 2000; i++) {
          const [hit] = await sql`select pid from pg_stat_activity
            where application_name = 'slagate-copy-victim' and query like 'COPY raw_mail_chunks%' and state = 'active'`;
          if (hit) {
            await sql`select pg_terminate_backend(${hit.pid}::int)`;
            return true;
          }
          await new Promise((r) => setTimeout(r, 2));
        }
        return false;
      });
      const first = ingestMessage({ ...deps, db: victim.db, config: testConfig(database.url, { limits: { maxMessageBytes: 64 * 1024 * 1024 } }) },
        { raw, mailbox: 'support', receivedAt: MONDAY_10, source: 'cli' });
      await expect(first).rejects.toMatchObject({ code: 'DB_UNAVAILABLE', retryable: true });
      expect(await killer).toBe(true);
    } finally {
      await victim.close();
    }
    const none = await database.db.select({ id: rawMail.id }).from(rawMail).where(eq(rawMail.messageId, '<killed-copy-1@client.example>'));
    expect(none).toEqual([]);

    const big = { ...deps, config: testConfig(database.url, { limits: { maxMessageBytes: 64 * 1024 * 1024 } }) };
    const retried = await ingestMessage(big, { raw, mailbox: 'support', receivedAt: MONDAY_10, source: 'cli' });
    expect(retried.decision).toBe('new-ticket');
    expect(Buffer.compare(await readRawMail(database.db, retried.rawMailId!), raw)).toBe(0);
  }, 60_000);

  it('keeps a mail of at most 1 MiB in raw_mail.raw, with no pieces', async () => {
    const raw = mailWithAttachment(randomBytes(600 * 1024), '<inline-1@client.example>');
    expect(raw.length).toBeLessThanOrEqual(RAW_CHUNK_BYTES);
    const outcome = await ingestMessage(deps, { raw, mailbox: 'support', receivedAt: MONDAY_10, source: 'cli' });
    expect(outcome.decision).toBe('new-ticket');
    const [row] = await database.db.select().from(rawMail).where(eq(rawMail.id, outcome.rawMailId!));
    expect(Buffer.compare(row!.raw, raw)).toBe(0);
    expect(await database.db.select().from(rawMailChunks).where(eq(rawMailChunks.rawMailId, outcome.rawMailId!))).toHaveLength(0);
    expect(Buffer.compare(await readRawMail(database.db, outcome.rawMailId!), raw)).toBe(0);
  });
});
