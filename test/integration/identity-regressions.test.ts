import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { outbox, suppressions } from '../../src/db/schema/outbox.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/regressions');
const NOW = new Date('2026-03-16T07:10:00Z');

/** Issue 21 regressions, each from a fixture mail as a real client wrote it. */
describe('reply-by-email regressions (issue 21)', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  const ingest = (raw: Buffer) => ingestMessage(deps, { raw, mailbox: 'support', receivedAt: NOW, source: 'cli' });
  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: 'silent' }), clock: () => NOW };
  });
  afterAll(async () => { await database.drop(); });

  it('an agent\'s Outlook forward to the plain support address opens no ticket, acks no one, and tells the agent', async () => {
    const outcome = await ingest(readFileSync(join(FIXTURES, 'staff-outlook-forward-to-plain-support.eml')));
    expect(outcome).toMatchObject({ decision: 'refused', acknowledge: false, ticket: null });
    expect(outcome.reason).toContain('no-signed-address');
    expect(await database.db.select().from(tickets)).toHaveLength(0);
    const sent = await database.db.select().from(outbox);
    expect(sent.map((r) => [r.kind, r.to[0]!.address])).toEqual([['staff-mail-refused', 'ayse@sanarise.example']]);
    expect(sent[0]!.subject).toContain('uygulanmadı');
  });

  it('a forged delivery report quoting our acknowledgement\'s Message-ID suppresses no one', async () => {
    const opened = await ingest(buildMail({ from: 'Deniz Arslan <deniz@anadolu.example>', subject: '[Soru] Fatura' }));
    const [ack] = await database.db.select().from(outbox).where(eq(outbox.ticketId, opened.ticket!.id)).then((rows) => rows.filter((r) => r.kind === 'acknowledgement'));
    const raw = readFileSync(join(FIXTURES, 'forged-dsn-to-plain-address.eml'), 'latin1').replace('MESSAGE_ID_OF_OUR_ACK', ack!.messageId);
    const outcome = await ingest(Buffer.from(raw, 'latin1'));
    expect(outcome.decision).toBe('bounce');
    expect(outcome.reason).toContain('changes nothing');
    expect(await database.db.select().from(suppressions)).toHaveLength(0);
    const [after] = await database.db.select().from(outbox).where(eq(outbox.id, ack!.id));
    expect(after!.status).not.toBe('bounced');
  });
});
