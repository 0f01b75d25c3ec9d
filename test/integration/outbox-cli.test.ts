import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, getOutbox } from '../../src/db/repositories/outbox-repository.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { eq } from 'drizzle-orm';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let id: number;

function run(...args: string[]): Promise<CliResult> {
  return runCli(args);
}

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  await enqueue(database.db, {
    dedupeKey: 'cli:1', kind: 'survey', ticketId: null, messageId: '<cli.1@slagate.test>',
    from: { name: 'S', address: 'support@sanarise.example' }, replyTo: null, to: [{ name: 'D', address: 'deniz@client.example' }],
    cc: [], subject: '[#SR-1] Survey', text: 't', html: '<p>t</p>', headers: {},
  });
  const [row] = await database.db.select().from(outbox);
  id = row!.id;
  await database.db.update(outbox).set({ status: 'failed', attempts: 12, lastError: 'SMTP 554: rejected' }).where(eq(outbox.id, id));
});
afterAll(async () => {
  delete process.env.DATABASE_URL;
  await database.drop();
});

describe('slagate outbox', () => {
  it('lists mail by status, as text or JSON', async () => {
    const text = await run('outbox', 'list', '--status', 'failed');
    expect(text.code).toBe(0);
    expect(text.out).toContain('deniz@client.example');
    const json = await run('outbox', 'list', '--json');
    expect(JSON.parse(json.out.trim())).toMatchObject({ id, status: 'failed', lastError: 'SMTP 554: rejected' });
    expect((await run('outbox', 'list', '--status', 'sent')).out).toBe('no outgoing mail\n');
  });

  it('shows one mail and retries a failed one with fresh attempts', async () => {
    expect(JSON.parse((await run('outbox', 'show', String(id))).out)).toMatchObject({ id, messageId: '<cli.1@slagate.test>' });
    expect((await run('outbox', 'retry', String(id))).code).toBe(0);
    expect(await getOutbox(database.db, id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await run('outbox', 'show', '999999')).code).toBe(65);
  });
});
