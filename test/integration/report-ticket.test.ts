import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import { openDatabase } from '../../src/db/client.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { createFileSender } from '../../src/smtp/create-file-sender.js';
import { createOutboxWorker } from '../../src/workers/outbox-worker.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('a client asking for a report', () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(async () => { await database.drop(); });

  it('gets last month\'s report of their own organisation attached to the team notification', async () => {
    const config = testConfig(database.url);
    const logger = pino({ level: 'silent' });
    let now = new Date('2026-10-12T08:00:00Z');
    const deps = { db: database.db, config, logger, clock: () => now };
    const ingest = (from: string, subject: string, mailbox: 'support' | 'management' = 'support') =>
      ingestMessage(deps, { raw: buildMail({ from, subject }), mailbox, receivedAt: now, source: 'cli' });
    // October: two tickets from acme, one from another client, and a private complaint from acme.
    await ingest('Ali <ali@acme-lojistik.example>', '[Hata] Depo ekranı');
    await ingest('Veli <veli@acme-lojistik.example>', '[Soru] Fatura ayarı');
    await ingest('Other <x@other-firma.example>', '[Soru] Başka müşteri');
    await ingest('Ali <ali@acme-lojistik.example>', 'Temsilciden şikayetçiyim', 'management');

    now = new Date('2026-11-03T08:00:00Z');
    const asked = await ingest('Ali <ali@acme-lojistik.example>', '[Rapor] Ekim ayı helpdesk raporu');
    expect(asked.ticket).toMatchObject({ type: 'report' });
    const notices = await database.db.select().from(outbox)
      .where(and(eq(outbox.ticketId, asked.ticket!.id), eq(outbox.kind, 'team-new-ticket')));
    expect(notices).toHaveLength(2);
    const [file] = notices[0]!.attachments;
    expect(file!.filename).toBe('sla-report-acme-lojistik.example-2026-10.html');
    // The mail names the file it carries (issue 23), in the agent's language.
    expect(notices.map((n) => n.text).join('\n')).toMatch(/raporu ekte: sla-report-acme-lojistik\.example-2026-10\.html|report for last month is attached: sla-report-acme-lojistik\.example-2026-10\.html/);
    // Ingest only names the report (issue 26): it is rendered when the mail is sent.
    expect(file).toEqual({ filename: 'sla-report-acme-lojistik.example-2026-10.html', contentType: 'text/html; charset=utf-8',
      report: { client: 'acme-lojistik.example', month: '2026-10' } });

    // The attachment goes out with the mail.
    const dir = mkdtempSync(join(tmpdir(), 'slagate-report-ticket-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const worker = createOutboxWorker({ db: database.db, config, sender: createFileSender(dir), clock: () => now, logger, owner: 'report-test' });
    while (await worker.tick() > 0);
    const eml = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).find((m) => m.includes('sla-report-acme-lojistik.example-2026-10.html'));
    expect(eml).toMatch(/Content-Disposition: attachment;\s+filename=sla-report-acme-lojistik\.example-2026-10\.html/);
    const html = (await simpleParser(eml!)).attachments.find((a) => a.filename === 'sla-report-acme-lojistik.example-2026-10.html')!.content.toString('utf8');
    expect(html).toContain('acme-lojistik.example');
    expect(html).not.toContain('other-firma.example');
    expect(html).not.toContain('Submit a Complaint');
  });

  it('reads no figures when no agent is on staff: only the agents\' notification would carry them', async () => {
    const config = testConfig(database.url, {
      people: [{ address: 'manager@sanarise.example', name: 'Can Öztürk', role: 'manager', language: 'tr' }],
    });
    let statements = 0;
    const counted = await openDatabase(config.database, { onStatement: () => { statements += 1; } });
    onTestFinished(() => counted.close());
    const now = new Date('2026-11-04T08:00:00Z');
    const deps = { db: counted.db, config, logger: pino({ level: 'silent' }), clock: () => now };
    const statementsFor = async (from: string, subject: string) => {
      const before = statements;
      const outcome = await ingestMessage(deps, { raw: buildMail({ from, subject }), mailbox: 'support', receivedAt: now, source: 'cli' });
      return { outcome, statements: statements - before };
    };
    const question = await statementsFor('Ayşe <ayse@kuzey-gida.example>', '[Soru] Fatura ayarı');
    const report = await statementsFor('Ayşe <ayse@kuzey-gida.example>', '[Rapor] Ekim ayı helpdesk raporu');
    expect(report.outcome.ticket).toMatchObject({ type: 'report' });
    expect(question.outcome.ticket).toMatchObject({ type: 'question' });
    // With agents on staff the report costs three more statements (its tickets, pauses and alerts).
    expect(report.statements).toBe(question.statements);
  });
});
