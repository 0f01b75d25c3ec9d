import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestInput } from '../../src/inbound/ingest-types.js';
import { openDatabase } from '../../src/db/client.js';
import { SlagateError } from '../../src/errors.js';
import { createLmtpListener, type LmtpListener } from '../../src/mail-listeners/lmtp-listener.js';
import { buildMail } from '../helpers/mail-builder.js';
import { openLmtpSession } from '../helpers/lmtp-client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testConfig } from '../helpers/test-config.js';

/**
 * The LMTP listener against a real LMTP client (nodemailer's, in LMTP mode) and PostgreSQL: one
 * reply per recipient after DATA, given only after that recipient's mailbox committed.
 */

const logger = pino({ level: 'silent' });
let database: TestDatabase;
let listener: LmtpListener;
let calls: IngestInput[];
/** Mailboxes whose next ingest fails as a database outage would (transient). */
const failing = new Set<string>();
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'slagate-lmtp-'));
  const config = testConfig(database.url, { limits: { maxMessageBytes: 20_000 } });
  calls = [];
  const app = { db: database.db, config, logger, clock: () => new Date() };
  listener = createLmtpListener({
    config, clock: () => new Date(), logger, listen: { host: '127.0.0.1', port: 0 },
    ingest: async (input) => {
      calls.push(input);
      if (failing.delete(input.mailbox)) throw new SlagateError('DB_UNAVAILABLE', 'connection refused');
      return ingestMessage(app, input);
    },
  });
  await listener.start();
});
afterAll(async () => {
  await listener?.close();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function transport(address = listener.address()) {
  return nodemailer.createTransport({
    lmtp: true, ...('socket' in address ? {} : { host: address.host, port: address.port }), secure: false, ignoreTLS: true,
    name: 'mx.test',
  } as never);
}

async function send(to: string[], raw: Buffer, from = 'deniz@client.example') {
  const t = transport();
  try {
    return await t.sendMail({ envelope: { from, to }, raw });
  } finally {
    t.close();
  }
}

/** The reply code a recipient got after DATA (or at RCPT), whether nodemailer resolved or threw. */
function codeFor(result: unknown, recipient: string): number {
  const r = result as { accepted?: string[]; rejectedErrors?: { recipient?: string; response?: string; responseCode?: number }[]; responseCode?: number; response?: string };
  if (r.accepted?.includes(recipient)) return 250;
  const e = r.rejectedErrors?.find((x) => x.recipient === recipient);
  if (e) return e.responseCode ?? Number(String(e.response).slice(0, 3));
  return r.responseCode ?? Number(String(r.response).slice(0, 3));
}

async function rawMailRows(messageId: string) {
  return await database.db.execute(sql`select mailbox, source, ticket_id from raw_mail where message_id = ${messageId} order by mailbox`) as unknown as
    { mailbox: string; source: string; ticket_id: number | null }[];
}

describe('LMTP listener', () => {
  it('answers 250 only once the mail is committed, and records it as come by LMTP', async () => {
    const info = await send(['support@sanarise.example'], buildMail({ messageId: '<lmtp-one@client.example>' }));
    expect(info.accepted).toEqual(['support@sanarise.example']);
    expect(info.response).toMatch(/^250 2\.0\.0 support: new-ticket SR-/);
    // Read right after the reply: the row is there, the reply was not given before the commit.
    expect(await rawMailRows('<lmtp-one@client.example>')).toEqual([{ mailbox: 'support', source: 'lmtp', ticket_id: expect.anything() }]);
  });

  it('delivers a mail to support and management once per mailbox, each recipient with its own reply', async () => {
    const raw = buildMail({ messageId: '<lmtp-both@client.example>', to: 'support@sanarise.example', cc: 'management@sanarise.example' });
    const info = await send(['support@sanarise.example', 'Management@sanarise.example'], raw);
    expect(info.accepted.sort()).toEqual(['Management@sanarise.example', 'support@sanarise.example']);
    expect((await rawMailRows('<lmtp-both@client.example>')).map((r) => r.mailbox)).toEqual(['management', 'support']);
  });

  it('refuses an unknown recipient at RCPT with 550 and delivers to the others', async () => {
    const before = calls.length;
    const info = await send(['stranger@elsewhere.example', 'support@sanarise.example'], buildMail({ messageId: '<lmtp-stranger@client.example>' }));
    expect(info.rejected).toEqual(['stranger@elsewhere.example']);
    expect(String((info as { rejectedErrors?: { response: string }[] }).rejectedErrors?.[0]?.response)).toMatch(/^550 5\.1\.1/);
    expect(calls.length).toBe(before + 1);
    const only = await send(['stranger@elsewhere.example'], buildMail({})).catch((e: Error) => e);
    expect(codeFor(only, 'stranger@elsewhere.example')).toBe(550);
    expect(calls.length).toBe(before + 1);
  });

  it('answers 451 for the recipient whose mailbox could not commit, 250 for the other; the retry stores nothing twice', async () => {
    const raw = buildMail({ messageId: '<lmtp-half@client.example>', to: 'support@sanarise.example', cc: 'management@sanarise.example' });
    failing.add('support');
    const info = await send(['support@sanarise.example', 'management@sanarise.example'], raw);
    expect(info.accepted).toEqual(['management@sanarise.example']);
    expect(info.rejected).toEqual(['support@sanarise.example']);
    expect(String((info as { rejectedErrors?: { response: string }[] }).rejectedErrors?.[0]?.response)).toMatch(/^451 4\.3\.0/);
    expect((await rawMailRows('<lmtp-half@client.example>')).map((r) => r.mailbox)).toEqual(['management']);
    // The MTA retries the deferred recipient only.
    const retry = await send(['support@sanarise.example'], raw);
    expect(retry.accepted).toEqual(['support@sanarise.example']);
    // A retry of both (an MTA that lost the first reply) is answered, and stored once each.
    const again = await send(['support@sanarise.example', 'management@sanarise.example'], raw);
    expect(again.response).toMatch(/duplicate/);
    expect((await rawMailRows('<lmtp-half@client.example>')).map((r) => r.mailbox)).toEqual(['management', 'support']);
  });

  it('reads the management copy first: the support copy of a Bcc to management joins the private ticket (issue 20)', async () => {
    // Nothing in this mail names management: only the envelope does.
    const raw = buildMail({ messageId: '<lmtp-bcc@client.example>', to: 'support@sanarise.example', subject: 'Temsilci hakkında' });
    const info = await send(['support@sanarise.example', 'management@sanarise.example'], raw);
    expect(info.accepted.sort()).toEqual(['management@sanarise.example', 'support@sanarise.example']);
    const rows = await rawMailRows('<lmtp-bcc@client.example>');
    expect(rows.map((r) => r.mailbox)).toEqual(['management', 'support']);
    expect(rows[0]!.ticket_id).not.toBeNull();
    expect(rows[1]!.ticket_id, 'the support copy is recorded on the private ticket').toBe(rows[0]!.ticket_id);
    const tickets = await database.db.execute(sql`select private from tickets where id = ${rows[0]!.ticket_id}`) as unknown as { private: boolean }[];
    expect(tickets).toEqual([{ private: true }]);
  });

  it('does not take the support copy while its management copy is not stored: both get 451 (issue 20)', async () => {
    const raw = buildMail({ messageId: '<lmtp-bcc-down@client.example>', to: 'support@sanarise.example', subject: 'Temsilci hakkında' });
    failing.add('management');
    const before = calls.length;
    const failed = await send(['support@sanarise.example', 'management@sanarise.example'], raw).catch((e: Error) => e);
    expect(codeFor(failed, 'support@sanarise.example')).toBe(451);
    expect(codeFor(failed, 'management@sanarise.example')).toBe(451);
    expect(calls.length, 'only the management copy was tried').toBe(before + 1);
    expect(await rawMailRows('<lmtp-bcc-down@client.example>')).toEqual([]);
    // The MTA's retry of both: one private ticket.
    await send(['support@sanarise.example', 'management@sanarise.example'], raw);
    const rows = await rawMailRows('<lmtp-bcc-down@client.example>');
    expect(rows.map((r) => r.mailbox)).toEqual(['management', 'support']);
    expect(rows[1]!.ticket_id).toBe(rows[0]!.ticket_id);
  });

  it('refuses a message over the size limit with 552 for every recipient', async () => {
    const before = calls.length;
    const result = await send(['support@sanarise.example', 'management@sanarise.example'], buildMail({ body: 'x'.repeat(30_000) })).catch((e: Error) => e);
    expect(codeFor(result, 'support@sanarise.example')).toBe(552);
    expect(codeFor(result, 'management@sanarise.example')).toBe(552);
    expect(calls.length).toBe(before);
  });

  it('records MAIL FROM as Return-Path: a null sender gets no automatic answer', async () => {
    await send(['support@sanarise.example'], buildMail({ messageId: '<lmtp-null@client.example>' }), '');
    const rows = await database.db.execute(sql`select acknowledge from raw_mail where message_id = '<lmtp-null@client.example>'`) as unknown as { acknowledge: boolean }[];
    expect(rows).toEqual([{ acknowledge: false }]);
  });

  it('keeps dot-stuffed lines and 8-bit Turkish text byte for byte', async () => {
    const body = '.\r\n..iki nokta\r\nŞikayet: İŞLEM ÇALIŞMIYOR ğüşıöç\r\n.';
    const raw = buildMail({ messageId: '<lmtp-dots@client.example>', body });
    await send(['support@sanarise.example'], raw);
    const rows = await database.db.execute(sql`select raw from raw_mail where message_id = '<lmtp-dots@client.example>'`) as unknown as { raw: Buffer }[];
    expect(Buffer.from(rows[0]!.raw).toString('utf8')).toBe(`Return-Path: <deniz@client.example>\r\n${raw.toString('utf8')}`);
  });
});

describe('LMTP listener on a Unix socket', () => {
  it('takes mail on the socket and removes the socket file when it closes', async () => {
    const socket = join(dir, 'run', 'lmtp.sock');
    const config = testConfig(database.url);
    const onSocket = createLmtpListener({
      config, clock: () => new Date(), logger, listen: { socket }, socketMode: 0o660,
      ingest: (input) => ingestMessage({ db: database.db, config, logger, clock: () => new Date() }, input),
    });
    await onSocket.start();
    try {
      expect(statSync(socket).mode & 0o777).toBe(0o660);
      const session = await openLmtpSession(socket);
      const reply = await session.deliver({ from: 'deniz@client.example', to: 'support@sanarise.example', raw: buildMail({ messageId: '<lmtp-sock@client.example>' }) });
      await session.close();
      expect(reply.code).toBe(250);
      expect((await rawMailRows('<lmtp-sock@client.example>')).map((r) => r.source)).toEqual(['lmtp']);
      // A second listener on a live socket is refused rather than cutting the first one off.
      const second = createLmtpListener({ config, clock: () => new Date(), logger, listen: { socket }, ingest: async () => { throw new Error('unused'); } });
      await expect(second.start()).rejects.toThrow(/already listens/);
    } finally {
      await onSocket.close();
    }
    expect(() => statSync(socket)).toThrow();
  });

  it('takes over a socket file left by a killed gateway', async () => {
    const socket = join(dir, 'stale.sock');
    const { createServer } = await import('node:net');
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(socket, r));
    // Closing a listening Unix server removes its file; a killed process leaves it: recreate that.
    await new Promise<void>((r) => { (dead as unknown as { _handle: { close(): void } })._handle.close(); dead.unref(); r(); });
    const config = testConfig(database.url);
    const after = createLmtpListener({ config, clock: () => new Date(), logger, listen: { socket }, ingest: async () => { throw new Error('unused'); } });
    await after.start();
    await after.close();
  });
});

describe('LMTP listener with the database down', () => {
  it('answers 451 so the MTA keeps the mail and tries again', async () => {
    const config = testConfig('postgres://postgres@127.0.0.1:1/nowhere');
    const down = await openDatabase(config.database, { max: 1 });
    const broken = createLmtpListener({
      config, clock: () => new Date(), logger, listen: { host: '127.0.0.1', port: 0 },
      ingest: (input) => ingestMessage({ db: down.db, config, logger, clock: () => new Date() }, input),
    });
    await broken.start();
    const t = transport(broken.address());
    try {
      const result = await t.sendMail({ envelope: { from: 'deniz@client.example', to: ['support@sanarise.example'] }, raw: buildMail({}) }).catch((e: Error) => e);
      expect(codeFor(result, 'support@sanarise.example')).toBe(451);
    } finally {
      t.close();
      await broken.close();
      await down.close();
    }
  });
});
