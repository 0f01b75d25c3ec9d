import type { Logger } from 'pino';
import type { ImapSettings } from '../config.js';
import { ensureFolder } from './move-processed.js';
import { createImapSession } from './open-session.js';

/** What an operator needs to know about one mailbox's IMAP setup, in facts rather than errors. */
export type ImapVerification =
  | { ok: false; stage: 'connect' | 'login'; detail: string }
  | {
    ok: true;
    folderExists: boolean;
    /** 'created' when it was missing and we made it, as the mailbox worker would on start. */
    processedFolder: 'exists' | 'created' | { failed: string };
    idle: boolean;
  };

/**
 * Logs in the way the mailbox worker does and looks around: the watched folder, the processed
 * folder (created when missing, which the worker would do anyway) and IDLE. Always logs out.
 */
export async function verifyImapMailbox(settings: ImapSettings, logger: Logger): Promise<ImapVerification> {
  const client = createImapSession(settings, logger);
  try {
    await client.connect();
  } catch (err) {
    client.close();
    const e = err as { authenticationFailed?: boolean; responseText?: string; code?: string; message?: string };
    if (e.authenticationFailed) {
      return { ok: false, stage: 'login', detail: `authentication rejected${e.responseText ? ` (the server said: ${e.responseText.replace(/\.$/, '')})` : ''}` };
    }
    return { ok: false, stage: 'connect', detail: connectDetail(e) };
  }
  try {
    const folders = (await client.list()).map((m) => m.path);
    const has = (path: string) => folders.some((f) => (path.toUpperCase() === 'INBOX' ? f.toUpperCase() === 'INBOX' : f === path));
    let processedFolder: 'exists' | 'created' | { failed: string } = 'exists';
    if (!has(settings.processedFolder)) {
      try {
        await ensureFolder(client, settings.processedFolder);
        processedFolder = 'created';
      } catch (err) {
        const cause = (err as { cause?: { responseText?: string; message?: string } }).cause;
        processedFolder = { failed: cause?.responseText || cause?.message || (err as Error).message };
      }
    }
    return { ok: true, folderExists: has(settings.folder), processedFolder, idle: client.capabilities.has('IDLE') };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

function connectDetail(e: { code?: string; message?: string }): string {
  switch (e.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host name not found';
    case 'ETIMEDOUT': case 'CONNECT_TIMEOUT': case 'GREETING_TIMEOUT': return 'no answer (timed out)';
    default: return e.message ?? e.code ?? 'unknown error'; // String(e) would say [object Object]
  }
}
