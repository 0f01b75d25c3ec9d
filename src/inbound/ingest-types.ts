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
   * The ticket the raw mail is recorded on when `ticket` is null: the private ticket a copy of the
   * same mail was joined to, so tracing it by Message-ID hides it as private (show-ticket).
   */
  recordedOn?: number;
}
