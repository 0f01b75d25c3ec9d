import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import { attachments, messages } from '../../src/db/schema/tickets.js';
import { describeError } from '../../src/errors.js';
import { serializeError } from '../../src/logger.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/regressions');

describe('ingest regressions', () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(async () => { await database.drop(); });

  it('takes a mail whose attachment Content-Type holds a NUL byte (it used to stall the mailbox)', async () => {
    const raw = readFileSync(join(FIXTURES, 'nul-in-attachment-content-type.eml'));
    const outcome = await ingestMessage(
      { db: database.db, config: testConfig(database.url), logger: pino({ level: 'silent' }), clock: () => new Date() },
      { raw, mailbox: 'support', receivedAt: new Date(), source: 'cli' },
    );
    expect(outcome.decision).toBe('new-ticket');
    const [message] = await database.db.select().from(messages).where(eq(messages.ticketId, outcome.ticket!.id));
    const files = await database.db.select().from(attachments).where(eq(attachments.messageId, message!.id));
    expect(files).toEqual([expect.objectContaining({ filename: 'fatura.pdf', contentType: 'application/p df' })]);
  });

  it('stores no send time for a mail whose Date header is not a date (mailparser used to supply the time of parsing)', async () => {
    const raw = readFileSync(join(FIXTURES, 'unparseable-date-header.eml'));
    const outcome = await ingestMessage(
      { db: database.db, config: testConfig(database.url), logger: pino({ level: 'silent' }), clock: () => new Date() },
      { raw, mailbox: 'support', receivedAt: new Date('2026-03-16T07:00:00Z'), source: 'cli' },
    );
    expect(outcome.decision).toBe('new-ticket');
    const [message] = await database.db.select().from(messages).where(eq(messages.ticketId, outcome.ticket!.id));
    expect(message!.sentAt).toBeNull();
  });

  it('describes a failed query by the server\'s error, never by its parameters', async () => {
    const err = await database.db.execute(
      // A parameter that must not reach a log line or a stored reason.
      (await import('drizzle-orm')).sql`select ${'gizli şikayet metni'}::int`,
    ).catch((e: unknown) => e);
    const text = describeError(err);
    expect(text).toMatch(/^22P02: invalid input syntax for type integer/);
    expect(text).not.toContain('şikayet');
    expect(JSON.stringify(serializeError(err))).not.toContain('şikayet');
  });
});
