import type { MailboxName } from '../policy/priorities.js';
import type { IngestInput, IngestOutcome } from './ingest-types.js';

/**
 * The port through which a mailbox reader (imap/sync-folder.ts) hands over the mail it fetched and
 * learns what became of each. app/ingest implements it (batch-intake.ts), main.ts wires the two:
 * the reader imports nothing of app/, and decides nothing about transactions. It hands over what
 * it fetched, in order, never more bytes at once than the intake takes (`maxHandOverBytes`), and
 * moves and checkpoints only what the intake says was committed.
 */
export interface MailIntake {
  /**
   * Bytes of mail one `ingest` call may carry: the intake holds all of it (parsed) until it is
   * committed. A single mail larger than this comes alone.
   */
  readonly maxHandOverBytes: number;
  /** Ingests mails handed over together, in the order they arrived. */
  ingest(mails: IngestInput[]): Promise<IntakeResult>;
  /** A mail over the size limit, of which only the header block was fetched. */
  quarantineOversized(input: OversizedInput): Promise<IngestOutcome>;
  /**
   * Mails that will be handed over next, fetched while the last hand-over commits: the intake may
   * start on them (parse them ahead), and finds that work done when the very same Buffers come.
   * Without it the reader fetches nothing ahead.
   */
  comingNext?(raws: readonly Buffer[], mailbox: MailboxName): void;
}

export interface IntakeResult {
  /** Per mail handed over, in order: its committed outcome, or undefined when it was not committed (see `failure`). */
  outcomes: (IngestOutcome | undefined)[];
  /** Why the intake stopped (a retryable DB_UNAVAILABLE, mostly). Mails without an outcome are to be handed over again. */
  failure?: unknown;
}

export interface OversizedInput {
  mailbox: MailboxName;
  /** The header block only, fetched instead of the whole message. */
  headers: Buffer;
  size: number;
  receivedAt: Date;
  imap: { uidvalidity: number; uid: number };
}
