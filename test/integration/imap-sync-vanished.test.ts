import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestInput, IngestOutcome } from '../../src/inbound/ingest-types.js';
import { syncFolder, type SyncDeps } from '../../src/imap/sync-folder.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { listUids, makeMail, withImap, type ImapAccount } from '../helpers/imap-client.js';
import { oneAtATime } from '../helpers/one-at-a-time-intake.js';

/**
 * A mail listed as new that another client expunges before our pass fetches it, on a real
 * Dovecot: the pass must tell "gone" from "not handed over" by asking the server, skip it, and
 * still checkpoint the mail above it. The checkpoint store is in memory: the lease fence is
 * covered by imap-mailbox-state.test.ts.
 */

let dovecot: Dovecot;
beforeAll(async () => { dovecot = await startDovecot({ users: ['vanished'] }); });
afterAll(async () => { await dovecot?.stop(); });

function account(user: string): ImapAccount {
  return { host: dovecot.host, port: dovecot.port, user, password: dovecot.password(user) };
}

describe('a mail expunged by someone else during a pass', () => {
  it('is skipped, and the mail above it is ingested and checkpointed', async () => {
    const acct = account('vanished');
    await dovecot.append('vanished', 'INBOX', [makeMail('v-1'), makeMail('v-2'), makeMail('v-3')]);
    let stored: { uidvalidity: number; lastUid: number } | null = null;
    const ingested: number[] = [];
    const deps: SyncDeps = {
      mailbox: 'support', folder: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine',
      maxMessageBytes: 1_000_000, logger: pino({ level: process.env.SLAGATE_TEST_LOG ?? 'silent' }), clock: () => new Date(),
      intake: oneAtATime(async (input: IngestInput): Promise<IngestOutcome> => {
        const uid = input.imap!.uid;
        ingested.push(uid);
        return { decision: 'new-ticket', acknowledge: false, reason: 'test', rawMailId: uid, ticket: null };
      }),
      crashPoint: () => {},
      checkpoints: {
        get: async () => stored,
        advance: async (uidvalidity, uid) => {
          stored = { uidvalidity, lastUid: uid };
          return 'advanced';
        },
      },
    };

    const result = await withImap(acct, (client) => {
      // After the envelopes of all three were fetched, before their bodies: UID 2 disappears
      // under our feet.
      const fetchAll = client.fetchAll.bind(client);
      client.fetchAll = async (range, query, options) => {
        if (query.source) await withImap(acct, async (other) => {
          const lock = await other.getMailboxLock('INBOX');
          try {
            expect(await other.messageDelete('2', { uid: true })).toBe(true);
          } finally {
            lock.release();
          }
        });
        return fetchAll(range, query, options);
      };
      return syncFolder(client, deps);
    });

    expect(ingested).toEqual([1, 3]);
    expect(result).toMatchObject({ checkpoint: 3, seen: 2 });
    expect(result.retryUid).toBeUndefined();
    expect(stored).toMatchObject({ lastUid: 3 });
    expect(await listUids(acct, 'INBOX')).toEqual([]);
    expect(await listUids(acct, 'Processed')).toHaveLength(2);
  });
});
