import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, boolean, index, integer, jsonb, pgSequence, pgTable, smallint, text, uniqueIndex,
} from 'drizzle-orm/pg-core';
import { timestamptz } from './columns.js';

/** Human ticket numbers (SR-1042) come from a sequence so that concurrent ingests never collide. */
export const ticketNumberSeq = pgSequence('ticket_number_seq', { startWith: 1000, increment: 1 });

/** Private (management) tickets have numbers of their own (YN-1000), so team numbers have no gaps. */
export const privateTicketNumberSeq = pgSequence('private_ticket_number_seq', { startWith: 1000, increment: 1 });

export const tickets = pgTable('tickets', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  number: text('number').notNull(),
  /** The mailbox that owns the ticket; replies go out from its address. */
  mailbox: text('mailbox').notNull(),
  /** Management-only: never shown, notified or joined to anything of the team. */
  private: boolean('private').notNull().default(false),
  type: text('type').notNull(),
  /** tag | keywords | mailbox | default | agent */
  typeSource: text('type_source').notNull(),
  requestedPriority: text('requested_priority'),
  priority: text('priority').notNull(),
  priorityReason: text('priority_reason').notNull(),
  /** new | open | waiting | resolved | closed */
  status: text('status').notNull().default('new'),
  requesterAddress: text('requester_address').notNull(),
  requesterName: text('requester_name'),
  requesterLanguage: text('requester_language'),
  assignee: text('assignee'),
  subject: text('subject').notNull(),
  /** Bracketed tokens we did not understand, kept for the agent ([EXTERNAL], [SPAM?]). */
  unknownTags: jsonb('unknown_tags').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  /** A ticket opened by a reply to one closed too long ago points back to it. */
  linkedTicketId: bigint('linked_ticket_id', { mode: 'number' }),
  /** Special circumstances: the client's 4th+ ticket of the day, flagged for SLA review. */
  slaReview: boolean('sla_review').notNull().default(false),
  escalationLevel: smallint('escalation_level').notNull().default(0),
  /** Working minutes a lead or manager added to the targets with `#sla extend` (events say why). */
  firstResponseExtraMinutes: integer('first_response_extra_minutes').notNull().default(0),
  resolutionExtraMinutes: integer('resolution_extra_minutes').notNull().default(0),
  satisfactionScore: smallint('satisfaction_score'),
  satisfactionComment: text('satisfaction_comment'),
  /** Clock inputs (SLA-POLICY.md): arrival, first agent response, qualification, resolution. */
  receivedAt: timestamptz('received_at').notNull(),
  firstResponseAt: timestamptz('first_response_at'),
  qualifiedAt: timestamptz('qualified_at'),
  resolvedAt: timestamptz('resolved_at'),
  closedAt: timestamptz('closed_at'),
  /** Computed deadlines, kept for listing and the sweeper; the explanation is recomputed on demand. */
  firstResponseDue: timestamptz('first_response_due'),
  resolutionDue: timestamptz('resolution_due'),
  breachedAt: timestamptz('breached_at'),
  /** When the sweeper must next look at this ticket; null when no SLA event is pending. */
  nextSlaAt: timestamptz('next_sla_at'),
  createdAt: timestamptz('created_at').notNull().default(sql`now()`),
  updatedAt: timestamptz('updated_at').notNull().default(sql`now()`),
}, (t) => [
  uniqueIndex('tickets_number').on(t.number),
  index('tickets_next_sla').on(t.nextSlaAt).where(sql`${t.nextSlaAt} is not null`),
  // A requester's tickets, and those of a day (countTicketsOpenedByMany's addresses).
  index('tickets_requester_received').on(t.requesterAddress, t.receivedAt),
  index('tickets_status').on(t.status),
  // New team tickets of the last minutes, counted for every run of new tickets (tickets/team-flood.ts).
  index('tickets_team_created').on(t.createdAt).where(sql`not ${t.private}`),
  // The reports take the tickets received in a month or quarter (bench/reports-at-scale).
  index('tickets_received_at').on(t.receivedAt),
  // A client's tickets of a day by its domains, counted for every new ticket (special
  // circumstances, ticket-repository.ts countTicketsOpenedByMany): without it each count read
  // every ticket of the day, 15 ms a batch once a day held 3,000 (bench/ingest-throughput).
  index('tickets_requester_domain_received').on(sql`lower(split_part(${t.requesterAddress}, '@', 2))`, t.receivedAt),
]);

export const messages = pgTable('messages', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  ticketId: bigint('ticket_id', { mode: 'number' }).notNull().references(() => tickets.id),
  rawMailId: bigint('raw_mail_id', { mode: 'number' }),
  /** inbound | outbound | internal */
  direction: text('direction').notNull(),
  /** client | agent | manager | system */
  authorKind: text('author_kind').notNull(),
  messageId: text('message_id').notNull(),
  inReplyTo: text('in_reply_to'),
  references: jsonb('references').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  fromAddress: text('from_address').notNull(),
  fromName: text('from_name'),
  to: jsonb('to').$type<{ name?: string; address: string }[]>().notNull().default(sql`'[]'::jsonb`),
  cc: jsonb('cc').$type<{ name?: string; address: string }[]>().notNull().default(sql`'[]'::jsonb`),
  subject: text('subject').notNull(),
  text: text('text').notNull(),
  /** Sanitised HTML, safe to display; the sender's raw HTML stays in raw_mail. */
  html: text('html'),
  sentAt: timestamptz('sent_at'),
  createdAt: timestamptz('created_at').notNull().default(sql`now()`),
}, (t) => [
  index('messages_ticket').on(t.ticketId),
  index('messages_message_id').on(t.messageId),
]);

/** Attachment metadata; the bytes stay in raw_mail, which is the single source of truth. */
export const attachments = pgTable('attachments', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  messageId: bigint('message_id', { mode: 'number' }).notNull().references(() => messages.id),
  filename: text('filename'),
  contentType: text('content_type').notNull(),
  size: integer('size').notNull(),
  sha256: text('sha256').notNull(),
  contentId: text('content_id'),
  inline: boolean('inline').notNull().default(false),
}, (t) => [index('attachments_message').on(t.messageId)]);

/** Append-only: a trigger in the migration refuses UPDATE and DELETE. */
export const ticketEvents = pgTable('ticket_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  ticketId: bigint('ticket_id', { mode: 'number' }).notNull().references(() => tickets.id),
  at: timestamptz('at').notNull(),
  /** An address, or 'system' / 'sla' / 'client' for automatic changes. */
  actor: text('actor').notNull(),
  kind: text('kind').notNull(),
  reason: text('reason'),
  data: jsonb('data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
}, (t) => [index('ticket_events_ticket').on(t.ticketId, t.at)]);

/** Waiting-on-client intervals that pause the resolution clock. */
export const ticketPauses = pgTable('ticket_pauses', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  ticketId: bigint('ticket_id', { mode: 'number' }).notNull().references(() => tickets.id),
  startedAt: timestamptz('started_at').notNull(),
  endedAt: timestamptz('ended_at'),
}, (t) => [index('ticket_pauses_ticket').on(t.ticketId)]);

/** One row per SLA notification fired: the unique key is what makes each step fire exactly once. */
export const slaAlerts = pgTable('sla_alerts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  ticketId: bigint('ticket_id', { mode: 'number' }).notNull().references(() => tickets.id),
  /** first-response | qualification | resolution | client-escalation | special-circumstances */
  clock: text('clock').notNull(),
  /** reminder | breach | manager | level-N */
  level: text('level').notNull(),
  deadline: timestamptz('deadline').notNull(),
  firedAt: timestamptz('fired_at').notNull(),
}, (t) => [uniqueIndex('sla_alerts_once').on(t.ticketId, t.clock, t.level, t.deadline)]);

