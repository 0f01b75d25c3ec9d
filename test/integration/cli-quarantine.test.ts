import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarantineOversized } from '../../src/app/ingest/quarantine-oversized.js';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { quarantine } from '../../src/db/schema/quarantine.js';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let dir: string;
let normalConfig: string;
let tinyConfig: string;

function run(config: string, ...args: string[]): Promise<CliResult> {
  return runWith({ tty: false }, config, ...args);
}

function runWith(options: { tty: boolean }, config: string, ...args: string[]): Promise<CliResult> {
  return runCli(['-c', config, ...args], options);
}

/** A mail over the tiny config's 1024-byte limit, ingested through the CLI as an MTA would. */
async function quarantineBigMail(messageId: string): Promise<number> {
  const file = join(dir, `${messageId.replace(/\W/g, '')}.eml`);
  writeFileSync(file, buildMail({ subject: '[Question] Long question about exports', messageId, body: 'Please help.\n'.repeat(150) }));
  const r = await run(tinyConfig, 'ingest', file);
  expect(r.out).toContain('quarantined - MESSAGE_TOO_LARGE');
  const [row] = await database.db.select({ id: quarantine.id }).from(quarantine)
    .innerJoin(rawMail, eq(rawMail.id, quarantine.rawMailId)).where(eq(rawMail.messageId, messageId));
  return row!.id;
}

const quarantineRow = async (id: number) => (await database.db.select().from(quarantine).where(eq(quarantine.id, id)))[0]!;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'slagate-cli-quarantine-'));
  normalConfig = join(dir, 'normal.json');
  tinyConfig = join(dir, 'tiny.json');
  writeFileSync(normalConfig, JSON.stringify({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url } }));
  writeFileSync(tinyConfig, JSON.stringify({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url }, limits: { maxMessageBytes: 1024 } }));
});

afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('slagate quarantine', () => {
  let id: number;

  it('lists and shows a quarantined mail with its reason, sizes and headers', async () => {
    id = await quarantineBigMail('<big-1@client.example>');
    const list = await run(normalConfig, 'quarantine', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^\\s*${id}\\s.*support\\s+MESSAGE_TOO_LARGE.*<big-1@client\\.example>`, 'm'));
    expect(JSON.parse((await run(normalConfig, 'quarantine', 'list', '--json')).out.split('\n')[0]!)).toMatchObject({ id, reasonCode: 'MESSAGE_TOO_LARGE' });
    const show = await run(normalConfig, 'quarantine', 'show', String(id));
    expect(show.out).toContain(`quarantine ${id}: MESSAGE_TOO_LARGE: message is`);
    expect(show.out).toContain('(all stored)');
    expect(show.out).toContain('    Message-ID: <big-1@client.example>');
    expect(show.out).not.toContain('Please help.');
    expect((await run(normalConfig, 'quarantine', 'show', '999999')).code).toBe(65);
  });

  it('keeps a mail quarantined with the new reason while the cause remains', async () => {
    const r = await run(tinyConfig, 'quarantine', 'retry', String(id));
    expect(r.code).toBe(65);
    expect(r.out).toContain(`quarantine ${id}: still quarantined - MESSAGE_TOO_LARGE: message is`);
    expect(await quarantineRow(id)).toMatchObject({ retryCount: 1, resolvedAt: null, reason: expect.stringContaining('over the limit') });
  });

  it('turns the stored bytes into a ticket once the limit allows it, reusing the raw mail row', async () => {
    const r = await run(normalConfig, 'quarantine', 'retry', String(id));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`quarantine ${id}: new-ticket SR-\\d+ \\(question, medium\\)`));
    const q = await quarantineRow(id);
    expect(q).toMatchObject({ retryCount: 2, resolution: expect.stringMatching(/^retried: new-ticket SR-\d+$/) });
    expect(q.resolvedAt).toBeInstanceOf(Date);
    const raws = await database.db.select().from(rawMail).where(eq(rawMail.messageId, '<big-1@client.example>'));
    expect(raws).toHaveLength(1);
    expect(raws[0]).toMatchObject({ id: q.rawMailId, decision: 'new-ticket', ticketId: expect.any(Number) });
    const trace = await run(normalConfig, 'ticket', 'show', '<big-1@client.example>');
    expect(trace.out).toMatch(/quarantine \d+: was MESSAGE_TOO_LARGE; resolved .* after 2 retries/);
    expect(trace.out).toMatch(/ticket SR-\d+ \(new, question, medium\)/);

    const again = await run(normalConfig, 'quarantine', 'retry', String(id));
    expect(again.out).toContain('already resolved');
    expect(await database.db.select().from(tickets).where(eq(tickets.id, raws[0]!.ticketId!))).toHaveLength(1);
    expect((await database.db.select().from(tickets))).toHaveLength(1);
  });

  it('says clearly that a mail whose body was never downloaded cannot be retried', async () => {
    const config = testConfig(database.url);
    const headers = Buffer.from('From: Deniz <deniz@client.example>\r\nTo: support@sanarise.example\r\nSubject: Huge video\r\nMessage-ID: <huge@client.example>\r\n\r\n');
    const outcome = await quarantineOversized(
      { db: database.db, config, logger: pino({ level: 'silent' }), clock: () => new Date() },
      { mailbox: 'support', headers, size: 80_000_000, receivedAt: new Date(), imap: { uidvalidity: 1, uid: 7 } },
    );
    const [row] = await database.db.select().from(quarantine).where(eq(quarantine.rawMailId, outcome.rawMailId!));
    const show = await run(normalConfig, 'quarantine', 'show', String(row!.id));
    expect(show.out).toContain('80000000 bytes; only the');
    const r = await run(normalConfig, 'quarantine', 'retry', String(row!.id));
    expect(r.code).toBe(65);
    expect(r.out).toContain('cannot be retried - only the headers of this 80000000-byte mail were kept');
    expect(await quarantineRow(row!.id)).toMatchObject({ retryCount: 0, resolvedAt: null });
  });

  it('retries every open entry with --all and reports the ones that still fail', async () => {
    const a = await quarantineBigMail('<big-2@client.example>');
    const b = await quarantineBigMail('<big-3@client.example>');
    const r = await run(normalConfig, 'quarantine', 'retry', '--all');
    expect(r.code).toBe(65);
    expect(r.out).toMatch(new RegExp(`quarantine ${a}: new-ticket SR-\\d+`));
    expect(r.out).toMatch(new RegExp(`quarantine ${b}: new-ticket SR-\\d+`));
    expect(r.out).toContain('cannot be retried');
    // Not a terminal: no progress line mixed into stderr.
    expect(r.err).toBe('');
    expect((await run(normalConfig, 'quarantine', 'retry')).code).toBe(64);
    expect((await run(normalConfig, 'quarantine', 'retry', '1', '--all')).code).toBe(64);
  });

  it('shows progress on stderr when a person watches a terminal', async () => {
    const r = await runWith({ tty: true }, normalConfig, 'quarantine', 'retry', '--all');
    expect(r.err).toContain('retrying 1/1…');
    expect(r.out).toContain('cannot be retried');
    expect(r.out).not.toContain('retrying');
  });
});
