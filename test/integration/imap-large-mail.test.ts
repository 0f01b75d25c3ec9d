import { createHash } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestInput, IngestOutcome } from '../../src/app/ingest/ingest-types.js';
import { syncFolder, type SyncDeps } from '../../src/imap/sync-folder.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { makeMail, withImap } from '../helpers/imap-client.js';

/** A mail above the streaming threshold arrives byte for byte, on a real Dovecot. */
let dovecot: Dovecot;
beforeAll(async () => { dovecot = await startDovecot({ users: ['large'] }); });
afterAll(async () => { await dovecot?.stop(); });

describe('a large mail', () => {
  it('is streamed from IMAP into one buffer, unchanged, next to small mails fetched in a batch', async () => {
    const attachment = Buffer.alloc(5 * 1024 * 1024, 'A').toString('base64').replace(/.{76}/g, '$&\r\n');
    const big = Buffer.from(
      'From: Big <big@client.example>\r\nTo: support@sanarise.example\r\nSubject: big\r\nMessage-ID: <big@client.example>\r\n'
      + 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n'
      + `--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`,
    );
    await dovecot.append('large', 'INBOX', [makeMail('small-1'), big, makeMail('small-2')]);
    const received = new Map<number, Buffer>();
    let stored: { uidvalidity: number; lastUid: number } | null = null;
    const deps: SyncDeps = {
      mailbox: 'support', folder: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine',
      maxMessageBytes: 50 * 1024 * 1024, logger: pino({ level: 'silent' }), clock: () => new Date(),
      ingest: async (input: IngestInput): Promise<IngestOutcome> => {
        received.set(input.imap!.uid, input.raw);
        return { decision: 'new-ticket', acknowledge: false, reason: 'test', rawMailId: input.imap!.uid, ticket: null };
      },
      quarantineOversized: async () => { throw new Error('nothing is oversized here'); },
      crashPoint: () => {},
      checkpoints: {
        get: async () => stored,
        advance: async (uidvalidity, uid) => { stored = { uidvalidity, lastUid: uid }; return 'advanced'; },
      },
    };
    await withImap({ host: dovecot.host, port: dovecot.port, user: 'large', password: dovecot.password('large') }, (client) => syncFolder(client, deps));
    expect([...received.keys()]).toEqual([1, 2, 3]);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(received.get(2)!)).toBe(sha(big));
    expect(stored).toMatchObject({ lastUid: 3 });
  }, 60_000);
});
