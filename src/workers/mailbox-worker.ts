import type { Logger } from 'pino';
import type { Config, ImapSettings } from '../config.js';
import type { CrashPoint } from '../crash-points.js';
import type { Db } from '../db/client.js';
import {
  acquireLease, advanceCheckpoint, getCheckpoint, releaseLease, renewLease, type LeaseClaim,
} from '../db/repositories/mailbox-state-repository.js';
import type { MailIntake } from '../inbound/mail-intake.js';
import type { MailboxName } from '../policy/priorities.js';
import { createMailboxSupervisor } from '../imap/mailbox-supervisor.js';
import { syncFolder } from '../imap/sync-folder.js';
import { abortableSleep } from './abortable-sleep.js';
import type { ManagementFirst } from './management-first.js';

export interface MailboxWorkerDeps {
  db: Db;
  config: Config;
  mailbox: MailboxName;
  logger: Logger;
  clock: () => Date;
  /** Names this process in the lease table (host:pid by default in main). */
  owner: string;
  /** Where the fetched mail is handed over (app/ingest/batch-intake.ts in the gateway). */
  intake: MailIntake;
  crashPoint?: CrashPoint;
  leaseTtlMs?: number;
  random?: () => number;
  /** Told each time the IMAP session is restarted after a failure. */
  onRestart?: () => void;
  /**
   * Shared by the two mailboxes' workers of one process: the management worker tells it of its
   * sessions, and a support pass has management read before it hands its mail over.
   */
  managementFirst?: ManagementFirst;
}

export interface MailboxWorker {
  name: string;
  start(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** IMAP sessions that completed a first pass (tests watch reconnects through it). */
  readonly sessions: number;
  readonly holdsLease: boolean;
}

const DEFAULT_LEASE_TTL_MS = 30_000; // 30 seconds: a crashed owner's mailbox is picked up this soon

/**
 * Polls one mailbox, only while holding its lease: exactly one process does so at a time. The
 * lease is renewed at a third of its TTL; when renewal finds it taken over, the IMAP session is
 * stopped, and anything the stale session still tries to write is refused by the fencing token.
 */
export function createMailboxWorker(deps: MailboxWorkerDeps): MailboxWorker {
  const settings: ImapSettings | undefined = deps.config.mailboxes[deps.mailbox].imap;
  if (!settings) throw new Error(`mailbox ${deps.mailbox} has no imap settings`);
  const imap = settings;
  const leaseName = `imap:${deps.mailbox}`;
  const ttl = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const logger = deps.logger.child({ mailbox: deps.mailbox });
  const stop = new AbortController();
  let loop: Promise<void> | undefined;
  let claim: LeaseClaim | undefined;
  let sessions = 0;
  let current: { sessions: number } | undefined;

  const sync = (claimNow: LeaseClaim) => (client: Parameters<typeof syncFolder>[0], signal: AbortSignal) => syncFolder(client, {
    signal,
    mailbox: deps.mailbox,
    folder: imap.folder,
    processedFolder: imap.processedFolder,
    quarantineFolder: imap.quarantineFolder,
    maxMessageBytes: deps.config.limits.maxMessageBytes,
    logger,
    clock: deps.clock,
    intake: {
      ...deps.intake,
      ingest: async (inputs) => {
        const answer = await deps.intake.ingest(inputs);
        // Once per committed ticket: `after-ticket-commit:N` counts tickets, not hand-overs.
        for (const outcome of answer.outcomes) if (outcome?.ticket) deps.crashPoint?.('after-ticket-commit');
        return answer;
      },
    },
    crashPoint: deps.crashPoint ?? (() => {}),
    ...(deps.mailbox === 'support' && deps.managementFirst ? { beforeHandOver: deps.managementFirst.beforeSupport } : {}),
    checkpoints: {
      get: () => getCheckpoint(deps.db, deps.mailbox),
      advance: (uidvalidity, uid) => advanceCheckpoint(deps.db, {
        mailbox: deps.mailbox, uidvalidity, uid, leaseName, owner: claimNow.owner, token: claimNow.token, now: deps.clock(),
      }),
    },
  }).then((r) => {
    if (r.seen > 0) logger.info({ uidvalidity: r.uidvalidity, checkpoint: r.checkpoint, decisions: r.decisions }, 'mailbox pass');
  });

  async function holdAndRun(token: number): Promise<void> {
    const held: LeaseClaim = { name: leaseName, owner: deps.owner, token };
    claim = held;
    logger.info({ token }, 'mailbox lease acquired');
    const session = new AbortController();
    const onStop = () => session.abort();
    stop.signal.addEventListener('abort', onStop, { once: true });
    const renew = setInterval(() => {
      renewLease(deps.db, held, ttl, deps.clock()).then((ok) => {
        if (!ok) {
          logger.warn({ code: 'LEASE_LOST', token }, 'mailbox lease taken over; stepping down');
          session.abort();
        }
      }, (err) => logger.warn({ err, code: 'DB_UNAVAILABLE' }, 'lease renewal failed'));
    }, Math.max(100, Math.floor(ttl / 3)));
    const supervisor = createMailboxSupervisor({
      settings: imap, logger, sync: sync(held), random: deps.random, onReconnect: deps.onRestart,
      ...(deps.mailbox === 'management' && deps.managementFirst ? { onSession: sessionTold(deps.managementFirst) } : {}),
    });
    current = supervisor;
    try {
      await supervisor.run(session.signal);
    } catch (err) {
      logger.warn({ err, code: 'LEASE_LOST' }, 'mailbox lease lost during a pass; stepping down');
    } finally {
      sessions += supervisor.sessions;
      current = undefined;
      clearInterval(renew);
      stop.signal.removeEventListener('abort', onStop);
      claim = undefined;
      if (stop.signal.aborted) {
        await releaseLease(deps.db, held).catch((err) => logger.warn({ err }, 'lease release failed'));
      }
    }
  }

  async function runLoop(): Promise<void> {
    while (!stop.signal.aborted) {
      let token: number | null = null;
      try {
        token = await acquireLease(deps.db, leaseName, deps.owner, ttl, deps.clock());
      } catch (err) {
        logger.warn({ err, code: 'DB_UNAVAILABLE' }, 'cannot acquire the mailbox lease');
      }
      if (token !== null) await holdAndRun(token);
      else {
        if (deps.mailbox === 'management') deps.managementFirst?.standby();
        await abortableSleep(Math.max(100, Math.floor(ttl / 3)), stop.signal);
      }
    }
  }

  return {
    name: `mailbox:${deps.mailbox}`,
    get sessions() { return sessions + (current?.sessions ?? 0); },
    get holdsLease() { return claim !== undefined; },
    async start(signal) {
      signal?.addEventListener('abort', () => stop.abort(), { once: true });
      loop ??= runLoop().catch((err) => logger.error({ err }, 'mailbox worker stopped unexpectedly'));
    },
    async close() {
      stop.abort();
      await loop;
      // A support pass still waiting for management's first session stops waiting (shutdown).
      if (deps.mailbox === 'management') deps.managementFirst?.standby();
    },
  };
}

function sessionTold(order: ManagementFirst) {
  return (pass: (() => Promise<void>) | null) => (pass ? order.ready(pass) : order.lost());
}
