import type { TicketThreadRef } from '../../inbound/decide-thread.js';
import type { NewTicketValues } from '../../tickets/plan-new-ticket.js';
import { and, eq, isNull, notInArray, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { outbox } from '../schema/outbox.js';
import { messages, ticketEvents, ticketPauses, tickets } from '../schema/tickets.js';
import { rowsOf } from '../rows-of.js';
import { insertRows } from './insert-rows.js';

export type TicketRow = typeof tickets.$inferSelect;

/**
 * A candidate ticket as read, with its requester: a reply from the requester is from a participant,
 * known without another query (isTicketParticipant).
 */
export type StoredThreadRef = TicketThreadRef & { requesterAddress: string };

const threadRefColumns = {
  id: tickets.id, number: tickets.number, mailbox: tickets.mailbox, private: tickets.private,
  status: tickets.status, closedAt: tickets.closedAt, resolvedAt: tickets.resolvedAt, requesterAddress: tickets.requesterAddress,
};

/** Number prefixes: team tickets (SR) and private ones (YN). */
export interface TicketPrefixes { team: string; private: string }

/**
 * New tickets in one statement; rows come back in the order of `values`. The human number comes
 * from a sequence inside the insert, in that order: concurrent ingests never collide.
 */
export async function createTickets(db: Db, prefixes: TicketPrefixes, planned: readonly NewTicketValues[]): Promise<TicketRow[]> {
  // A planned ticket is a row but for what the database gives it (its id, and its number below).
  const values: Omit<typeof tickets.$inferInsert, 'number' | 'id'>[] = [...planned];
  // Private tickets draw from their own sequence with their own prefix. A run is in practice all
  // team tickets (private mail is routed one at a time), so the split is for correctness only.
  const privateRows = values.filter((v) => v.private === true);
  if (privateRows.length === 0) return insertNumbered(db, prefixes.team, 'ticket_number_seq', values);
  if (privateRows.length === values.length) return insertNumbered(db, prefixes.private, 'private_ticket_number_seq', values);
  const team = await insertNumbered(db, prefixes.team, 'ticket_number_seq', values.filter((v) => v.private !== true));
  const hidden = await insertNumbered(db, prefixes.private, 'private_ticket_number_seq', privateRows);
  return values.map((v) => (v.private === true ? hidden.shift()! : team.shift()!));
}

async function insertNumbered(db: Db, prefix: string, sequence: 'ticket_number_seq' | 'private_ticket_number_seq', values: Omit<typeof tickets.$inferInsert, 'number' | 'id'>[]): Promise<TicketRow[]> {
  return insertRows(db, tickets, values as (typeof tickets.$inferInsert)[], {
    computed: { number: sql`${prefix} || '-' || nextval('${sql.raw(sequence)}')::text` },
    returning: 'all',
  });
}

export async function getTicket(db: Db, id: number): Promise<TicketRow | null> {
  const rows = await db.select().from(tickets).where(eq(tickets.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function findTicketByNumber(db: Db, number: string): Promise<TicketRow | null> {
  const rows = await db.select().from(tickets).where(eq(tickets.number, number)).limit(1);
  return rows[0] ?? null;
}

export async function lockTicket(db: Db, id: number): Promise<TicketRow | null> {
  const rows = await db.select().from(tickets).where(eq(tickets.id, id)).for('update').limit(1);
  return rows[0] ?? null;
}

export async function findThreadRefByNumber(db: Db, number: string): Promise<StoredThreadRef | null> {
  const rows = await db.select(threadRefColumns).from(tickets).where(eq(tickets.number, number)).limit(1);
  return (rows[0] as StoredThreadRef | undefined) ?? null;
}

/**
 * Tickets that own any of these Message-IDs: mail we received (messages) and mail we sent
 * (outbox: a client answering our acknowledgement quotes its Message-ID). One id can belong to
 * several tickets (a client who wrote to support and Cc'd management): all are returned, so the
 * caller can pick the one of the mail's own privacy scope.
 */
export async function findThreadRefsByMessageIds(db: Db, ids: string[]): Promise<Map<string, StoredThreadRef[]>> {
  const found = new Map<string, StoredThreadRef[]>();
  if (ids.length === 0) return found;
  // One round trip; inbound rows first, as the caller's pick prefers the first of a scope. Each
  // Message-ID is looked up on its own index (the lateral subqueries, kept apart by offset 0):
  // with an IN list the planner scanned all of messages and outbox for a batch's fifty IDs
  // whenever its statistics lagged behind a growing table (a backlog's first minutes), 5 ms a
  // batch; looked up one by one, 0.5 ms.
  const rows = await db.select({ messageId: sql<string>`r.message_id`, ...threadRefColumns, side: sql<number>`r.side` })
    .from(sql`unnest(${sql.param([...new Set(ids)])}::text[]) as u(message_id) cross join lateral (
      (select m.message_id, m.ticket_id, 0 as side from ${messages} m where m.message_id = u.message_id offset 0)
      union all
      (select o.message_id, o.ticket_id, 1 as side from ${outbox} o where o.message_id = u.message_id and o.ticket_id is not null offset 0)
    ) r`)
    .innerJoin(tickets, sql`${tickets.id} = r.ticket_id`);
  rows.sort((a, b) => a.side - b.side);
  for (const { messageId, side: _side, ...ref } of rows) {
    const list = found.get(messageId) ?? [];
    if (!list.some((r) => r.id === ref.id)) list.push(ref as StoredThreadRef);
    found.set(messageId, list);
  }
  return found;
}

/** Numbers of a requester's tickets not resolved or closed, team and private alike, oldest first (for managers only). */
export async function openTicketNumbersOf(db: Db, requester: string): Promise<string[]> {
  const rows = await db.select({ number: tickets.number }).from(tickets)
    .where(and(eq(tickets.requesterAddress, requester), notInArray(tickets.status, ['resolved', 'closed'])))
    .orderBy(tickets.id).limit(50);
  return rows.map((r) => r.number);
}

/** Whether `address` is the requester of the ticket or wrote to, or was copied on, one of its mails. */
export async function isTicketParticipant(db: Db, ticketId: number, address: string): Promise<boolean> {
  const rows = await db.select({ id: messages.id }).from(messages)
    .where(and(eq(messages.ticketId, ticketId), or(
      eq(messages.fromAddress, address),
      sql`${messages.to} @> ${JSON.stringify([{ address }])}::jsonb`,
      sql`${messages.cc} @> ${JSON.stringify([{ address }])}::jsonb`,
    ))).limit(1);
  if (rows.length > 0) return true;
  // Someone an agent put on the ticket's Cc (`#cc add`) receives its replies and may answer them.
  const added = await db.select({ id: ticketEvents.id }).from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.kind, 'command-cc'),
      sql`${ticketEvents.data} @> ${JSON.stringify({ action: 'add', address })}::jsonb`)).limit(1);
  if (added.length > 0) return true;
  const requester = await db.select({ id: tickets.id }).from(tickets)
    .where(and(eq(tickets.id, ticketId), eq(tickets.requesterAddress, address))).limit(1);
  return requester.length > 0;
}

/**
 * Tickets each client opened in [from, to), for several at once, in their order: a client is its
 * addresses and every address at its domains. Team tickets count only team tickets: whether a
 * client also complained to management is not the team's to know.
 */
export async function countTicketsOpenedByMany(
  db: Db, queries: { addresses: readonly string[]; domains: readonly string[]; from: Date; to: Date; includePrivate: boolean }[],
): Promise<number[]> {
  if (queries.length === 0) return [];
  // A batch asks the same question once per mail of one client: counted once each.
  const asked = queries.map((q) => JSON.stringify([q.addresses, q.domains, q.from.toISOString(), q.to.toISOString(), q.includePrivate]));
  const byKey = new Map(asked.map((key, i) => [key, queries[i]!]));
  const distinct = [...byKey.values()];
  // One row per domain and per address of each question (arrays of arrays do not bind as
  // parameters), each counted on its own index as one range of (domain or address, day): a row
  // comparison, which the index on the day alone cannot serve. With plain conditions the planner
  // took that index, whatever the tables' statistics (a day's tickets estimated at a dozen), and
  // read every ticket of the day for each question: 5 ms a batch once a day held 2,400.
  // (postgres.js binds arrays of text and numbers only: instants and flags go as text.)
  const rows: { i: number; kind: 'domain' | 'address'; value: string; q: (typeof distinct)[number] }[] = [];
  for (const [i, q] of distinct.entries()) {
    for (const domain of new Set(q.domains)) rows.push({ i, kind: 'domain', value: domain, q });
    for (const address of new Set(q.addresses)) rows.push({ i, kind: 'address', value: address, q });
  }
  const column = <T>(f: (r: (typeof rows)[number]) => T) => sql.param(rows.map(f));
  const counted = rowsOf<{ i: number; n: number }>(await db.execute(sql`
    with u as (select * from unnest(${column((r) => r.i)}::int[], ${column((r) => r.kind)}::text[], ${column((r) => r.value)}::text[],
        ${column((r) => r.q.from.toISOString())}::text[]::timestamptz[], ${column((r) => r.q.to.toISOString())}::text[]::timestamptz[],
        ${column((r) => String(r.q.includePrivate))}::text[]::boolean[]) as u(i, kind, value, from_at, to_at, include_private))
    select x.i, sum(x.n)::int as n from (
      select u.i, c.n from u cross join lateral (select count(*) as n from ${tickets} t
        where (lower(split_part(t.requester_address, '@', 2)), t.received_at) >= (u.value, u.from_at)
          and (lower(split_part(t.requester_address, '@', 2)), t.received_at) < (u.value, u.to_at)
          and (u.include_private or not t.private)) c
      where u.kind = 'domain'
      union all
      -- An address at one of the client's domains is counted with its domain already.
      select u.i, c.n from u cross join lateral (select count(*) as n from ${tickets} t
        where (t.requester_address, t.received_at) >= (u.value, u.from_at)
          and (t.requester_address, t.received_at) < (u.value, u.to_at)
          and (u.include_private or not t.private)) c
      where u.kind = 'address' and not exists (select 1 from u d where d.i = u.i and d.kind = 'domain' and d.value = lower(split_part(u.value, '@', 2)))
    ) x group by x.i`));
  const byQuestion = new Array<number>(distinct.length).fill(0);
  for (const r of counted) byQuestion[Number(r.i)] = Number(r.n);
  const index = new Map([...byKey.keys()].map((key, i) => [key, i]));
  return asked.map((key) => byQuestion[index.get(key)!]!);
}

/**
 * Serialises per-key decisions (one client's tickets of one day) across processes until the
 * transaction ends: two mails of the same client at once must not both count 3 and miss the flag.
 */
export async function lockForKey(db: Db, key: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}

/**
 * `lockForKey` for several keys at once, taken in one fixed order (of their hashes) so that two
 * transactions locking overlapping sets wait for each other instead of deadlocking.
 */
export async function lockForKeys(db: Db, keys: string[]): Promise<void> {
  const distinct = [...new Set(keys)];
  if (distinct.length === 0) return;
  if (distinct.length === 1) return lockForKey(db, distinct[0]!);
  await db.execute(sql`select count(pg_advisory_xact_lock(h)) from (
    select distinct hashtext(k) as h from unnest(${sql.param(distinct)}::text[]) as k order by 1) as ordered`);
}

export async function updateTicket(db: Db, id: number, patch: Partial<typeof tickets.$inferInsert>, at: Date): Promise<void> {
  await db.update(tickets).set({ ...patch, updatedAt: at }).where(eq(tickets.id, id));
}

export async function openPause(db: Db, ticketId: number, at: Date): Promise<void> {
  const open = await db.select({ id: ticketPauses.id }).from(ticketPauses)
    .where(and(eq(ticketPauses.ticketId, ticketId), isNull(ticketPauses.endedAt))).limit(1);
  if (open.length === 0) await db.insert(ticketPauses).values({ ticketId, startedAt: at });
}

/** Whether the ticket's resolution clock is paused now (waiting on the client, or `#sla pause`). */
export async function hasOpenPause(db: Db, ticketId: number): Promise<boolean> {
  const open = await db.select({ id: ticketPauses.id }).from(ticketPauses)
    .where(and(eq(ticketPauses.ticketId, ticketId), isNull(ticketPauses.endedAt))).limit(1);
  return open.length > 0;
}

export async function closePause(db: Db, ticketId: number, at: Date): Promise<boolean> {
  // Mails are dated by arrival and may be read out of order: a pause never ends before it began.
  const closed = await db.update(ticketPauses).set({ endedAt: sql`greatest(${ticketPauses.startedAt}, ${at.toISOString()}::timestamptz)` })
    .where(and(eq(ticketPauses.ticketId, ticketId), isNull(ticketPauses.endedAt)))
    .returning({ id: ticketPauses.id });
  return closed.length > 0;
}
