import type { Config } from '../config.js';
import type { Language } from '../outbound/outbound-mail.js';
import type { TicketView } from '../outbound/ticket-view.js';
import { typeNameIn } from '../policy/default-policy.js';
import type { MailboxName, Priority } from '../policy/priorities.js';

/** What a ticket view is made of, as stored (db/ rows have these fields, and more). */
export interface TicketViewSource {
  id: number;
  number: string;
  subject: string;
  type: string;
  priority: string;
  requestedPriority: string | null;
  priorityReason: string;
  private: boolean;
  mailbox: string;
  requesterAddress: string;
  requesterName: string | null;
  requesterLanguage: string | null;
  slaReview: boolean;
  assignee: string | null;
}

/**
 * The outbound view of a stored ticket: mail building never reads the database itself. Generic
 * so that a row with more fields than a view needs, even one patched inline, is taken as it is.
 */
export function ticketViewOf<T extends TicketViewSource>(config: Config, row: T, due: { firstResponseDue: Date | null; resolutionDue: Date | null }): TicketView {
  const typeRule = config.policy.types.find((t) => t.slug === row.type);
  return {
    id: row.id,
    number: row.number,
    subject: row.subject,
    type: row.type,
    typeName: typeRule?.name ?? row.type,
    typeNameTr: typeRule ? typeNameIn(typeRule, 'tr') : row.type,
    priority: row.priority as Priority,
    requestedPriority: (row.requestedPriority as Priority | null) ?? null,
    priorityReason: row.priorityReason,
    private: row.private,
    mailbox: row.mailbox as MailboxName,
    requesterAddress: row.requesterAddress,
    requesterName: row.requesterName,
    language: (row.requesterLanguage as Language | null) ?? null,
    firstResponseDue: due.firstResponseDue,
    resolutionDue: due.resolutionDue,
    slaReview: row.slaReview,
    assignee: row.assignee,
  };
}
