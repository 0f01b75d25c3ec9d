import postgres from 'postgres';

/** The server the tests run against: the machine's PostgreSQL unless SLAGATE_TEST_PG_URL says otherwise. */
export const ADMIN_URL = process.env.SLAGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>, url: string = ADMIN_URL): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
