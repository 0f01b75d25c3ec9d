import type { MailboxName, Priority } from '../policy/priorities.js';
import type { Language } from './outbound-mail.js';

/**
 * What outbound mail needs to know of a ticket. Ingest and the SLA engine build it from their own
 * rows, so mail building never reads the database.
 */
export interface TicketView {
  id: number;
  /** `SR-1042` */
  number: string;
  subject: string;
  /** Type slug (`problem`) and its name in the agreement (`Report a Problem/Bug`). */
  type: string;
  typeName: string;
  /** The type's name in Turkish mail (the policy's `nameTr`); absent = `typeNameIn` of the policy. */
  typeNameTr?: string;
  priority: Priority;
  /** What the client asked for with a tag; null when the mail named no priority. */
  requestedPriority: Priority | null;
  /** Why the ticket got its priority (for staff and logs; the client is told in their language). */
  priorityReason: string;
  /** Management only: never shown to or notified to the team. */
  private: boolean;
  mailbox: MailboxName;
  requesterAddress: string;
  requesterName: string | null;
  /** The client's language when known; the config default otherwise. */
  language: Language | null;
  firstResponseDue: Date | null;
  /** Null for priorities without a resolution target (low). */
  resolutionDue: Date | null;
  slaReview: boolean;
  /** Address of the assigned agent, if any. */
  assignee: string | null;
}
