import { getTableColumns, getTableName, Param, SQL, StringChunk } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../client.js';
import { rowsOf } from '../rows-of.js';

/**
 * A multi-row INSERT whose text does not depend on the number of rows: one text[] parameter per
 * column, unnested in order (`insert ... select from unnest(...) with ordinality order by n`).
 *
 * Why not drizzle's `.values(rows)`: its VALUES list has one parameter per cell, and drizzle
 * builds the statement at a cost per parameter (330 µs for a batch of tickets, 150 µs for its
 * messages, in the throughput bench). Worse, every new row count is a new statement text, which
 * the server must parse and plan and postgres.js must describe (one more round trip) before it
 * can run. Here the text is the same for 1 row or 50, so it is prepared once per connection.
 *
 * Every row must define the same columns (the callers build rows uniformly); a column left out is
 * given its database default. Values go as text and are cast by the server, the way the event log
 * already writes (drizzle leaves timestamptz[] parameters unserialised, and postgres.js sends a
 * boolean array as one boolean).
 */
export interface InsertRowsOptions<T extends PgTable> {
  /**
   * Per-row SQL for columns the database computes, evaluated in row order (the ticket number
   * from its sequence). Its parameters are the same for every row.
   */
  computed?: Partial<Record<keyof T['$inferInsert'] & string, SQL>>;
  /** ON CONFLICT DO NOTHING, on this column's unique index, or on any when true. */
  onConflictDoNothing?: PgColumn | true;
  /** Columns to return, in the order of `rows` (skipped conflicts leave no row). */
  returning?: (keyof T['$inferSelect'] & string)[] | 'all';
}

export async function insertRows<T extends PgTable, K extends keyof T['$inferSelect'] & string = keyof T['$inferSelect'] & string>(
  db: Db, table: T, rows: T['$inferInsert'][], options: InsertRowsOptions<T> & { returning?: K[] | 'all' } = {},
): Promise<Pick<T['$inferSelect'], K>[]> {
  if (rows.length === 0) return [];
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const defined = (row: object) => Object.keys(row).filter((k) => (row as Record<string, unknown>)[k] !== undefined);
  const keys = [...new Set(rows.flatMap(defined))];
  if (keys.length === 0) throw new TypeError(`insertRows: rows of ${getTableName(table)} give no column`);
  for (const key of keys) if (!columns[key]) throw new TypeError(`insertRows: ${getTableName(table)} has no column ${key}`);
  // A row that leaves out a column the others give gets NULL here, which is what the database
  // would give it too unless the column has a default: then the VALUES form, which can say DEFAULT.
  const differ = rows.some((row) => defined(row).length !== keys.length);
  if (differ && keys.some((key) => columns[key]!.hasDefault && rows.some((row) => (row as Record<string, unknown>)[key] === undefined))) {
    return insertWithValues(db, table, rows, options, columns);
  }
  const computed = Object.entries(options.computed ?? {}) as [string, SQL][];
  const returningKeys = options.returning === 'all' ? Object.keys(columns) : (options.returning ?? []);
  const shape = shapeOf(table, columns, keys, computed.map(([key]) => key), options.onConflictDoNothing, returningKeys);
  // Flat chunks, text built once per shape: drizzle spends its time per chunk it walks (an
  // identifier, a join, a nested fragment), about 150 µs for a 16-column insert built with sql``.
  const chunks: (StringChunk | Param | SQL)[] = [new StringChunk(shape.head)];
  computed.forEach(([, expression], i) => {
    if (i > 0) chunks.push(new StringChunk(', '));
    chunks.push(expression);
  });
  keys.forEach((key, i) => {
    const column = columns[key]!;
    chunks.push(new StringChunk(shape.beforeArray[i]!), new Param(rows.map((row) => asText(column, (row as Record<string, unknown>)[key]))));
  });
  chunks.push(new StringChunk(shape.tail));
  const result = await db.execute(new SQL(chunks));
  return rowsOf<Record<string, unknown>>(result).map((raw) => {
    const row: Record<string, unknown> = {};
    for (const key of returningKeys) {
      const column = columns[key]!;
      const value = raw[column.name];
      row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return row as Pick<T['$inferSelect'], K>;
  });
}

interface Shape { head: string; beforeArray: string[]; tail: string }

const shapes = new Map<string, Shape>();

/**
 * The statement's text around its parameters, for one table, set of columns and options. There
 * are a handful of shapes (one per caller), so the cache stays small.
 */
function shapeOf(
  table: PgTable, columns: Record<string, PgColumn>, keys: string[], computedKeys: string[],
  onConflict: PgColumn | true | undefined, returningKeys: string[],
): Shape {
  const conflictKey = onConflict === undefined ? '' : onConflict === true ? '*' : onConflict.name;
  const cacheKey = [getTableName(table), keys.join(','), computedKeys.join(','), conflictKey, returningKeys.join(',')].join('|');
  const cached = shapes.get(cacheKey);
  if (cached) return cached;
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const name = (key: string) => quote(columns[key]!.name);
  const targets = [...keys, ...computedKeys].map(name).join(', ');
  const selected = keys.map((key) => (isBytes(columns[key]!) ? `decode(u.${name(key)}, 'base64')` : `u.${name(key)}`)).join(', ');
  const head = `insert into ${quote(getTableName(table))} (${targets}) select ${selected}${computedKeys.length > 0 ? ', ' : ''}`;
  // The ordered subquery keeps row order for the computed columns (a sequence) and for the ids.
  const beforeArray = keys.map((key, i) => (i === 0 ? ' from (select * from unnest(' : `::text[]::${arrayTypeOf(columns[keys[i - 1]!]!)}, `));
  const conflict = onConflict === undefined ? '' : onConflict === true ? ' on conflict do nothing' : ` on conflict (${quote(onConflict.name)}) do nothing`;
  const returning = returningKeys.length === 0 ? '' : ` returning ${returningKeys.map(name).join(', ')}`;
  const tail = `::text[]::${arrayTypeOf(columns[keys[keys.length - 1]!]!)}) with ordinality as u(${keys.map(name).join(', ')}, n) order by n) u`
    + `${conflict}${returning}`;
  const shape = { head, beforeArray, tail };
  shapes.set(cacheKey, shape);
  return shape;
}

/** The same insert as drizzle builds it, one parameter per cell: for rows that differ in their defaults. */
async function insertWithValues<T extends PgTable, K extends string>(
  db: Db, table: T, rows: T['$inferInsert'][], options: InsertRowsOptions<T>, columns: Record<string, PgColumn>,
): Promise<Pick<T['$inferSelect'], K>[]> {
  const values = rows.map((row) => ({ ...row, ...options.computed }));
  const insert = db.insert(table).values(values as never);
  const conflicted = options.onConflictDoNothing === undefined ? insert
    : insert.onConflictDoNothing(options.onConflictDoNothing === true ? undefined : { target: options.onConflictDoNothing });
  const returningKeys = options.returning === 'all' ? Object.keys(columns) : (options.returning ?? []);
  if (returningKeys.length === 0) {
    await conflicted;
    return [];
  }
  const fields = Object.fromEntries(returningKeys.map((key) => [key, columns[key]!]));
  return conflicted.returning(fields) as unknown as Promise<Pick<T['$inferSelect'], K>[]>;
}

/** The SQL array type a column's text values are cast to; bytes stay text, decoded in the select. */
function arrayTypeOf(column: PgColumn): string {
  const type = column.getSQLType();
  const base = type === 'bigserial' ? 'bigint' : type === 'serial' ? 'integer' : isBytes(column) ? 'text' : type;
  return `${base}[]`;
}

function isBytes(column: PgColumn): boolean {
  return column.getSQLType() === 'bytea';
}

/** A value as the text PostgreSQL reads for the column's type. */
function asText(column: PgColumn, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const type = column.getSQLType();
  if (type === 'jsonb' || type === 'json') return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  // Base64, decoded by the server: two thirds the size of the hex text a bytea takes, and nothing in
  // it for the array literal to escape (hex starts with a backslash, so every raw mail was copied).
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new TypeError(`insertRows: cannot write ${typeof value} into ${column.name}`);
}
