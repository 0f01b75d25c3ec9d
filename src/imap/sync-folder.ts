import type { Logger } from 'pino';
import type { IngestInput, IngestOutcome } from '../app/ingest-types.js';
import type { CrashPoint } from '../crash-points.js';
import { SlagateError } from '../errors.js';
import type { MailboxName } from '../policy/priorities.js';
import { downloadHeaders, downloadSource, fetchEnvelopes, listNewUids, type NewMessage } from './fetch-new-messages.js';
import { ensureFolder, moveProcessed } from './move-processed.js';
import type { ImapSession } from './open-session.js';

export interface OversizedInput {
  mailbox: MailboxName;
  headers: Buffer;
  size: number;
  receivedAt: Date;
  imap: { uidvalidity: number; uid: number };
}

/** The checkpoint as the worker exposes it: reads are plain, writes are fenced by its lease. */
export interface CheckpointStore {
  get(): Promise<{ uidvalidity: number; lastUid: number } | null>;
  advance(uidvalidity: number, uid: number): Promise<'advanced' | 'unchanged' | 'lease-lost'>;
}

export interface SyncDeps {
  mailbox: MailboxName;
  folder: string;
  processedFolder: string;
  quarantineFolder: string;
  maxMessageBytes: number;
  /** Messages handled between two checkpoint writes. */
  batchSize?: number;
  logger: Logger;
  clock: () => Date;
  ingest: (input: IngestInput) => Promise<IngestOutcome>;
  quarantineOversized: (input: OversizedInput) => Promise<IngestOutcome>;
  checkpoints: CheckpointStore;
  crashPoint: CrashPoint;
  /** Stops the pass between messages (shutdown): what was handled is still moved and checkpointed. */
  signal?: AbortSignal;
}

export interface SyncResult {
  uidvalidity: number;
  checkpoint: number;
  seen: number;
  decisions: Record<string, number>;
}

/**
 * One pass over the watched folder: everything above the checkpoint, in UID order. Per message:
 * size check → (oversized: headers only → quarantine) → download → ingest (commits the raw bytes)
 * → move out of the folder → checkpoint. Each step is safe to repeat after a crash at any point:
 * ingest deduplicates, a moved message is simply gone, and the checkpoint moves only past UIDs
 * whose ingest committed and only while our lease stands.
 */
export async function syncFolder(client: ImapSession, deps: SyncDeps): Promise<SyncResult> {
  const { logger } = deps;
  const lock = await client.getMailboxLock(deps.folder);
  try {
    const box = client.mailbox;
    if (!box) throw new SlagateError('IMAP_COMMAND_FAILED', `folder ${deps.folder} could not be selected`);
    const uidvalidity = Number(box.uidValidity);
    let checkpoint = await resolveCheckpoint(deps, uidvalidity);
    const result: SyncResult = { uidvalidity, checkpoint, seen: 0, decisions: {} };

    const uids = await listNewUids(client, checkpoint);
    if (uids.length === 0) return result;
    await ensureFolder(client, deps.processedFolder);
    await ensureFolder(client, deps.quarantineFolder);

    const batchSize = deps.batchSize ?? 50;
    for (let i = 0; i < uids.length; i += batchSize) {
      const batch = await fetchEnvelopes(client, uids.slice(i, i + batchSize));
      const handled: { uid: number; quarantined: boolean }[] = [];
      let failure: unknown;
      for (const msg of batch) {
        if (deps.signal?.aborted) break;
        try {
          const outcome = await handleOne(client, deps, msg, uidvalidity);
          if (!outcome) continue; // vanished (another client moved it): nothing to commit or move
          result.decisions[outcome.decision] = (result.decisions[outcome.decision] ?? 0) + 1;
          handled.push({ uid: msg.uid, quarantined: outcome.decision === 'quarantined' });
        } catch (err) {
          failure = err;
          break;
        }
      }
      // What committed before a failure is still moved and checkpointed, so a retry starts after it.
      if (handled.length > 0) {
        await moveProcessed(client, handled.filter((h) => !h.quarantined).map((h) => h.uid), deps.processedFolder, logger);
        await moveProcessed(client, handled.filter((h) => h.quarantined).map((h) => h.uid), deps.quarantineFolder, logger);
        deps.crashPoint('after-imap-move');
        const last = Math.max(...handled.map((h) => h.uid));
        deps.crashPoint('before-checkpoint');
        const written = await deps.checkpoints.advance(uidvalidity, last);
        if (written === 'lease-lost') {
          throw new SlagateError('LEASE_LOST', `lease on mailbox ${deps.mailbox} was taken over; checkpoint not written`);
        }
        checkpoint = Math.max(checkpoint, last);
        result.checkpoint = checkpoint;
        result.seen += handled.length;
      }
      if (failure) throw failure;
      if (deps.signal?.aborted) break;
    }
    return result;
  } finally {
    lock.release();
  }
}

/**
 * The stored checkpoint for this UIDVALIDITY. A different UIDVALIDITY means the folder was
 * recreated or the server migrated and the old UIDs mean nothing: that is an incident worth a
 * warning, and the whole folder is scanned again (deduplication keeps it harmless), never skipped.
 */
async function resolveCheckpoint(deps: SyncDeps, uidvalidity: number): Promise<number> {
  const stored = await deps.checkpoints.get();
  if (stored && stored.uidvalidity === uidvalidity) return stored.lastUid;
  if (stored) {
    deps.logger.warn({ code: 'IMAP_UIDVALIDITY_CHANGED', mailbox: deps.mailbox, folder: deps.folder,
      previous: stored.uidvalidity, current: uidvalidity, previousUid: stored.lastUid },
    'UIDVALIDITY changed: rescanning the whole folder');
  }
  const written = await deps.checkpoints.advance(uidvalidity, 0);
  if (written === 'lease-lost') throw new SlagateError('LEASE_LOST', `lease on mailbox ${deps.mailbox} was taken over`);
  return 0;
}

async function handleOne(client: ImapSession, deps: SyncDeps, msg: NewMessage, uidvalidity: number): Promise<IngestOutcome | null> {
  const receivedAt = msg.internalDate ?? deps.clock();
  const imap = { uidvalidity, uid: msg.uid };
  if (msg.size > deps.maxMessageBytes) {
    const headers = await downloadHeaders(client, msg.uid);
    if (!headers) return null;
    deps.logger.warn({ mailbox: deps.mailbox, uid: msg.uid, size: msg.size, messageId: msg.messageId, code: 'MESSAGE_TOO_LARGE' },
      'oversized mail quarantined with its headers only');
    return deps.quarantineOversized({ mailbox: deps.mailbox, headers, size: msg.size, receivedAt, imap });
  }
  const raw = await downloadSource(client, msg.uid);
  if (!raw) return null;
  deps.crashPoint('after-fetch');
  const outcome = await deps.ingest({ raw, mailbox: deps.mailbox, receivedAt, source: 'imap', imap });
  deps.crashPoint('after-staging');
  deps.logger.debug({ mailbox: deps.mailbox, uid: msg.uid, messageId: msg.messageId, decision: outcome.decision }, 'ingested');
  return outcome;
}
