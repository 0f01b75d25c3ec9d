import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { databaseUrl, withAdmin } from './postgres-admin.js';

export interface TestDatabase extends Database {
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

let counter = 0;

/** A fresh database cloned from the run's migrated template, on the real PostgreSQL. */
export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const template = inject('pgTemplate');
  const name = `slagate_t_${inject('pgRunId')}_${process.pid}_${++counter}`;
  await withAdmin(async (sql) => {
    // Two clones of one template at the same instant can collide on the template's lock: retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await sql.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  const url = databaseUrl(name);
  const database = await openTestPool(url, options.poolMax ?? 5);
  return {
    ...database,
    url,
    name,
    async drop() {
      await database.close();
      await withAdmin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** The pool the tests open on a test database: the gateway's own client with test timeouts. */
export function openTestPool(url: string, poolMax: number): Promise<Database> {
  return openDatabase({
    url, dataDir: '', poolMax, statementTimeoutMs: 30_000, lockTimeoutMs: 5_000, idleInTransactionTimeoutMs: 60_000,
  });
}
