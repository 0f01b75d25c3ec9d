import { createHash } from 'node:crypto';
import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import { SlagateError } from '../../errors.js';
import type { Db } from '../client.js';
import { rawMail, rawMailChunks } from '../schema/raw-mail.js';
import { copyRawChunks, postgresJsOf } from './copy-raw-chunks.js';
import { insertRows } from './insert-rows.js';

export type NewRawMail = typeof rawMail.$inferInsert;

/**
 * Mails up to this size keep their bytes in raw_mail.raw; bigger ones go to raw_mail_chunks in
 * pieces of this size, so no statement carries more than 1 MiB of bytes (1.4 MiB as base64).
 */
export const RAW_CHUNK_BYTES = 1024 * 1024; // 1 MiB

/**
 * Inserts the raw mail unless this mailbox already has it; returns the new id or null (duplicate).
 * A mail over RAW_CHUNK_BYTES is written in pieces (one binary COPY on PostgreSQL): call it inside
 * the ingest transaction so the row and its pieces commit together.
 */
export async function insertRawMail(db: Db, row: NewRawMail): Promise<number | null> {
  const chunked = row.raw.length > RAW_CHUNK_BYTES;
  const inserted = await db.insert(rawMail).values(chunked ? { ...row, raw: Buffer.alloc(0) } : row)
    .onConflictDoNothing().returning({ id: rawMail.id });
  const id = inserted[0]?.id ?? null;
  if (id === null || !chunked) return id;
  await copyRawChunks(postgresJsOf(db), id, row.raw, RAW_CHUNK_BYTES);
  return id;
}

/**
 * `insertRawMail` for a batch, in order: consecutive mails that fit in one row go in one statement
 * carrying at most RAW_CHUNK_BYTES of them, a bigger one in pieces on its own. Returns, in the
 * order given, each new id or null for a duplicate (already stored, or an earlier copy in the batch).
 */
export async function insertRawMails(db: Db, rows: NewRawMail[]): Promise<(number | null)[]> {
  const keyOf = (r: { mailbox: string; messageId: string; contentHash: string }) => `${r.mailbox}\n${r.messageId}\n${r.contentHash}`;
  const ids: (number | null)[] = [];
  let segment: NewRawMail[] = [];
  let segmentBytes = 0;
  const flush = async () => {
    if (segment.length === 0) return;
    const returned = await insertRows(db, rawMail, segment, { onConflictDoNothing: true, returning: ['id', 'mailbox', 'messageId', 'contentHash'] });
    const inserted = new Map(returned.map((r) => [keyOf(r), r.id]));
    for (const row of segment) {
      const key = keyOf(row);
      ids.push(inserted.get(key) ?? null);
      inserted.delete(key); // a second copy in the same statement is a duplicate of the first
    }
    segment = [];
    segmentBytes = 0;
  };
  for (const row of rows) {
    if (row.raw.length > RAW_CHUNK_BYTES) {
      await flush();
      ids.push(await insertRawMail(db, row));
      continue;
    }
    if (segment.length > 0 && segmentBytes + row.raw.length > RAW_CHUNK_BYTES) await flush();
    segment.push(row);
    segmentBytes += row.raw.length;
  }
  await flush();
  return ids;
}

export async function findRawMailByIdentity(db: Db, mailbox: string, messageId: string, contentHash: string) {
  const rows = await db
    .select({ id: rawMail.id, decision: rawMail.decision, ticketId: rawMail.ticketId, reason: rawMail.reason })
    .from(rawMail)
    .where(and(eq(rawMail.mailbox, mailbox), eq(rawMail.messageId, messageId), eq(rawMail.contentHash, contentHash)))
    .limit(1);
  return rows[0] ?? null;
}

export async function setRawMailDecision(
  db: Db,
  id: number,
  outcome: { decision: string; reason: string; acknowledge: boolean; ticketId: number | null },
): Promise<void> {
  await db.update(rawMail).set(outcome).where(eq(rawMail.id, id));
}

/** The decisions of a batch of raw mails in one statement (booleans as text: postgres.js sends a boolean array as one boolean). */
export async function setRawMailDecisions(
  db: Db, outcomes: { id: number; decision: string; reason: string; acknowledge: boolean; ticketId: number | null }[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await db.execute(sql`update ${rawMail} set decision = d.decision, reason = d.reason, acknowledge = d.acknowledge, ticket_id = d.ticket_id
    from unnest(${sql.param(outcomes.map((o) => o.id))}::bigint[], ${sql.param(outcomes.map((o) => o.decision))}::text[],
      ${sql.param(outcomes.map((o) => o.reason))}::text[], ${sql.param(outcomes.map((o) => String(o.acknowledge)))}::text[]::boolean[],
      ${sql.param(outcomes.map((o) => o.ticketId))}::bigint[]) as d(id, decision, reason, acknowledge, ticket_id)
    where ${rawMail.id} = d.id`);
}

const { raw: _raw, ...metadataColumns } = getTableColumns(rawMail);

/** Everything about a stored mail but its bytes: those come from readRawMail. */
export async function getRawMail(db: Db, id: number) {
  const rows = await db.select(metadataColumns).from(rawMail).where(eq(rawMail.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * The bytes of a stored mail exactly as received (for a mail quarantined from its headers, those
 * headers). Pieces are fetched one at a time, so the read costs the mail's size once, not the
 * hex text of all of it; their sha256 is checked against the row's. Empty when there is no such row.
 */
export async function readRawMail(db: Db, id: number): Promise<Buffer> {
  const [row] = await db.select({ raw: rawMail.raw, sha256: rawMail.sha256 }).from(rawMail).where(eq(rawMail.id, id)).limit(1);
  if (!row) return Buffer.alloc(0);
  if (row.raw.length > 0) return row.raw;
  const pieces = await db.select({ seq: rawMailChunks.seq, length: sql<number>`length(${rawMailChunks.data})::int` })
    .from(rawMailChunks).where(eq(rawMailChunks.rawMailId, id)).orderBy(asc(rawMailChunks.seq));
  const bytes = Buffer.allocUnsafe(pieces.reduce((n, p) => n + p.length, 0));
  const hash = createHash('sha256');
  let at = 0;
  for (const [i, piece] of pieces.entries()) {
    const [chunk] = await db.select({ data: rawMailChunks.data }).from(rawMailChunks)
      .where(and(eq(rawMailChunks.rawMailId, id), eq(rawMailChunks.seq, piece.seq)));
    if (piece.seq !== i || !chunk || chunk.data.length !== piece.length) {
      throw new SlagateError('INTERNAL', `raw mail ${id}: stored piece ${i} is missing or changed`);
    }
    chunk.data.copy(bytes, at);
    hash.update(chunk.data);
    at += chunk.data.length;
  }
  if (pieces.length > 0 && hash.digest('hex') !== row.sha256) {
    throw new SlagateError('INTERNAL', `raw mail ${id}: stored bytes do not match their sha256`);
  }
  return bytes;
}
