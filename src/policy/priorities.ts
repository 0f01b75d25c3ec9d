/** Priorities from most to least urgent; the order matters for clamping and escalation. */
export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const TICKET_STATUSES = ['new', 'open', 'waiting', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Where a ticket's type came from, so an agent can see why it was classified that way. */
export const TYPE_SOURCES = ['tag', 'keywords', 'mailbox', 'default', 'agent'] as const;
export type TypeSource = (typeof TYPE_SOURCES)[number];

export const MAILBOXES = ['support', 'management'] as const;
export type MailboxName = (typeof MAILBOXES)[number];

/**
 * The order the copies of one delivery to both mailboxes are read in: management first, so the
 * support copy of a mail that also went to management (a Bcc leaves no trace in it) finds the
 * private ticket already open and joins it instead of opening a team ticket (issue 20).
 */
export const MANAGEMENT_FIRST: readonly MailboxName[] = ['management', 'support'];

export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}
