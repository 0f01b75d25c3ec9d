import type { Logger } from 'pino';
import type { CrashPoint } from '../crash-points.js';
import { SlagateError } from '../errors.js';
import type { IngestInput, IngestOutcome } from '../inbound/ingest-types.js';
import type { MailIntake } from '../inbound/mail-intake.js';
import type { MailboxName } from '../policy/priorities.js';
import {
  STREAMED_DOWNLOAD_BYTES, downloadHeaders, downloadLargeSource, downloadSources, fetchEnvelopes, listNewUids, uidExists,
  type ListedMessage,
} from './fetch-new-messages.js';
import { ensureFolder, moveProcessed } from './move-processed.js';
import type { ImapSession } from './open-session.js';

/** Bytes of mail one FETCH may bring in (by the sizes the server announced). */
const MAX_FETCH_BYTES = 20 * 1024 * 1024;

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
  /** UIDs taken per step of the pass: their envelopes fetched together, then moved and checkpointed together. */
  uidsPerStep?: number;
  logger: Logger;
  clock: () => Date;
  /** Where the fetched mail goes, and what became of it comes back from (wired in main.ts). */
  intake: MailIntake;
  checkpoints: CheckpointStore;
  crashPoint: CrashPoint;
  /** Stops the pass between messages (shutdown): what was handled is still moved and checkpointed. */
  signal?: AbortSignal;
  /**
   * Awaited once per pass that listed new mail, before any is handed over: support's pass has the
   * management mailbox read first (workers/management-first.ts). Must not reject.
   */
  beforeHandOver?: () => Promise<void>;
}

export interface SyncResult {
  uidvalidity: number;
  checkpoint: number;
  seen: number;
  decisions: Record<string, number>;
  /** Set when the pass stopped before a mail the server would not hand over: the checkpoint stays below it. */
  retryUid?: number;
}

/**
 * One pass over the watched folder: everything above the checkpoint, in UID order, in steps.
 * Per step: envelopes in one FETCH, sources in as few FETCHes as the byte bound allows; the mails
 * fetched whole are handed over together (up to the intake's maxHandOverBytes); an oversized one
 * (headers only → quarantine) or a large one (streamed) is handed over on its own, after those
 * before it; then one MOVE of the step's mails out of the folder → checkpoint. Each step is safe to repeat after a crash at any point:
 * ingest deduplicates, a moved message is simply gone, and the checkpoint moves only past UIDs
 * whose ingest committed (or that left the folder before we got to them) and only while our lease
 * stands.
 */
export async function syncFolder(client: ImapSession, deps: SyncDeps): Promise<SyncResult> {
  const { logger } = deps;
  const lock = await client.getMailboxLock(deps.folder);
  let ahead: Promise<StepSources> | null = null;
  try {
    const box = client.mailbox;
    if (!box) throw new SlagateError('IMAP_COMMAND_FAILED', `folder ${deps.folder} could not be selected`);
    const uidvalidity = Number(box.uidValidity);
    let checkpoint = await resolveCheckpoint(deps, uidvalidity);
    const result: SyncResult = { uidvalidity, checkpoint, seen: 0, decisions: {} };

    const uids = await listNewUids(client, checkpoint);
    if (uids.length === 0) return result;
    await deps.beforeHandOver?.();
    await ensureFolder(client, deps.processedFolder);
    await ensureFolder(client, deps.quarantineFolder);

    const perStep = deps.uidsPerStep ?? 50;
    const open = async (listed: number[]): Promise<StepSources> => {
      const envelopes = new Map((await fetchEnvelopes(client, listed)).map((m) => [m.uid, m]));
      const sources = sourcePrefetch(client, listed.map((uid) => envelopes.get(uid))
        .filter((m): m is ListedMessage => m !== undefined && fetchedWhole(m, deps)));
      return { envelopes, sources };
    };
    for (let i = 0; i < uids.length; i += perStep) {
      const listed = uids.slice(i, i + perStep);
      const { envelopes, sources } = ahead ? await ahead : await open(listed);
      ahead = null;
      const handled: { uid: number; quarantined: boolean }[] = [];
      // Committed, or confirmed gone from the folder: the only UIDs the checkpoint may pass.
      const settled = new Set<number>();
      const record = (uid: number, outcome: IngestOutcome) => {
        result.decisions[outcome.decision] = (result.decisions[outcome.decision] ?? 0) + 1;
        handled.push({ uid, quarantined: outcome.decision === 'quarantined' });
        settled.add(uid);
      };
      // Mails fetched and not yet handed over: handed over together before anything else is done.
      const fetched: { uid: number; input: IngestInput }[] = [];
      const ingestFetched = async () => {
        if (fetched.length === 0) return;
        const taken = fetched.splice(0);
        const answer = await deps.intake.ingest(taken.map((t) => t.input));
        for (const [k, { uid, input }] of taken.entries()) {
          const outcome = answer.outcomes[k];
          if (!outcome) continue;
          deps.crashPoint('after-staging');
          deps.logger.debug({ mailbox: deps.mailbox, uid, size: input.raw.length, decision: outcome.decision }, 'ingested');
          record(uid, outcome);
        }
        if (answer.failure) throw answer.failure;
      };
      let failure: unknown;
      let unavailable: number | undefined;
      for (const uid of listed) {
        if (deps.signal?.aborted) break;
        try {
          const msg = envelopes.get(uid);
          const inputOf = (m: ListedMessage, raw: Buffer): IngestInput => ({
            raw, mailbox: deps.mailbox, receivedAt: m.internalDate ?? deps.clock(), source: 'imap', imap: { uidvalidity, uid },
          });
          if (msg && fetchedWhole(msg, deps)) {
            const raw = await sources(uid);
            if (raw) {
              if (fetched.reduce((n, f) => n + f.input.raw.length, raw.length) > deps.intake.maxHandOverBytes) await ingestFetched();
              deps.crashPoint('after-fetch');
              fetched.push({ uid, input: inputOf(msg, raw) });
              continue;
            }
          }
          // Anything else is handed over on its own, after the mails fetched before it.
          await ingestFetched();
          if (msg && msg.size > deps.maxMessageBytes) {
            const outcome = await quarantineOversized(client, deps, msg, uidvalidity);
            if (outcome) {
              record(uid, outcome);
              continue;
            }
          } else if (msg && !fetchedWhole(msg, deps)) {
            const raw = await downloadLargeSource(client, uid, msg.size);
            if (raw) {
              deps.crashPoint('after-fetch');
              fetched.push({ uid, input: inputOf(msg, raw) });
              await ingestFetched();
              continue;
            }
          }
          if (await uidExists(client, uid)) {
            unavailable = uid;
            break;
          }
          logger.info({ mailbox: deps.mailbox, uid }, 'mail listed as new was gone before it could be fetched (another client moved or expunged it)');
          settled.add(uid);
        } catch (err) {
          failure = err;
          break;
        }
      }
      if (failure === undefined) {
        // The next step's envelopes and first sources are fetched, and its mails parsed, while
        // this one commits: the IMAP round trips and the parsing overlap the database's. Nothing
        // of it is moved or checkpointed before its own turn, after this step's.
        const nextListed = uids.slice(i + perStep, i + 2 * perStep);
        const intake = deps.intake;
        if (intake.comingNext && unavailable === undefined && nextListed.length > 0 && !deps.signal?.aborted) {
          ahead = open(nextListed).then(async (next) => {
            intake.comingNext?.(await next.sources.warm(), deps.mailbox);
            return next;
          });
          ahead.catch(() => {}); // awaited by the next step, or at the end of the pass
        }
        try {
          await ingestFetched();
        } catch (err) {
          failure = err;
        }
      }
      // What committed before a failure is still moved and checkpointed, so a retry starts after it.
      if (handled.length > 0) {
        await moveProcessed(client, handled.filter((h) => !h.quarantined).map((h) => h.uid), deps.processedFolder, logger);
        await moveProcessed(client, handled.filter((h) => h.quarantined).map((h) => h.uid), deps.quarantineFolder, logger);
        deps.crashPoint('after-imap-move');
        result.seen += handled.length;
      }
      const last = highestSettledPrefix(listed, settled);
      if (last !== null && last > checkpoint) {
        deps.crashPoint('before-checkpoint');
        const written = await deps.checkpoints.advance(uidvalidity, last);
        if (written === 'lease-lost') {
          throw new SlagateError('LEASE_LOST', `lease on mailbox ${deps.mailbox} was taken over; checkpoint not written`);
        }
        checkpoint = last;
        result.checkpoint = checkpoint;
      }
      if (failure) throw failure;
      if (unavailable !== undefined) {
        // Still in the folder but not handed over: skipping it would bury it below the checkpoint
        // for good. The pass stops here and the next one (timer or new mail) tries it again.
        logger.warn({ mailbox: deps.mailbox, uid: unavailable, code: 'IMAP_COMMAND_FAILED' },
          'the server returned no data for a mail that is still in the folder; retrying it on the next pass');
        result.retryUid = unavailable;
        break;
      }
      if (deps.signal?.aborted) break;
    }
    return result;
  } finally {
    // A fetch ahead still running when the pass ends (a failure, a shutdown) finishes before the
    // folder is let go, so no command of this pass is left in flight.
    await ahead?.catch(() => {});
    lock.release();
  }
}

/** A step's envelopes, and its sources downloaded as ingest reaches them. */
interface StepSources {
  envelopes: Map<number, ListedMessage>;
  sources: SourcePrefetch;
}

/**
 * The highest listed UID with every listed UID up to it settled, so the checkpoint never passes
 * a mail that was listed but neither committed nor confirmed gone. Null if the lowest is unsettled.
 */
function highestSettledPrefix(listed: number[], settled: Set<number>): number | null {
  let last: number | null = null;
  for (const uid of listed) {
    if (!settled.has(uid)) break;
    last = uid;
  }
  return last;
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

/**
 * Sources of a step, downloaded in as few FETCHes as the byte bound allows, each only when ingest
 * reaches its first mail (or `warm` asks for it, for the step fetched ahead): at most
 * MAX_FETCH_BYTES of mail is held per step, so twice that while the next step's first FETCH is
 * held ahead, and a handed-over source is dropped from the map. A UID the server sent nothing for
 * answers null.
 */
interface SourcePrefetch {
  (uid: number): Promise<Buffer | null>;
  /** Downloads the first FETCH now, ahead of ingest asking for it; returns its sources, in UID order. */
  warm(): Promise<Buffer[]>;
}

function sourcePrefetch(client: ImapSession, wanted: ListedMessage[]): SourcePrefetch {
  let fetched = new Map<number, Buffer>();
  let next = 0;
  const take = async (uid: number) => {
    if (!fetched.has(uid) && next < wanted.length && wanted[next]!.uid <= uid) {
      while (next < wanted.length && wanted[next]!.uid < uid) next++;
      const chunk: number[] = [];
      let bytes = 0;
      while (next < wanted.length && (chunk.length === 0 || bytes + wanted[next]!.size <= MAX_FETCH_BYTES)) {
        bytes += wanted[next]!.size;
        chunk.push(wanted[next++]!.uid);
      }
      fetched = await downloadSources(client, chunk);
    }
    const raw = fetched.get(uid) ?? null;
    fetched.delete(uid);
    return raw;
  };
  const warm = async () => {
    const first = wanted[0];
    if (!first || next > 0) return [];
    const raw = await take(first.uid);
    if (raw) fetched.set(first.uid, raw); // put back: warming hands nothing over
    return [...fetched.entries()].sort(([a], [b]) => a - b).map(([, buffer]) => buffer);
  };
  return Object.assign(take, { warm });
}

/** A mail small enough to come in the step's FETCHes and be handed over with the others. */
function fetchedWhole(msg: ListedMessage, deps: SyncDeps): boolean {
  return msg.size <= Math.min(deps.maxMessageBytes, STREAMED_DOWNLOAD_BYTES);
}

/** An oversized mail, quarantined from its header block; null when the server sent no headers. */
async function quarantineOversized(client: ImapSession, deps: SyncDeps, msg: ListedMessage, uidvalidity: number): Promise<IngestOutcome | null> {
  const headers = await downloadHeaders(client, msg.uid);
  if (!headers) return null;
  deps.logger.warn({ mailbox: deps.mailbox, uid: msg.uid, size: msg.size, messageId: msg.messageId, code: 'MESSAGE_TOO_LARGE' },
    'oversized mail quarantined with its headers only');
  return deps.intake.quarantineOversized({
    mailbox: deps.mailbox, headers, size: msg.size, receivedAt: msg.internalDate ?? deps.clock(), imap: { uidvalidity, uid: msg.uid },
  });
}
