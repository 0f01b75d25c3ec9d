import type { MachineKind } from './machine-mail.js';
import type { MailboxName, Priority } from '../policy/priorities.js';

export const INGEST_DECISIONS = ['new-ticket', 'reply', 'bounce', 'auto-reply', 'loop', 'machine', 'duplicate', 'quarantined', 'refused'] as const;
export type IngestDecision = (typeof INGEST_DECISIONS)[number];

export interface IngestInput {
  raw: Buffer;
  mailbox: MailboxName;
  /** When the mail arrived: IMAP INTERNALDATE when there is one, else the time of ingestion. */
  receivedAt: Date;
  source: 'imap' | 'cli' | 'smtp' | 'lmtp' | 'replay';
  imap?: { uidvalidity: number; uid: number };
}

export interface IngestOutcome {
  decision: IngestDecision;
  /** Whether an acknowledgement may be sent to the sender (RFC 3834 and loop rules). */
  acknowledge: boolean;
  reason: string;
  rawMailId: number | null;
  ticket: { id: number; number: string; type: string; priority: Priority; private: boolean } | null;
  /** The machine-mail verdict when the mail was machine mail (set only then). */
  verdict?: MachineKind;
  /**
   * The private ticket the raw mail is recorded on when `ticket` is null: the one a copy of the
   * same mail was joined to, or an out-of-office was kept on, so tracing it by Message-ID hides it
   * as private (show-ticket) and no team surface counts it.
   */
  recordedOn?: number;
}

/**
 * Whether a mail taken in belongs to the management channel, so that no team surface (the
 * metrics) may count it: read from the management mailbox, or on a private ticket whichever
 * mailbox it came through.
 */
export function reachedManagementChannel(input: Pick<IngestInput, 'mailbox'>, outcome: Pick<IngestOutcome, 'ticket' | 'recordedOn'>): boolean {
  return input.mailbox === 'management' || outcome.ticket?.private === true || outcome.recordedOn !== undefined;
}
