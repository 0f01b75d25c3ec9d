import type { Writable } from 'node:stream';
import { SlagateError } from '../../errors.js';
import type { Db } from '../client.js';

/** What this module needs of a postgres.js connection (or transaction). */
interface PostgresJsSql {
  unsafe(query: string, params?: unknown[]): PromiseLike<unknown> & { writable(): Promise<Writable> };
}

/**
 * The postgres.js connection under a drizzle database or transaction. drizzle keeps it as
 * `session.client`; a transaction's is the reserved connection the transaction runs on. Reached
 * through drizzle's internals, so a drizzle that moved it is refused here, by name.
 */
export function postgresJsOf(db: Db): PostgresJsSql {
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client;
  if (typeof client === 'function' && typeof (client as { unsafe?: unknown }).unsafe === 'function') {
    return client as unknown as PostgresJsSql;
  }
  throw new SlagateError('INTERNAL', 'no postgres.js connection under this drizzle database (session.client): was drizzle-orm upgraded?');
}

/** Bytes handed to the socket per COPY message: small enough that no copy of a piece is large. */
const COPY_WRITE_BYTES = 64 * 1024; // 64 KiB

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Time a COPY may take per MiB of mail on top of the configured statement timeout: the server
 * times a COPY as one statement, waiting for our data included, so a 34 MB mail on a slow link
 * to the database would otherwise be cancelled every time and block its mailbox at that mail.
 */
const COPY_MS_PER_MIB = 10_000; // 10 seconds, i.e. a link of at least ~0.8 Mbit/s

/**
 * Writes a mail's pieces into raw_mail_chunks with one binary COPY. A bound bytea parameter goes
 * to the server as hex text: postgres.js copies the piece, makes a string twice its size and a send
 * buffer of that again, about 5 MB of garbage per 1 MiB piece, 170 MB for a 34 MB mail, and the
 * heap grows to hold it until the collector catches up. Binary COPY sends the bytes themselves, 64
 * KiB at a time with the socket's backpressure honoured, so the mail is never copied whole.
 *
 * One COPY for all pieces, not one each: postgres.js's COPY stream, once finished, destroys itself
 * and sends CopyFail, which the server ignores after the COPY but which fails the next COPY if one
 * has started by then.
 *
 * postgres.js 3.4.9 never settles the stream when the server refuses the COPY after it has ended
 * (porsager/postgres#1173: awaiting 'finish' hangs, and inside a transaction no ROLLBACK is ever
 * sent), and drops that error. So the end is not awaited: what was stored is read back (count and
 * length of the pieces) on the same connection. A COPY refused at its end leaves the transaction
 * aborted, which the read-back reports (25P02) without the cause; that is answered as retryable,
 * since the cause it hides is most likely a timeout, a cancel or a full disk, and the mail stays
 * in its folder for the next pass. A short result is refused here.
 */
export async function copyRawChunks(sqlClient: PostgresJsSql, rawMailId: number, raw: Buffer, pieceBytes: number): Promise<void> {
  const pieces = Math.ceil(raw.length / pieceBytes);
  let stored: { pieces: number; bytes: string } | undefined;
  try {
    // Raised for this transaction only, from its configured value, and put back after the COPY.
    // (0, no timeout at all, stays 0.)
    await sqlClient.unsafe(`select set_config('statement_timeout', case when current_setting('statement_timeout') = '0' then '0'
      else (extract(epoch from current_setting('statement_timeout')::interval) * 1000 + $1::int)::bigint::text end, true)`,
    [Math.ceil(raw.length / (1024 * 1024)) * COPY_MS_PER_MIB]);
    await copyPieces(sqlClient, rawMailId, raw, pieceBytes, pieces);
    [stored] = await sqlClient.unsafe(
      'select count(*)::int as pieces, coalesce(sum(length(data)), 0)::bigint::text as bytes from raw_mail_chunks where raw_mail_id = $1',
      [rawMailId],
    ) as { pieces: number; bytes: string }[];
    await sqlClient.unsafe('set local statement_timeout to default');
  } catch (err) {
    if ((err as { code?: string }).code === '25P02') {
      throw new SlagateError('DB_UNAVAILABLE', `raw mail ${rawMailId}: the server refused the COPY of its pieces at its end `
        + '(postgres.js does not pass on why); trying again later', { cause: err, retryable: true });
    }
    throw err;
  }
  if (!stored || stored.pieces !== pieces || Number(stored.bytes) !== raw.length) {
    throw new SlagateError('INTERNAL', `raw mail ${rawMailId}: COPY stored ${stored?.pieces ?? 0} pieces and ${stored?.bytes ?? 0} bytes, `
      + `expected ${pieces} and ${raw.length}`);
  }
}

/** The COPY itself: header, one row per piece (raw_mail_id int8, seq int4, data bytea), trailer. */
async function copyPieces(sqlClient: PostgresJsSql, rawMailId: number, raw: Buffer, pieceBytes: number, pieces: number): Promise<void> {
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
  // Ending only once every byte is on the socket: with nothing buffered, end() sends CopyDone at
  // once and postgres.js leaves COPY mode, so the read-back may follow straight away.
  await new Promise<void>((resolve, reject) => stream.write(trailer, (err) => (err ? reject(err) : resolve())));
  if (failure) throw failure;
  stream.end();
}
