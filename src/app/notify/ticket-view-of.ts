import type { Config } from '../../config.js';
import type { TicketRow } from '../../db/repositories/ticket-repository.js';
import type { Language } from '../../outbound/outbound-mail.js';
import type { TicketView } from '../../outbound/ticket-view.js';
import type { MailboxName, Priority } from '../../policy/priorities.js';

/** The outbound view of a ticket row: mail building never reads the database itself. */
export function ticketViewOf(config: Config, row: TicketRow, due: { firstResponseDue: Date | null; resolutionDue: Date | null }): TicketView {
  const typeRule = config.policy.types.find((t) => t.slug === row.type);
  return {
    id: row.id,
    number: row.number,
    subject: row.subject,
    type: row.type,
    typeName: typeRule?.name ?? row.type,
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
