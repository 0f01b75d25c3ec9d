import { createHash } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestInput, IngestOutcome } from '../../src/inbound/ingest-types.js';
import { createBatchIntake } from '../../src/app/ingest/batch-intake.js';
import { findRawMailByIdentity, readRawMail } from '../../src/db/repositories/raw-mail-repository.js';
import { mailIdentity } from '../../src/inbound/content-hash.js';
import type { MailIntake } from '../../src/inbound/mail-intake.js';
import { syncFolder, type SyncDeps } from '../../src/imap/sync-folder.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { makeMail, withImap } from '../helpers/imap-client.js';
import { oneAtATime } from '../helpers/one-at-a-time-intake.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase } from '../helpers/test-database.js';

/** A mail above the streaming threshold arrives byte for byte, on a real Dovecot. */
let dovecot: Dovecot;
beforeAll(async () => { dovecot = await startDovecot({ users: ['large', 'intake'] }); });
afterAll(async () => { await dovecot?.stop(); });

/** A mail above the 4 MiB streaming threshold: a 5 MiB attachment. */
function bigMail(): Buffer {
  const attachment = Buffer.alloc(5 * 1024 * 1024, 'A').toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    'From: Big <big@client.example>\r\nTo: support@sanarise.example\r\nSubject: big\r\nMessage-ID: <big@client.example>\r\n'
    + 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n'
    + `--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`,
  );
}

describe('a large mail', () => {
  it('is streamed from IMAP into one buffer, unchanged, next to small mails fetched in a batch', async () => {
    const big = bigMail();
    await dovecot.append('large', 'INBOX', [makeMail('small-1'), big, makeMail('small-2')]);
    const received = new Map<number, Buffer>();
    let stored: { uidvalidity: number; lastUid: number } | null = null;
    const deps: SyncDeps = {
      mailbox: 'support', folder: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine',
      maxMessageBytes: 50 * 1024 * 1024, logger: pino({ level: 'silent' }), clock: () => new Date(),
      intake: oneAtATime(async (input: IngestInput): Promise<IngestOutcome> => {
        received.set(input.imap!.uid, input.raw);
        return { decision: 'new-ticket', acknowledge: false, reason: 'test', rawMailId: input.imap!.uid, ticket: null };
      }),
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

  it('becomes a ticket through the gateway\'s own intake, as a hand-over of its own between the small mails', async () => {
    const database = await createTestDatabase();
    try {
      const big = bigMail();
      await dovecot.append('intake', 'INBOX', [makeMail('intake-1'), big, makeMail('intake-2')]);
      const logger = pino({ level: 'silent' });
      const gateway = createBatchIntake({ db: database.db, config: testConfig(database.url), logger, clock: () => new Date() });
      const handOvers: number[][] = [];
      const intake: MailIntake = { ...gateway, ingest: (mails) => {
        handOvers.push(mails.map((m) => m.imap!.uid));
        return gateway.ingest(mails);
      } };
      let stored: { uidvalidity: number; lastUid: number } | null = null;
      const result = await withImap({ host: dovecot.host, port: dovecot.port, user: 'intake', password: dovecot.password('intake') }, (client) => syncFolder(client, {
        mailbox: 'support', folder: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine',
        maxMessageBytes: 50 * 1024 * 1024, logger, clock: () => new Date(), intake, crashPoint: () => {},
        checkpoints: {
          get: async () => stored,
          advance: async (uidvalidity, uid) => { stored = { uidvalidity, lastUid: uid }; return 'advanced'; },
        },
      }));
      expect(handOvers).toEqual([[1], [2], [3]]);
      expect(result.decisions).toEqual({ 'new-ticket': 3 });
      const row = await findRawMailByIdentity(database.db, 'support', '<big@client.example>', mailIdentity(big).contentHash);
      expect(row?.decision).toBe('new-ticket');
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(sha(await readRawMail(database.db, row!.id))).toBe(sha(big));
      expect(stored).toMatchObject({ lastUid: 3 });
    } finally {
      await database.drop();
    }
  }, 90_000);
});
