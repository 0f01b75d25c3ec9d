import type { Db } from '../db/client.js';
import { readRawMail } from '../db/repositories/raw-mail-repository.js';
import { findTicketByNumber } from '../db/repositories/ticket-repository.js';
import { SlagateError } from '../errors.js';
import { ticketMessagesWithFiles } from '../db/repositories/ticket-mail-repository.js';
import { extractAttachments } from '../inbound/parse-mail.js';
import { parseTicketLookup } from './show-ticket.js';

/** One file of a ticket, as `slagate attachment list` shows it. */
export interface TicketFile {
  /** The attachments row id: what `attachment get` also accepts. */
  id: number;
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
  from: string;
  at: Date;
  rawMailId: number | null;
  /** Position among its mail's attachments. */
  index: number;
}

export type TicketFilesResult =
  | { kind: 'files'; number: string; files: TicketFile[] }
  | { kind: 'not-found'; ref: string };

/**
 * Every file of a ticket's mails, oldest first. A private ticket is answered as not found unless
 * `includePrivate` (the same answer, so its number cannot be probed).
 */
export async function listTicketFiles(db: Db, ref: string, o: { ticketPrefix: string; includePrivate: boolean }): Promise<TicketFilesResult> {
  const parsed = parseTicketLookup(ref, o.ticketPrefix);
  const number = parsed.kind === 'number' ? parsed.number : ref;
  const ticket = parsed.kind === 'number' ? await findTicketByNumber(db, parsed.number) : null;
  if (!ticket || (ticket.private && !o.includePrivate)) return { kind: 'not-found', ref: number };
  const files: TicketFile[] = [];
  for (const m of await ticketMessagesWithFiles(db, ticket.id)) {
    m.files.forEach((r, index) => files.push({
      id: r.id, filename: r.filename, contentType: r.contentType, size: r.size, sha256: r.sha256,
      from: m.from, at: m.at, rawMailId: m.rawMailId, index,
    }));
  }
  return { kind: 'files', number: ticket.number, files };
}

/**
 * The file named `which` (its name, the latest of that name; or its id from the list) and its
 * bytes, read back from the raw mail and checked against the sha256 taken at ingest.
 */
export async function readTicketFile(db: Db, files: TicketFile[], which: string): Promise<{ file: TicketFile; content: Buffer } | null> {
  const byId = /^\d+$/.test(which) ? files.find((f) => String(f.id) === which) : undefined;
  const file = byId ?? files.filter((f) => f.filename === which).at(-1);
  if (!file) return null;
  if (file.rawMailId === null) throw new SlagateError('ATTACHMENT_UNAVAILABLE', `${file.filename ?? file.id}: its mail is not stored`);
  const [found] = await extractAttachments(await readRawMail(db, file.rawMailId), new Set([file.index]));
  if (!found || found.sha256 !== file.sha256) {
    throw new SlagateError('ATTACHMENT_UNAVAILABLE', `${file.filename ?? file.id}: the stored mail does not hold it as it was received`);
  }
  return { file, content: found.content };
}
