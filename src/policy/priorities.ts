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

export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}
