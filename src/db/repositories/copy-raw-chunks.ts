import type { Writable } from 'node:stream';
import { SlagateError } from '../../errors.js';
import type { Db } from '../client.js';

/** What this module needs of a postgres.js connection (or transaction). */
interface PostgresJsSql {
  unsafe(query: string, params?: unknown[]): PromiseLike<unknown> & { writable(): Promise<Writable> };
}

/**
 * The postgres.js connection under a drizzle database or transaction, or null on PGlite. drizzle
 * keeps it as `session.client`; a transaction's is the reserved connection the transaction runs on.
 */
export function postgresJsOf(db: Db): PostgresJsSql | null {
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client;
  return typeof client === 'function' && typeof (client as { unsafe?: unknown }).unsafe === 'function'
    ? client as unknown as PostgresJsSql
    : null;
}

/** Bytes handed to the socket per COPY message: small enough that no copy of a piece is large. */
const COPY_WRITE_BYTES = 64 * 1024; // 64 KiB

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Writes a mail's pieces into raw_mail_chunks with one binary COPY. A bound bytea parameter goes
 * to the server as hex text: postgres.js copies the piece, makes a string twice its size and a send
 * buffer of that again, about 5 MB of garbage per 1 MiB piece, 170 MB for a 34 MB mail, and the
 * heap grows to hold it until the collector catches up. Binary COPY sends the bytes themselves, 64
 * KiB at a time with the socket's backpressure honoured, so the mail is never copied whole.
 *
 * postgres.js 3.4.9 never settles the stream when the server refuses the COPY after it has ended
 * (porsager/postgres#1173: awaiting 'finish' hangs, and inside a transaction no ROLLBACK is ever
 * sent), so the end is not awaited. What was stored is read back instead (count and length of the
 * pieces) on the same connection: a failed COPY fails that query, the transaction rolls back, and
 * a short one is refused here.
 */
export async function copyRawChunks(sqlClient: PostgresJsSql, rawMailId: number, raw: Buffer, pieceBytes: number): Promise<void> {
  const stream = await sqlClient.unsafe('COPY raw_mail_chunks (raw_mail_id, seq, data) FROM STDIN (FORMAT binary)').writable();
  let failure: Error | null = null;
  stream.on('error', (err) => { failure ??= err; });
  const write = async (bytes: Buffer) => {
    if (failure) throw failure;
    if (!stream.write(bytes)) {
      await new Promise<void>((resolve) => {
        const done = () => { stream.off('drain', done); stream.off('close', done); resolve(); };
        stream.on('drain', done);
        stream.on('close', done);
      });
    }
    if (failure) throw failure;
  };

  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header);
  await write(header); // flags 0, header extension length 0
  const pieces = Math.ceil(raw.length / pieceBytes);
  for (let seq = 0; seq < pieces; seq += 1) {
    const piece = raw.subarray(seq * pieceBytes, (seq + 1) * pieceBytes);
    const row = Buffer.alloc(2 + 4 + 8 + 4 + 4 + 4);
    let at = row.writeInt16BE(3, 0);
    at = row.writeInt32BE(8, at);
    at = row.writeBigInt64BE(BigInt(rawMailId), at);
    at = row.writeInt32BE(4, at);
    at = row.writeInt32BE(seq, at);
    row.writeInt32BE(piece.length, at);
    await write(row);
    for (let off = 0; off < piece.length; off += COPY_WRITE_BYTES) {
      await write(piece.subarray(off, off + COPY_WRITE_BYTES));
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  // Ending only once every byte is on the socket: postgres.js finishes the COPY right after.
  await new Promise<void>((resolve, reject) => stream.write(trailer, (err) => (err ? reject(err) : resolve())));
  stream.end();

  // The read-back may only be sent once postgres.js has finished the COPY (CopyDone), a tick or
  // two after end(); until then it refuses queries at once with COPY_IN_PROGRESS, sending nothing.
  let stored: { pieces: number; bytes: string } | undefined;
  for (let attempt = 0; ; attempt += 1) {
    try {
      [stored] = await sqlClient.unsafe(
        'select count(*)::int as pieces, coalesce(sum(length(data)), 0)::bigint::text as bytes from raw_mail_chunks where raw_mail_id = $1',
        [rawMailId],
      ) as unknown as { pieces: number; bytes: string }[];
      break;
    } catch (err) {
      if ((err as { code?: string }).code === 'COPY_IN_PROGRESS' && attempt < 200 && !failure) {
        await new Promise((resolve) => setTimeout(resolve, attempt < 10 ? 0 : 10));
        continue;
      }
      throw failure ?? err;
    }
  }
  if (failure) throw failure;
  if (!stored || stored.pieces !== pieces || Number(stored.bytes) !== raw.length) {
    throw new SlagateError('INTERNAL', `raw mail ${rawMailId}: COPY stored ${stored?.pieces ?? 0} pieces and ${stored?.bytes ?? 0} bytes, `
      + `expected ${pieces} and ${raw.length}`);
  }
}
