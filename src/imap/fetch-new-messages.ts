import { SlagateError } from '../errors.js';
import type { ImapSession } from './open-session.js';

/** What is known about a message before its body is downloaded. */
export interface ListedMessage {
  uid: number;
  size: number;
  internalDate: Date | null;
  messageId: string | null;
}

/**
 * UIDs above `afterUid` in the selected folder, ascending. The caller holds the folder's lock.
 * `UID SEARCH n:*` answers with the highest UID even when n is past it (RFC 3501 §6.4.8), so the
 * filter below is what makes "nothing new" come back empty.
 */
export async function listNewUids(client: ImapSession, afterUid: number): Promise<number[]> {
  const found = await client.search({ uid: `${afterUid + 1}:*` }, { uid: true });
  if (found === false || found === undefined) {
    throw new SlagateError('IMAP_COMMAND_FAILED', `UID SEARCH ${afterUid + 1}:* refused`);
  }
  return found.filter((uid) => uid > afterUid).sort((a, b) => a - b);
}

/**
 * Size, INTERNALDATE and Message-ID of the given UIDs, before any body is downloaded, so an
 * oversized mail is never pulled into memory. Collected with fetchAll: no other command may run
 * while a FETCH is being iterated.
 */
export async function fetchEnvelopes(client: ImapSession, uids: number[]): Promise<ListedMessage[]> {
  if (uids.length === 0) return [];
  const wanted = new Set(uids);
  const rows = await client.fetchAll(uids.join(','), { uid: true, size: true, internalDate: true, envelope: true }, { uid: true });
  return rows
    .filter((m) => wanted.has(m.uid))
    .map((m) => ({
      uid: m.uid,
      size: m.size ?? 0,
      internalDate: toInternalDate(m.internalDate),
      messageId: m.envelope?.messageId ?? null,
    }))
    .sort((a, b) => a.uid - b.uid);
}

/**
 * An INTERNALDATE the server sent garbage for is no date at all: an Invalid Date would make
 * every later toISOString throw, in the commit and the quarantine path alike, and wedge the
 * mailbox. Null lets ingest fall back to the time of ingestion (SLA-POLICY.md).
 */
function toInternalDate(value: Date | string | undefined): Date | null {
  if (value === undefined || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Whether the UID is still in the selected folder (`UID SEARCH UID n`). Tells a mail another
 * client expunged or moved, which may be skipped, from one the server failed to hand over,
 * which must not be.
 */
export async function uidExists(client: ImapSession, uid: number): Promise<boolean> {
  const found = await client.search({ uid: String(uid) }, { uid: true });
  if (found === false || found === undefined) {
    throw new SlagateError('IMAP_COMMAND_FAILED', `UID SEARCH UID ${uid} refused`);
  }
  return found.includes(uid);
}

/**
 * The whole messages of these UIDs in one FETCH (BODY.PEEK, so \Seen is never set by us), keyed
 * by UID. A UID the server sent nothing for is simply absent: the caller decides whether it is
 * gone or withheld. Callers bound the batch by total size, since every source is held at once.
 */
export async function downloadSources(client: ImapSession, uids: number[]): Promise<Map<number, Buffer>> {
  const sources = new Map<number, Buffer>();
  if (uids.length === 0) return sources;
  const wanted = new Set(uids);
  const rows = await client.fetchAll(uids.join(','), { uid: true, source: true }, { uid: true });
  for (const m of rows) {
    // m.source is already a Buffer: copying it would hold a large mail twice.
    if (wanted.has(m.uid) && m.source) sources.set(m.uid, m.source);
  }
  return sources;
}

/** Above this announced size a mail is streamed in pieces instead of fetched whole. */
export const STREAMED_DOWNLOAD_BYTES = 4 * 1024 * 1024; // 4 MiB

/**
 * One large mail, streamed in 1 MiB partial FETCHes into a buffer of its announced size: a whole
 * FETCH keeps every socket chunk and then joins them, holding the mail twice at its peak.
 * Null when the server has nothing for the UID.
 */
export async function downloadLargeSource(client: ImapSession, uid: number, announcedSize: number): Promise<Buffer | null> {
  const download = await client.download(String(uid), undefined, { uid: true, chunkSize: 1024 * 1024 });
  if (!('content' in download) || !download.content) return null;
  let buffer = Buffer.allocUnsafe(Math.max(announcedSize, 1));
  let length = 0;
  for await (const piece of download.content as AsyncIterable<Buffer>) {
    if (length + piece.length > buffer.length) {
      // The announced size was low (it is the server's estimate): grow once, generously.
      const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + piece.length));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    piece.copy(buffer, length);
    length += piece.length;
  }
  return length === 0 ? null : buffer.subarray(0, length);
}

/** Only the header block (BODY.PEEK[HEADER]): what an oversized mail is quarantined with. */
export async function downloadHeaders(client: ImapSession, uid: number): Promise<Buffer | null> {
  const msg = await client.fetchOne(String(uid), { uid: true, headers: true }, { uid: true });
  if (!msg || !msg.headers) return null;
  return Buffer.from(msg.headers);
}
