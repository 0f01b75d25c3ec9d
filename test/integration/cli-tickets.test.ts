import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { closePause, openPause, updateTicket } from '../../src/db/repositories/ticket-repository.js';
import { buildMail } from '../helpers/mail-builder.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let dir: string;
let configPath: string;
const HOUR = 3_600_000;
const numbers: Record<string, string> = {};

function run(...args: string[]): Promise<CliResult> {
  return runCli(['-c', configPath, ...args]);
}

const listed = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { number: string; breached: boolean; private: boolean; requestedPriority: string | null; priority: string });

function withAttachment(messageId: string): Buffer {
  return Buffer.from([
    'From: Deniz <deniz@client.example>', 'To: support@sanarise.example', 'Subject: [Question] Export to Excel',
    `Message-ID: ${messageId}`, 'Date: Mon, 16 Mar 2026 10:00:00 +0300', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', '',
    'Hello,', '', 'how do I export the invoice list to Excel?', 'Second line.', 'Third line.', 'Fourth line never shown.', '',
    '--b1', 'Content-Type: application/pdf; name="invoice.pdf"', 'Content-Disposition: attachment; filename="invoice.pdf"',
    'Content-Transfer-Encoding: base64', '', Buffer.from('%PDF-1.4 fake').toString('base64'), '--b1--', '',
  ].join('\r\n'));
}

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'slagate-cli-tickets-'));
  configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url } }));
  const now = new Date();
  const deps: IngestDeps = { db: database.db, config: testConfig(database.url), logger: pino({ level: 'silent' }), clock: () => now };
  const ingest = async (key: string, raw: Buffer, receivedAt: Date, mailbox: 'support' | 'management' = 'support') => {
    const o = await ingestMessage(deps, { raw, mailbox, receivedAt, source: 'cli' });
    numbers[key] = o.ticket!.number;
    return o.ticket!.id;
  };
  // Critical runs 24/7 with a one-hour first response: three hours ago it is certainly breached.
  await ingest('late', buildMail({ subject: '[Critical] [Bug] Checkout down', messageId: '<late@client.example>' }), new Date(now.getTime() - 3 * HOUR));
  // Received this instant with four working hours to answer: certainly not breached yet.
  await ingest('fresh', withAttachment('<fresh@client.example>'), now);
  // [Critical] is not allowed on a website ticket: granted high, asked critical.
  await ingest('website', buildMail({ subject: '[Critical] [Website] Banner broken', messageId: '<web@client.example>' }), now);
  await ingest('complaint', buildMail({ subject: 'Unhappy with the team', messageId: '<complaint@client.example>' }), now, 'management');
  // Monday 18 May 2026 17:00 Istanbul, the day before a holiday; qualified and paused two working hours.
  const pastId = await ingest('past', buildMail({ subject: '[Bug] Report totals wrong', messageId: '<past@client.example>' }), new Date('2026-05-18T14:00:00Z'));
  await updateTicket(database.db, pastId, {
    status: 'open', firstResponseAt: new Date('2026-05-20T06:00:00Z'), qualifiedAt: new Date('2026-05-20T07:00:00Z'),
  }, now);
  await openPause(database.db, pastId, new Date('2026-05-20T08:00:00Z'));
  await closePause(database.db, pastId, new Date('2026-05-20T10:00:00Z'));
});

afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('slagate tickets list', () => {
  it('lists team tickets with granted and requested priority, and never a private one', async () => {
    const text = await run('tickets', 'list');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^NUMBER\s+STATUS\s+PRIORITY/);
    expect(text.out).toContain('high (asked critical)');
    expect(text.out).not.toContain(numbers.complaint!);
    const json = listed((await run('tickets', 'list', '--json')).out);
    expect(json.map((t) => t.number).sort()).toEqual([numbers.late, numbers.fresh, numbers.website, numbers.past].sort());
    expect(json.find((t) => t.number === numbers.website)).toMatchObject({ priority: 'high', requestedPriority: 'critical' });
    expect(json.find((t) => t.number === numbers.fresh)).toMatchObject({ requestedPriority: null });
  });

  it('shows private tickets to management only with --private', async () => {
    const json = listed((await run('tickets', 'list', '--private', '--json')).out);
    expect(json.find((t) => t.number === numbers.complaint)).toMatchObject({ private: true });
    expect((await run('tickets', 'list', '--private')).out).toContain(`${numbers.complaint} (private)`);
  });

  it('filters by priority, status and breach, and honours the limit', async () => {
    expect(listed((await run('tickets', 'list', '--priority', 'critical', '--json')).out).map((t) => t.number)).toEqual([numbers.late]);
    // Any alias of a priority names it, as in subjects (issue 25): English, Turkish, P-numbers, any case.
    for (const alias of ['urgent', 'acil', 'P1', 'KRİTİK']) {
      expect(listed((await run('tickets', 'list', '--priority', alias, '--json')).out).map((t) => t.number)).toEqual([numbers.late]);
    }
    const bogus = await run('tickets', 'list', '--priority', 'whenever');
    expect(bogus.code).toBe(64);
    expect(bogus.err).toMatch(/"whenever" is not a priority/);
    expect(listed((await run('tickets', 'list', '--status', 'open', '--json')).out).map((t) => t.number)).toEqual([numbers.past]);
    const breached = listed((await run('tickets', 'list', '--breached', '--json')).out);
    expect(breached.map((t) => t.number).sort()).toEqual([numbers.late, numbers.past].sort());
    expect(breached.every((t) => t.breached)).toBe(true);
    expect(listed((await run('tickets', 'list', '--breached', '--limit', '1', '--json')).out)).toHaveLength(1);
    expect(listed((await run('tickets', 'list', '--limit', '2', '--json')).out)).toHaveLength(2);
  });

  it('refuses an unknown status or a bad limit as a usage error', async () => {
    expect((await run('tickets', 'list', '--status', 'lost')).code).toBe(64);
    expect((await run('tickets', 'list', '--limit', 'x')).code).toBe(64);
  });
});

describe('slagate ticket show', () => {
  it('explains every deadline: start, calendar, holidays, pauses and due', async () => {
    const r = await run('ticket', 'show', numbers.past!);
    expect(r.code).toBe(0);
    expect(r.out).toContain('first-response: received Mon 2026-05-18 17:00 (+03:00)');
    expect(r.out).toContain('skipped holiday Tue 2026-05-19');
    expect(r.out).toMatch(/first-response: .*due Wed 2026-05-20 12:00; met Wed 2026-05-20 09:00/);
    expect(r.out).toMatch(/resolution: qualified Wed 2026-05-20 10:00 .*paused Wed 2026-05-20 11:00 to Wed 2026-05-20 13:00 \(\+120 working minutes\).*due /);
    expect(r.out).toContain('Pauses (waiting on the client)');
  });

  it('shows messages with their first lines and attachments, events and outgoing mail', async () => {
    const r = await run('ticket', 'show', numbers.fresh!);
    expect(r.out).toContain('| how do I export the invoice list to Excel?');
    expect(r.out).not.toContain('Fourth line never shown');
    expect(r.out).toContain('attachment: invoice.pdf application/pdf');
    expect(r.out).toMatch(/system\s+created/);
    expect(r.out).toMatch(/#\d+ {2}acknowledgement {2}to deniz@client\.example {2}pending/);
    const json = JSON.parse((await run('ticket', 'show', numbers.fresh!.replace(/^SR-/, ''), '--json')).out);
    expect(json.ticket).toMatchObject({ number: numbers.fresh, type: 'question', priority: 'medium' });
    expect(json.deadlines[0]).toMatchObject({ clock: 'first-response', calendar: expect.any(String), text: expect.stringContaining('due ') });
    expect(json.messages[0].attachments).toEqual([expect.objectContaining({ filename: 'invoice.pdf', contentType: 'application/pdf' })]);
    expect(json.outbox.map((m: { kind: string }) => m.kind)).toContain('acknowledgement');
  });

  it('keeps a private ticket hidden without --private, with the same words as a missing one', async () => {
    const hidden = await run('ticket', 'show', numbers.complaint!);
    const missing = await run('ticket', 'show', 'SR-999999');
    expect(hidden.code).toBe(65);
    expect(missing.code).toBe(65);
    expect(hidden.err.replace(numbers.complaint!, 'N')).toBe(missing.err.replace('SR-999999', 'N'));
    expect((await run('ticket', 'show', numbers.complaint!, '--private')).out).toContain('(private, management only)');
  });

  it('answers "what happened to this mail?" from a Message-ID', async () => {
    const r = await run('ticket', 'show', '<web@client.example>');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/raw mail \d+ in mailbox support \(via cli\)/);
    expect(r.out).toContain('decision new-ticket');
    expect(r.out).toContain(`ticket ${numbers.website} (new, website, high)`);
    const json = JSON.parse((await run('ticket', 'show', 'web@client.example', '--json')).out);
    expect(json.records[0]).toMatchObject({ mailbox: 'support', decision: 'new-ticket', quarantine: null, ticket: { number: numbers.website } });
  });

  it('traces a mail to a private ticket only with --private (issue 20: without it, as if it did not exist)', async () => {
    const team = await run('ticket', 'show', '<complaint@client.example>');
    expect(team.out).not.toContain('private');
    expect(team.err).toContain('no ticket or mail');
    expect(team.out).not.toContain(numbers.complaint!);
    expect((await run('ticket', 'show', '<complaint@client.example>', '--private')).out).toContain(`ticket ${numbers.complaint}`);
  });
});
