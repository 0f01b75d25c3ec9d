import { ImapFlow } from 'imapflow';

/**
 * A test-side IMAP client playing "someone else" against the fixture server: appends mail, lists
 * and recreates folders. It is deliberately a separate connection from the code under test.
 */

export interface ImapAccount { host: string; port: number; user: string; password: string }

export async function withImap<T>(account: ImapAccount, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: account.host, port: account.port, secure: false, logger: false,
    auth: { user: account.user, pass: account.password }, disableAutoIdle: true,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export async function appendMessages(account: ImapAccount, folder: string, raws: (Buffer | string)[], flags: string[] = [], internalDate?: Date): Promise<void> {
  await withImap(account, async (client) => {
    for (const raw of raws) {
      const res = await client.append(folder, raw, flags, internalDate);
      if (!res) throw new Error(`APPEND to ${folder} refused`);
    }
  });
}

/** UIDs in a folder (empty when the folder does not exist). */
export async function listUids(account: ImapAccount, folder: string): Promise<number[]> {
  return withImap(account, async (client) => {
    const exists = (await client.list()).some((m) => m.path === folder);
    if (!exists) return [];
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    try {
      const uids = await client.search({ all: true }, { uid: true });
      return uids || [];
    } finally {
      lock.release();
    }
  });
}

/** Deletes and creates a folder again: the server gives it a new UIDVALIDITY. */
export async function recreateFolder(account: ImapAccount, folder: string, raws: (Buffer | string)[]): Promise<void> {
  await withImap(account, async (client) => {
    if (folder === 'INBOX') throw new Error('INBOX cannot be deleted; use another folder');
    await client.mailboxDelete(folder).catch(() => undefined);
    await client.mailboxCreate(folder);
    for (const raw of raws) await client.append(folder, raw);
  });
}

export async function folderStatus(account: ImapAccount, folder: string): Promise<{ uidValidity: number; messages: number }> {
  return withImap(account, async (client) => {
    const st = await client.status(folder, { uidValidity: true, messages: true });
    if (!st) throw new Error(`STATUS ${folder} refused`);
    return { uidValidity: Number(st.uidValidity), messages: st.messages ?? 0 };
  });
}

let counter = 0;

/** A small distinct mail; `id` becomes its Message-ID so tests can count rows per mail. */
export function makeMail(id: string, opts: { subject?: string; body?: string; from?: string } = {}): string {
  counter += 1;
  return [
    `From: ${opts.from ?? 'Client <client@customer.example>'}`,
    'To: support@sanarise.example',
    `Subject: ${opts.subject ?? `Test ${id}`}`,
    `Message-ID: <${id}@test.example>`,
    'Date: Mon, 03 Mar 2025 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body ?? `Body of ${id} (${counter})`,
    '',
  ].join('\r\n');
}
