import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * drizzle asks postgres.js for unnamed statements, which cost a describe round trip and a parse
 * each time; src/db/prepared-statements.ts makes parameterised ones named and kept per connection.
 */
describe('prepared statements under drizzle', () => {
  let database: TestDatabase;

  beforeAll(async () => { database = await createTestDatabase({ poolMax: 1 }); });
  afterAll(async () => { await database.drop(); });

  const prepared = async () => {
    const rows = await database.db.execute(sql`select statement from pg_prepared_statements`) as unknown as { statement: string }[];
    return rows.map((r) => r.statement);
  };

  it('keeps a parameterised query prepared on its connection, in and out of transactions', async () => {
    const lookup = (id: number) => database.db.select({ id: rawMail.id }).from(rawMail).where(eq(rawMail.id, id));
    await lookup(1);
    await lookup(2);
    const afterPlain = (await prepared()).filter((s) => s.includes('from "raw_mail"'));
    expect(afterPlain).toHaveLength(1);

    await database.db.transaction(async (tx) => {
      await tx.select({ id: rawMail.id }).from(rawMail).where(eq(rawMail.id, 3));
      await tx.transaction(async (inner) => {
        await inner.select({ id: rawMail.mailbox }).from(rawMail).where(eq(rawMail.id, 4));
      });
    });
    const afterTx = (await prepared()).filter((s) => s.includes('from "raw_mail"'));
    // The same text reused, and the savepoint's own query added: one pool connection holds both.
    expect(afterTx).toHaveLength(2);
  });

  it('leaves statements without parameters unprepared (DDL, several statements in one string)', async () => {
    await database.db.execute(sql`create temporary table prepared_probe (n int); insert into prepared_probe values (1)`);
    const rows = await database.db.execute(sql`select count(*)::int as n from prepared_probe`) as unknown as { n: number }[];
    expect(rows[0]!.n).toBe(1);
    expect((await prepared()).some((s) => s.includes('prepared_probe'))).toBe(false);
  });
});
