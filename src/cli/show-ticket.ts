import type { Db } from '../db/client.js';
import { listEvents } from '../db/repositories/event-repository.js';
import { listAttachments, listMessages } from '../db/repositories/message-repository.js';
import { listPauses } from '../db/repositories/sla-repository.js';
import {
  findRawMailsByMessageId, getTicketsByIds, listFiredSlaAlerts, listOutboxOfTicket, listQuarantineOfRawMails,
} from '../db/repositories/ticket-query-repository.js';
import { findTicketByNumber } from '../db/repositories/ticket-repository.js';
import type { Policy } from '../policy/default-policy.js';
import type { DeadlineExplanation } from '../sla/deadlines.js';
import { clocksOf, deadlinesOf, isBreached, nextDeadline } from '../tickets/ticket-deadlines.js';

export interface ShowTicketOptions {
  policy: Policy;
  ticketPrefix: string;
  /** Management only: without it a private ticket is neither shown nor named. */
  includePrivate: boolean;
  now: Date;
}

export interface TicketDetail {
  ticket: {
    number: string; status: string; private: boolean; mailbox: string; type: string; typeSource: string;
    priority: string; requestedPriority: string | null; priorityReason: string; subject: string;
    requester: string; requesterName: string | null; assignee: string | null; escalationLevel: number; slaReview: boolean;
    unknownTags: string[]; receivedAt: Date; firstResponseAt: Date | null; qualifiedAt: Date | null;
    resolvedAt: Date | null; closedAt: Date | null; breachedAt: Date | null;
  };
  messages: {
    direction: string; authorKind: string; from: string; fromName: string | null; date: Date; subject: string;
    firstLines: string[]; attachments: { filename: string | null; contentType: string; size: number; inline: boolean }[];
  }[];
  events: { at: Date; actor: string; kind: string; reason: string | null }[];
  pauses: { start: Date; end: Date | null }[];
  alerts: { clock: string; level: string; deadline: Date; firedAt: Date }[];
  outbox: { id: number; kind: string; to: string[]; subject: string; status: string; attempts: number; sentAt: Date | null; lastError: string | null }[];
  deadlines: DeadlineExplanation[];
  nextDeadline: { clock: string; due: Date } | null;
  breached: boolean;
}

/** One stored copy of a mail and what became of it. */
export interface MailRecord {
  rawMailId: number;
  mailbox: string;
  source: string;
  receivedAt: Date;
  ingestedAt: Date;
  size: number;
  decision: string;
  reason: string | null;
  quarantine: { id: number; reasonCode: string; reason: string; retryCount: number; resolvedAt: Date | null; resolution: string | null } | null;
  ticket: { number: string; status: string; type: string; priority: string } | null;
  /** The mail went to a private ticket that this listing may not name. */
  ticketHidden: boolean;
}

export type ShowTicketResult =
  | { kind: 'ticket'; view: TicketDetail }
  | { kind: 'mail'; messageId: string; records: MailRecord[] }
  | { kind: 'not-found'; ref: string }
  | { kind: 'private'; ref: string };

export type TicketLookup = { kind: 'number'; number: string } | { kind: 'message-id'; messageId: string };

/** `SR-1042`, `sr-1042`, `#SR-1042` or `1042` name a ticket; `<id@host>` (or `id@host`) a mail. */
export function parseTicketLookup(ref: string, ticketPrefix: string): TicketLookup {
  const s = ref.trim();
  if (s.includes('@')) return { kind: 'message-id', messageId: s.startsWith('<') ? s : `<${s}>` };
  const bare = s.replace(/^#/, '').toUpperCase();
  return { kind: 'number', number: /^\d+$/.test(bare) ? `${ticketPrefix}-${bare}` : bare };
}

const FIRST_LINES = 3;
const LINE_CHARS = 160;

/** Answers "what is this ticket?" and "what happened to this mail?" from the database alone. */
export async function showTicket(db: Db, ref: string, o: ShowTicketOptions): Promise<ShowTicketResult> {
  const parsed = parseTicketLookup(ref, o.ticketPrefix);
  if (parsed.kind === 'message-id') return traceMail(db, parsed.messageId, o);
  const row = await findTicketByNumber(db, parsed.number);
  if (!row) return { kind: 'not-found', ref: parsed.number };
  if (row.private && !o.includePrivate) return { kind: 'private', ref: parsed.number };

  const [messages, events, pauses, alerts, outbox] = [
    await listMessages(db, row.id), await listEvents(db, row.id), await listPauses(db, [row.id]),
    await listFiredSlaAlerts(db, row.id), await listOutboxOfTicket(db, row.id),
  ];
  const files = await listAttachments(db, messages.map((m) => m.id));
  const d = deadlinesOf(row, pauses, o.policy);
  return {
    kind: 'ticket',
    view: {
      ticket: {
        number: row.number, status: row.status, private: row.private, mailbox: row.mailbox, type: row.type,
        typeSource: row.typeSource, priority: row.priority, requestedPriority: row.requestedPriority,
        priorityReason: row.priorityReason, subject: row.subject, requester: row.requesterAddress,
        requesterName: row.requesterName, assignee: row.assignee, escalationLevel: row.escalationLevel,
        slaReview: row.slaReview, unknownTags: row.unknownTags, receivedAt: row.receivedAt,
        firstResponseAt: row.firstResponseAt, qualifiedAt: row.qualifiedAt, resolvedAt: row.resolvedAt,
        closedAt: row.closedAt, breachedAt: row.breachedAt,
      },
      messages: messages.map((m) => ({
        direction: m.direction, authorKind: m.authorKind, from: m.fromAddress, fromName: m.fromName,
        date: m.sentAt ?? m.createdAt, subject: m.subject, firstLines: firstLines(m.text),
        attachments: files.filter((f) => f.messageId === m.id)
          .map((f) => ({ filename: f.filename, contentType: f.contentType, size: f.size, inline: f.inline })),
      })),
      events: events.map((e) => ({ at: e.at, actor: e.actor, kind: e.kind, reason: e.reason })),
      pauses: pauses.map((p) => ({ start: p.start, end: p.end })),
      alerts,
      outbox: outbox.map((m) => ({
        id: m.id, kind: m.kind, to: [...m.to, ...m.cc].map((a) => a.address), subject: m.subject, status: m.status,
        attempts: m.attempts, sentAt: m.sentAt, lastError: m.lastError,
      })),
      deadlines: clocksOf(d),
      nextDeadline: nextDeadline(row, d),
      breached: isBreached(row, d, o.now),
    },
  };
}

async function traceMail(db: Db, messageId: string, o: ShowTicketOptions): Promise<ShowTicketResult> {
  const raws = await findRawMailsByMessageId(db, messageId);
  if (raws.length === 0) return { kind: 'not-found', ref: messageId };
  const quarantined = await listQuarantineOfRawMails(db, raws.map((r) => r.id));
  const ticketIds = [...new Set(raws.map((r) => r.ticketId).filter((id): id is number => id !== null))];
  const tickets = new Map((await getTicketsByIds(db, ticketIds)).map((t) => [t.id, t]));
  const records = raws.map((r): MailRecord => {
    const t = r.ticketId === null ? undefined : tickets.get(r.ticketId);
    const hidden = t !== undefined && t.private && !o.includePrivate;
    const q = quarantined.filter((x) => x.rawMailId === r.id).at(-1);
    return {
      rawMailId: r.id, mailbox: r.mailbox, source: r.source, receivedAt: r.receivedAt, ingestedAt: r.ingestedAt,
      size: r.size, decision: r.decision,
      // The reason names the ticket it went to; a private one stays unnamed.
      reason: hidden ? null : r.reason,
      quarantine: q ? {
        id: q.id, reasonCode: q.reasonCode, reason: q.reason, retryCount: q.retryCount, resolvedAt: q.resolvedAt, resolution: q.resolution,
      } : null,
      ticket: t && !hidden ? { number: t.number, status: t.status, type: t.type, priority: t.priority } : null,
      ticketHidden: hidden,
    };
  });
  // Without --private, a mail that reached management or a private ticket is as if it did not
  // exist: saying "hidden" would tell the team a complaint is there (issue 20).
  const visible = o.includePrivate ? records : records.filter((r) => !r.ticketHidden && r.mailbox !== 'management');
  if (visible.length === 0) return { kind: 'not-found', ref: messageId };
  return { kind: 'mail', messageId, records: visible };
}

function firstLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0).slice(0, FIRST_LINES)
    .map((l) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS - 1)}…` : l));
}
