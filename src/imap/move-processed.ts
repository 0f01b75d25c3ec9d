import type { Logger } from 'pino';
import { SlagateError } from '../errors.js';
import type { ImapSession } from './open-session.js';

/**
 * Creates a folder unless it exists. Racing another client to create it is fine: ALREADYEXISTS
 * from the server is success here.
 */
export async function ensureFolder(client: ImapSession, path: string): Promise<void> {
  const list = await client.list();
  if (list.some((m) => m.path === path)) return;
  try {
    await client.mailboxCreate(path);
  } catch (err) {
    const code = (err as { serverResponseCode?: string }).serverResponseCode;
    if (code !== 'ALREADYEXISTS') {
      throw new SlagateError('IMAP_COMMAND_FAILED', `cannot create folder ${path}`, { cause: err });
    }
  }
}

export type MoveResult = 'moved' | 'copied-and-expunged' | 'left-in-place';

/**
 * Moves processed mail out of the watched folder (the caller holds the source folder's lock).
 * imapflow's write commands answer false instead of throwing, so every answer is checked.
 * Without MOVE the fallback is COPY + \Deleted + UID EXPUNGE, and only with UIDPLUS: a plain
 * EXPUNGE would also remove what other clients marked \Deleted. Without either the mail stays,
 * which is harmless: the checkpoint and deduplication keep it from being ingested twice.
 */
export async function moveProcessed(client: ImapSession, uids: number[], destination: string, logger: Logger): Promise<MoveResult> {
  if (uids.length === 0) return 'moved';
  const range = uids.join(',');
  if (client.capabilities.has('MOVE')) {
    const res = await client.messageMove(range, destination, { uid: true });
    if (res === false) throw new SlagateError('IMAP_COMMAND_FAILED', `UID MOVE ${range} to ${destination} refused`);
    return 'moved';
  }
  if (!client.capabilities.has('UIDPLUS')) {
    logger.warn({ code: 'IMAP_COMMAND_FAILED', uids: uids.length, destination },
      'server has neither MOVE nor UIDPLUS: processed mail is left in place');
    return 'left-in-place';
  }
  const copied = await client.messageCopy(range, destination, { uid: true });
  if (copied === false) throw new SlagateError('IMAP_COMMAND_FAILED', `UID COPY ${range} to ${destination} refused`);
  // messageDelete stores \Deleted and, with UIDPLUS, expunges by UID: only these messages.
  const expunged = await client.messageDelete(range, { uid: true });
  if (!expunged) throw new SlagateError('IMAP_COMMAND_FAILED', `UID EXPUNGE ${range} refused`);
  return 'copied-and-expunged';
}
