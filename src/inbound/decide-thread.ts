import type { MailboxName, TicketStatus } from '../policy/priorities.js';

/** A ticket the repository found for one of the mail's threading hints. */
export interface TicketThreadRef {
  id: number;
  number: string;
  mailbox: MailboxName;
  private: boolean;
  status: TicketStatus;
  closedAt: Date | null;
  resolvedAt: Date | null;
}

export interface ThreadInput {
  /** Whether the mail would make a private ticket (management mailbox or a complaint tag). */
  privateMail: boolean;
  mailbox: MailboxName;
  /** The ticket whose number matched the subject's thread token. */
  token: TicketThreadRef | null;
  inReplyTo: TicketThreadRef | null;
  /** Tickets found from References, the most recent reference first. */
  references: TicketThreadRef[];
  now: Date;
  reopenWindowDays: number;
}

export type ThreadVia = 'token' | 'in-reply-to' | 'references';

export interface RefusedCandidate {
  number: string;
  why: string;
}

export type ThreadDecision = (
  | { kind: 'new' }
  | { kind: 'reply'; ticket: TicketThreadRef; via: ThreadVia }
  | { kind: 'reopen'; ticket: TicketThreadRef; via: ThreadVia }
  | { kind: 'new-linked'; linkedTo: TicketThreadRef; via: ThreadVia }
) & { ignored: RefusedCandidate[] };

const DAY_MS = 86_400_000;

/**
 * Decides which ticket, if any, a mail continues. Candidates are tried in order (subject token,
 * In-Reply-To, References); one in another mailbox or of the other privacy is never joined,
 * whatever the headers say, so a forged token cannot leak a complaint to the team or the reverse.
 * A reply to a resolved or closed ticket reopens it within the window, else starts a linked one.
 */
export function decideThread(input: ThreadInput): ThreadDecision {
  const ignored: RefusedCandidate[] = [];
  const seen = new Set<number>();
  const candidates: [TicketThreadRef, ThreadVia][] = [
    ...(input.token ? [[input.token, 'token'] as [TicketThreadRef, ThreadVia]] : []),
    ...(input.inReplyTo ? [[input.inReplyTo, 'in-reply-to'] as [TicketThreadRef, ThreadVia]] : []),
    ...input.references.map((t) => [t, 'references'] as [TicketThreadRef, ThreadVia]),
  ];

  for (const [ticket, via] of candidates) {
    if (seen.has(ticket.id)) continue;
    seen.add(ticket.id);
    const why = refusal(ticket, input);
    if (why) {
      ignored.push({ number: ticket.number, why });
      continue;
    }
    if (ticket.status !== 'resolved' && ticket.status !== 'closed') return { kind: 'reply', ticket, via, ignored };
    return withinReopenWindow(ticket, input)
      ? { kind: 'reopen', ticket, via, ignored }
      : { kind: 'new-linked', linkedTo: ticket, via, ignored };
  }
  return { kind: 'new', ignored };
}

function refusal(ticket: TicketThreadRef, input: ThreadInput): string | null {
  if (ticket.private && !input.privateMail) return 'private ticket is never joined by team mail';
  if (!ticket.private && input.privateMail) return 'team ticket is never joined by private mail';
  if (ticket.mailbox !== input.mailbox) return `ticket belongs to the ${ticket.mailbox} mailbox`;
  return null;
}

function withinReopenWindow(ticket: TicketThreadRef, input: ThreadInput): boolean {
  const endedAt = ticket.closedAt ?? ticket.resolvedAt;
  // A resolved ticket without a timestamp is a data fault; keeping the conversation together is
  // the smaller harm than splitting it.
  if (endedAt === null) return true;
  return input.now.getTime() - endedAt.getTime() <= input.reopenWindowDays * DAY_MS;
}
