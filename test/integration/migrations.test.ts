import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// drizzle wraps the driver's error; the server's message is the cause.
const appendOnly = { cause: { message: expect.stringMatching(/append-only/) } };

describe('migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(async () => { await database.drop(); });

  it('refuses to rewrite the ticket event log', async () => {
    await database.db.execute(sql`insert into tickets (number, mailbox, type, type_source, priority, priority_reason,
      requester_address, subject, received_at) values ('SR-1', 'support', 'other', 'default', 'low', 'default',
      'a@example.com', 's', now())`);
    await database.db.execute(sql`insert into ticket_events (ticket_id, at, actor, kind)
      select id, now(), 'system', 'created' from tickets`);
    await expect(database.db.execute(sql`update ticket_events set kind = 'x'`)).rejects.toMatchObject(appendOnly);
    await expect(database.db.execute(sql`delete from ticket_events`)).rejects.toMatchObject(appendOnly);
  });
});
