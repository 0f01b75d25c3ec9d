import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestInput } from '../../src/inbound/ingest-types.js';
import { openDatabase } from '../../src/db/client.js';
import type { SlagateError } from '../../src/errors.js';
import { createSmtpListener, mailboxOf, type SmtpListener } from '../../src/mail-listeners/smtp-listener.js';
import { createRawMailClient } from '../../src/smtp/send-raw.js';
import { buildMail } from '../helpers/mail-builder.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testConfig } from '../helpers/test-config.js';

const logger = pino({ level: 'silent' });
let database: TestDatabase;
let listener: SmtpListener;
let calls: IngestInput[];

beforeAll(async () => {
  database = await createTestDatabase();
  const config = testConfig(database.url, { limits: { maxMessageBytes: 20_000 } });
  calls = [];
  const app = { db: database.db, config, logger, clock: () => new Date() };
  listener = createSmtpListener({
    config, clock: () => new Date(), logger, port: 0,
    ingest: (input) => {
      calls.push(input);
      return ingestMessage(app, input);
    },
  });
  await listener.start();
});
afterAll(async () => {
  await listener?.close();
  await database?.drop();
});

async function send(to: string[], raw: Buffer, from = 'deniz@client.example') {
  const client = createRawMailClient(listener.address());
  try {
    return await client.send({ from, to }, raw);
  } finally {
    client.close();
  }
}

async function rawMailRows(messageId: string) {
  return await database.db.execute(sql`select mailbox, source, ticket_id from raw_mail where message_id = ${messageId} order by mailbox`) as unknown as
    { mailbox: string; source: string; ticket_id: number | null }[];
}

describe('local SMTP listener', () => {
  it('answers 250 only after the mail is a ticket', async () => {
    const answer = await send(['support@sanarise.example'], buildMail({ messageId: '<one@client.example>' }));
    expect(answer).toMatch(/^250/);
    const rows = await rawMailRows('<one@client.example>');
    expect(rows).toEqual([{ mailbox: 'support', source: 'smtp', ticket_id: expect.anything() }]);
  });

  it('ingests a mail to both addresses once per mailbox, as two IMAP mailboxes would', async () => {
    const raw = buildMail({ messageId: '<both@client.example>', to: 'support@sanarise.example', cc: 'management@sanarise.example' });
    await send(['support@sanarise.example', 'MANAGEMENT@sanarise.example', 'support@sanarise.example'], raw);
    expect((await rawMailRows('<both@client.example>')).map((r) => r.mailbox)).toEqual(['management', 'support']);
  });

  it('takes plus-addressed agent replies for the mailbox', async () => {
    await send(['support+abc234@sanarise.example'], buildMail({ messageId: '<plus@client.example>' }));
    expect((await rawMailRows('<plus@client.example>')).map((r) => r.mailbox)).toEqual(['support']);
  });

  it('refuses any other recipient with 550 and ingests nothing', async () => {
    const before = calls.length;
    const err = await send(['someone@elsewhere.example'], buildMail({ messageId: '<stranger@client.example>' })).catch((e: SlagateError) => e);
    expect((err as SlagateError).code).toBe('SMTP_PERMANENT');
    expect((err as Error).message).toMatch(/550/);
    expect(calls.length).toBe(before);
  });

  it('refuses a message over the size limit with 552', async () => {
    const before = calls.length;
    const err = await send(['support@sanarise.example'], buildMail({ body: 'x'.repeat(30_000) })).catch((e: SlagateError) => e);
    expect((err as Error).message).toMatch(/552/);
    expect(calls.length).toBe(before);
  });

  it('keeps the envelope sender as Return-Path: mail with a null sender gets no automatic answer', async () => {
    await send(['support@sanarise.example'], buildMail({ messageId: '<null-sender@client.example>' }), '');
    await send(['support@sanarise.example'], buildMail({ messageId: '<real-sender@client.example>' }));
    const rows = await database.db.execute(sql`select message_id, acknowledge from raw_mail
      where message_id in ('<null-sender@client.example>', '<real-sender@client.example>') order by message_id`) as unknown as
      { message_id: string; acknowledge: boolean }[];
    expect(rows).toEqual([
      { message_id: '<null-sender@client.example>', acknowledge: false },
      { message_id: '<real-sender@client.example>', acknowledge: true },
    ]);
  });
});

describe('local SMTP listener with the database down', () => {
  it('answers 451 so the sender keeps the mail and tries again', async () => {
    const config = testConfig('postgres://postgres@127.0.0.1:1/nowhere');
    const down = await openDatabase(config.database, { max: 1 });
    const broken = createSmtpListener({
      config, clock: () => new Date(), logger, port: 0,
      ingest: (input) => ingestMessage({ db: down.db, config, logger, clock: () => new Date() }, input),
    });
    await broken.start();
    const client = createRawMailClient(broken.address());
    try {
      const err = await client.send({ from: 'deniz@client.example', to: ['support@sanarise.example'] }, buildMail({})).catch((e: SlagateError) => e);
      expect((err as SlagateError).code).toBe('SMTP_TEMPORARY');
      expect((err as Error).message).toMatch(/451/);
    } finally {
      client.close();
      await broken.close();
      await down.close();
    }
  });
});

describe('mailboxOf', () => {
  const config = testConfig('postgres://unused');
  it.each([
    ['support@sanarise.example', 'support'],
    ['Support@Sanarise.Example', 'support'],
    ['support+token@sanarise.example', 'support'],
    ['management@sanarise.example', 'management'],
    ['supportx@sanarise.example', null],
    ['support@sanarise.example.evil', null],
    ['+support@sanarise.example', null],
  ])('%s → %s', (address, mailbox) => {
    expect(mailboxOf(config, address)).toBe(mailbox);
  });
});
