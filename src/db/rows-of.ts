/**
 * The rows of a raw `db.execute`, typed: postgres.js answers them as an array (its RowList), which
 * drizzle types only as its query-result kind.
 */
export function rowsOf<T>(result: unknown): T[] {
  return result as T[];
}
