import { PUBLIC_MAIL_DOMAINS } from '../../tickets/client-of.js';
import { and, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import { domainOfNormalised, normaliseAddress } from '../../inbound/normalise-address.js';
import type { OutboundMail, QueuedMail } from '../../outbound/outbound-mail.js';
import type { AcknowledgementGate } from '../../tickets/plan-acknowledgement.js';
import type { Db } from '../client.js';
import { outbox, suppressions } from '../schema/outbox.js';
import { tickets } from '../schema/tickets.js';
import { rowsOf } from '../rows-of.js';
import { insertRows } from './insert-rows.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'bounced' | 'suppressed';

/**
 * Queues a mail in the caller's transaction. The dedupe key makes a repeated decision harmless:
 * the second insert does nothing and reports it.
 */
export async function enqueue(tx: Db, mail: OutboundMail, options: { notBefore?: Date; now?: Date } = {}): Promise<boolean> {
  const now = options.now ?? new Date();
  const rows = await tx.insert(outbox).values(outboxRow(mail, options.notBefore ?? now, now))
    .onConflictDoNothing({ target: outbox.dedupeKey }).returning({ id: outbox.id });
  return rows.length > 0;
}

/**
 * Queues mails that are rewritten while they wait (the team's flood list grows as tickets come):
 * a new key is inserted; a key still pending gets the new subject, text and send time, keeping its
 * Message-ID; one already claimed or sent is left alone.
 */
export async function upsertPendingMails(tx: Db, queued: QueuedMail[], now: Date): Promise<void> {
  if (queued.length === 0) return;
  await tx.insert(outbox).values(queued.map((q) => outboxRow(q.mail, q.notBefore, now))).onConflictDoUpdate({
    target: outbox.dedupeKey,
    set: { subject: sql`excluded.subject`, text: sql`excluded.text`, html: sql`excluded.html`, notBefore: sql`excluded.not_before` },
    setWhere: sql`${outbox.status} = 'pending'`,
  });
}

/**
 * Queues many mails in one statement, in their order (their ids, and so the order they leave in,
 * follow it). Returns the dedupe keys that were new; a key already queued is left as it was.
 */
export async function enqueueMany(tx: Db, queued: QueuedMail[], now: Date): Promise<Set<string>> {
  if (queued.length === 0) return new Set();
  const rows = await insertRows(tx, outbox, queued.map((q) => outboxRow(q.mail, q.notBefore, now)),
    { onConflictDoNothing: outbox.dedupeKey, returning: ['dedupeKey'] });
  return new Set(rows.map((r) => r.dedupeKey));
}

/** Whether a mail counts against the acknowledgement caps. */
function isAcknowledgement(mail: OutboundMail): boolean {
  return mail.kind === 'acknowledgement' || mail.kind === 'acknowledgement-private';
}

/**
 * What the acknowledgement caps count an address by: the one place normaliseAddress is applied,
 * for what is stored (outboxRow) and for what the gates look up, so the two cannot drift apart.
 */
export function acknowledgementKey(address: string): { recipient: string; domain: string } {
  const recipient = normaliseAddress(address);
  const domain = domainOfNormalised(recipient);
  // At a public provider (gmail.com, outlook.com, yandex.com...) a domain is not an organisation:
  // thirty real clients on Gmail must not silence each other, so each address is its own "domain",
  // as clients are grouped (tickets/client-of.ts).
  return { recipient, domain: PUBLIC_MAIL_DOMAINS.has(domain) ? recipient : domain };
}

function outboxRow(mail: OutboundMail, notBefore: Date, now: Date): typeof outbox.$inferInsert {
  const ack = isAcknowledgement(mail) && mail.to[0] ? acknowledgementKey(mail.to[0].address) : null;
  return {
    ackRecipient: ack?.recipient ?? null,
    ackDomain: ack?.domain ?? null,
    dedupeKey: mail.dedupeKey,
    kind: mail.kind,
    ticketId: mail.ticketId,
    messageId: mail.messageId,
    fromAddress: mail.from,
    replyTo: mail.replyTo,
    to: mail.to,
    cc: mail.cc,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: mail.headers,
    attachments: mail.attachments ?? [],
    notBefore,
    createdAt: now,
  };
}

/**
 * Leases up to `limit` due rows to `owner`. SKIP LOCKED lets several workers claim at once
 * without taking the same row; a row whose lease ran out (its worker died) is claimable again.
 * Each claim counts as an attempt, so a mail that crashes its worker cannot loop forever.
 */
export async function claimDue(db: Db, options: { owner: string; leaseMs: number; limit: number; now: Date }): Promise<OutboxRow[]> {
  const { now } = options;
  return preparedFor(db).claimDue.execute({
    now: now.toISOString(), limit: options.limit, owner: options.owner, leaseUntil: new Date(now.getTime() + options.leaseMs).toISOString(),
  });
}

/**
 * The claim the outbox worker runs before every few mails, built once per database and run with
 * its values bound: drizzle otherwise builds a query each time it runs, 70–150 µs of this process
 * per statement. Placeholders reach the driver as given, without the columns' encoding: instants
 * are bound as text and cast.
 */
function prepareStatements(db: Db) {
  const now = sql.placeholder('now');
  // `not_before <= now` stands on its own, an index condition on outbox_due: inside the OR it was
  // only a filter, so a claim walked the index until it had `limit` rows, all of it when fewer
  // were due (2.3 ms a claim at 6,000 mails). Rows not yet due are now never read. Sent rows
  // leave dead entries until vacuum, which the scan still passes, but an index scan marks them
  // dead as it goes and later claims step over them cheaply. For a leased row the condition
  // changes nothing: its lease ends after the not_before it was claimed at.
  // The statuses are constants in the text, not parameters: only then can the server's generic
  // plan for the prepared claim (chosen after five runs) prove outbox_due's predicate and use it.
  const due = db.select({ id: outbox.id }).from(outbox).where(and(
    lte(outbox.notBefore, now),
    sql`(${outbox.status} = 'pending' or (${outbox.status} = 'sending' and ${outbox.leaseUntil} < ${now}))`,
  )).orderBy(outbox.notBefore, outbox.id).limit(sql.placeholder('limit')).for('update', { skipLocked: true });
  return {
    claimDue: db.update(outbox).set({
      status: 'sending',
      leaseOwner: sql`${sql.placeholder('owner')}`,
      leaseUntil: sql`${sql.placeholder('leaseUntil')}::timestamptz`,
      attempts: sql`${outbox.attempts} + 1`,
    }).where(inArray(outbox.id, due)).returning().prepare('outbox_claim_due'),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepareStatements>>();

function preparedFor(db: Db): ReturnType<typeof prepareStatements> {
  let statements = prepared.get(db);
  if (!statements) {
    statements = prepareStatements(db);
    prepared.set(db, statements);
  }
  return statements;
}

/** Writes guarded by the lease: a worker that lost its row to another cannot overwrite it. */
function leased(id: number, owner: string) {
  return and(eq(outbox.id, id), eq(outbox.status, 'sending'), eq(outbox.leaseOwner, owner));
}

/**
 * Several sent mails recorded in one statement, each under its lease (see `leased`). Returns the
 * ids recorded; a row missing from it was no longer this owner's to record.
 */
export async function markSentMany(
  db: Db, owner: string, sent: { id: number; now: Date; recipients: Record<string, string> }[],
): Promise<Set<number>> {
  if (sent.length === 0) return new Set();
  const rows = rowsOf<{ id: number | string }>(await db.execute(sql`update ${outbox}
    set status = 'sent', sent_at = u.sent_at, recipients = u.recipients, lease_owner = null, lease_until = null, last_error = null
    from unnest(${sql.param(sent.map((s) => s.id))}::bigint[], ${sql.param(sent.map((s) => s.now.toISOString()))}::text[]::timestamptz[],
      ${sql.param(sent.map((s) => JSON.stringify(s.recipients)))}::text[]::jsonb[]) as u(id, sent_at, recipients)
    where ${outbox.id} = u.id and ${outbox.status} = 'sending' and ${outbox.leaseOwner} = ${owner}
    returning ${outbox.id}`));
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * Puts a row back for a later attempt. `refundAttempt` is for failures that say nothing about
 * the mail (the server was unreachable), so an outage does not use up its attempts.
 */
export async function markRetry(
  db: Db, id: number, owner: string,
  retry: { nextAttemptAt: Date; error: string; recipients?: Record<string, string>; refundAttempt?: boolean },
): Promise<boolean> {
  const rows = await db.update(outbox).set({
    status: 'pending', notBefore: retry.nextAttemptAt, lastError: retry.error, leaseOwner: null, leaseUntil: null,
    ...(retry.recipients ? { recipients: retry.recipients } : {}),
    ...(retry.refundAttempt ? { attempts: sql`greatest(${outbox.attempts} - 1, 0)` } : {}),
  }).where(leased(id, owner)).returning({ id: outbox.id });
  return rows.length > 0;
}

/**
 * Gives back a claim that was never sent, as it was before the claim: its attempt refunded, its
 * last error untouched (nothing was tried), and its not_before too, so it keeps its place at the
 * front of the due mail rather than going behind every mail due since.
 */
export async function releaseClaim(db: Db, id: number, owner: string): Promise<boolean> {
  const rows = await db.update(outbox).set({
    status: 'pending', leaseOwner: null, leaseUntil: null, attempts: sql`greatest(${outbox.attempts} - 1, 0)`,
  }).where(leased(id, owner)).returning({ id: outbox.id });
  return rows.length > 0;
}

export async function markFailed(db: Db, id: number, owner: string, failure: { error: string; recipients?: Record<string, string> }): Promise<boolean> {
  const rows = await db.update(outbox).set({
    status: 'failed', lastError: failure.error, leaseOwner: null, leaseUntil: null,
    ...(failure.recipients ? { recipients: failure.recipients } : {}),
  }).where(leased(id, owner)).returning({ id: outbox.id });
  return rows.length > 0;
}

/** A reminder that no longer applies (the ticket moved on) is kept, marked, and never sent. */
export async function markSuppressed(db: Db, id: number, owner: string, reason: string): Promise<boolean> {
  const rows = await db.update(outbox).set({ status: 'suppressed', lastError: reason, leaseOwner: null, leaseUntil: null })
    .where(leased(id, owner)).returning({ id: outbox.id });
  return rows.length > 0;
}

/**
 * A delivery report came back for one of our mails: merge the per-recipient statuses. Only a mail
 * that was actually sent can bounce; a report naming a pending one (forged, or confused) must not
 * stop it from being sent. Returns the row with the addresses it was sent to.
 */
export async function markBounced(
  db: Db, messageId: string, recipients: Record<string, string>,
): Promise<{ id: number; ticketId: number | null; sentTo: string[] } | null> {
  const rows = await db.update(outbox).set({
    status: 'bounced', recipients: sql`${outbox.recipients} || ${JSON.stringify(recipients)}::jsonb`,
  }).where(and(eq(outbox.messageId, messageId), inArray(outbox.status, ['sent', 'bounced'])))
    .returning({ id: outbox.id, ticketId: outbox.ticketId, to: outbox.to, cc: outbox.cc });
  const row = rows[0];
  if (!row) return null;
  return { id: row.id, ticketId: row.ticketId, sentTo: [...row.to, ...row.cc].map((a) => a.address.toLowerCase()) };
}

/** No mail to `address` until `until`; a second bounce extends, never shortens, the period. */
export async function suppress(db: Db, address: string, until: Date, reason: string): Promise<void> {
  await db.insert(suppressions).values({ address, until, reason }).onConflictDoUpdate({
    target: suppressions.address,
    set: { until: sql`greatest(${suppressions.until}, excluded.until)`, reason: sql`excluded.reason` },
  });
}

export async function isSuppressed(db: Db, address: string, now: Date): Promise<boolean> {
  return (await suppressedAmong(db, [address], now)).has(address);
}

/** Which of `addresses` are under suppression at `now`, in one round trip. */
export async function suppressedAmong(db: Db, addresses: string[], now: Date): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const rows = await db.select({ address: suppressions.address }).from(suppressions)
    .where(and(inArray(suppressions.address, [...new Set(addresses)]), sql`${suppressions.until} > ${now}`));
  return new Set(rows.map((r) => r.address));
}

/** Which of these dedupe keys the outbox holds already (a mail queued under one would be dropped). */
export async function queuedAmong(db: Db, dedupeKeys: string[]): Promise<Set<string>> {
  if (dedupeKeys.length === 0) return new Set();
  // One array parameter: one prepared statement whatever the count.
  const rows = await db.select({ dedupeKey: outbox.dedupeKey }).from(outbox)
    .where(sql`${outbox.dedupeKey} = any(${sql.param([...new Set(dedupeKeys)])}::text[])`);
  return new Set(rows.map((r) => r.dedupeKey));
}

/**
 * The acknowledgement gates of several addresses in one round trip, keyed by the address as
 * given: whether each is suppressed (exact address, as bounces record it), and how many
 * acknowledgements went since `since` to its normalised form and to its domain, and since
 * `globalSince` to anyone (the caps). Batch and one-at-a-time ingest both read it here.
 */
export async function acknowledgementGates(
  db: Db, addresses: string[], now: Date, since: Date, includePrivate = true, globalSince: Date = since,
): Promise<Map<string, AcknowledgementGate>> {
  // A team ticket's cap counts the team's acknowledgements only: whether the client also wrote to
  // management is not the team's to know (issue 20).
  const kinds = includePrivate ? ['acknowledgement', 'acknowledgement-private'] : ['acknowledgement'];
  const distinct = [...new Set(addresses)];
  const gates = new Map<string, AcknowledgementGate>();
  if (distinct.length === 0) return gates;
  const keys = distinct.map(acknowledgementKey);
  // Each recipient and each domain counted once however many addresses of the batch share it (a
  // client's people share its domain: counted per address, a busy domain's window was read once
  // per mail of it), the global count once, and the suppressed addresses among them.
  const recipients = [...new Set(keys.map((k) => k.recipient))];
  const domains = [...new Set(keys.map((k) => k.domain))];
  const window = sql`o.kind = any(${sql.param(kinds)}::text[]) and o.created_at >= ${since.toISOString()}::timestamptz`;
  const rows = rowsOf<{ counted: 'recipient' | 'domain' | 'global' | 'suppressed'; key: string | null; n: number }>(await db.execute(sql`
    select 'recipient' as counted, r.key, (select count(*)::int from ${outbox} o where ${window} and o.ack_recipient = r.key) as n
      from unnest(${sql.param(recipients)}::text[]) as r(key)
    union all
    select 'domain', d.key, (select count(*)::int from ${outbox} o where ${window} and o.ack_domain = d.key)
      from unnest(${sql.param(domains)}::text[]) as d(key)
    union all
    select 'global', null, (select count(*)::int from ${outbox} o
      where o.kind = any(${sql.param(kinds)}::text[]) and o.created_at >= ${globalSince.toISOString()}::timestamptz and o.ack_recipient is not null)
    union all
    select 'suppressed', s.address, 1 from ${suppressions} s
      where s.address = any(${sql.param(distinct)}::text[]) and s.until > ${now.toISOString()}::timestamptz`));
  const counts = { recipient: new Map<string, number>(), domain: new Map<string, number>(), suppressed: new Map<string, number>() };
  let globalSent = 0;
  for (const row of rows) {
    if (row.counted === 'global') globalSent = Number(row.n);
    else counts[row.counted].set(row.key!, Number(row.n));
  }
  for (const [i, address] of distinct.entries()) {
    const key = keys[i]!;
    gates.set(address, {
      suppressed: counts.suppressed.has(address), sent: counts.recipient.get(key.recipient) ?? 0,
      domainSent: counts.domain.get(key.domain) ?? 0,
      globalSent, recipient: key.recipient, domain: key.domain,
    });
  }
  return gates;
}

/**
 * What the acknowledgement of a new ticket checks before it is queued, in one round trip: whether
 * the address is suppressed, and the cap counts (see acknowledgementGates).
 */
export async function acknowledgementGate(
  db: Db, address: string, now: Date, since: Date, globalSince: Date = since,
): Promise<AcknowledgementGate> {
  const key = acknowledgementKey(address);
  return (await acknowledgementGates(db, [address], now, since, true, globalSince)).get(address)
    ?? { suppressed: false, sent: 0, domainSent: 0, globalSent: 0, recipient: key.recipient, domain: key.domain };
}

/** What a reminder needs to know to decide whether it still applies. */
export async function ticketProgress(db: Db, ticketId: number) {
  const [row] = await db.select({
    status: tickets.status, firstResponseAt: tickets.firstResponseAt, qualifiedAt: tickets.qualifiedAt,
    resolvedAt: tickets.resolvedAt, closedAt: tickets.closedAt,
    firstResponseDue: tickets.firstResponseDue, resolutionDue: tickets.resolutionDue,
  }).from(tickets).where(eq(tickets.id, ticketId));
  return row ?? null;
}

/**
 * Mail the team may see: none about a private ticket, and none sent from the management address
 * (ticket-less notices about a complainant, the managers' digest). Operator surfaces show only
 * these unless asked for private mail explicitly.
 */
export function teamVisibleOutbox(managementAddress: string) {
  return sql`(not exists (select 1 from ${tickets} t where t.id = ${outbox.ticketId} and t.private)
    and ${outbox.fromAddress}->>'address' <> ${managementAddress})`;
}

/** `teamOnly` (the management address) leaves out what teamVisibleOutbox leaves out. */
export async function listOutbox(db: Db, options: { status?: string; limit?: number; teamOnly?: string } = {}): Promise<OutboxRow[]> {
  const where = and(
    options.status ? eq(outbox.status, options.status) : undefined,
    options.teamOnly !== undefined ? teamVisibleOutbox(options.teamOnly) : undefined,
  );
  return db.select().from(outbox).where(where).orderBy(desc(outbox.id)).limit(options.limit ?? 50);
}

export async function getOutbox(db: Db, id: number, options: { teamOnly?: string } = {}): Promise<OutboxRow | null> {
  const [row] = await db.select().from(outbox)
    .where(and(eq(outbox.id, id), options.teamOnly !== undefined ? teamVisibleOutbox(options.teamOnly) : undefined));
  return row ?? null;
}

/** An operator's retry: due now, with a fresh count of attempts. Sent mail is never resent. */
export async function retryNow(db: Db, id: number, now: Date): Promise<boolean> {
  const rows = await db.update(outbox).set({
    status: 'pending', notBefore: now, attempts: 0, leaseOwner: null, leaseUntil: null,
  }).where(and(eq(outbox.id, id), inArray(outbox.status, ['failed', 'bounced', 'suppressed', 'pending'])))
    .returning({ id: outbox.id });
  return rows.length > 0;
}

/** Which of `keys` are already queued (in any status), so a scheduled job can skip work it has done. */
export async function existingDedupeKeys(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.select({ key: outbox.dedupeKey }).from(outbox).where(inArray(outbox.dedupeKey, keys));
  return new Set(rows.map((r) => r.key));
}

/**
 * Whether a ticket-less mail of `kind` went to `address` since `since` (a sliding window; the
 * caller holds a per-address lock so two transactions cannot both see none).
 */
export async function sentRecently(db: Db, kind: string, address: string, since: Date): Promise<boolean> {
  const rows = await db.select({ id: outbox.id }).from(outbox).where(and(
    sql`${outbox.ticketId} is null`, eq(outbox.kind, kind), sql`${outbox.createdAt} >= ${since.toISOString()}::timestamptz`,
    sql`${outbox.to}->0->>'address' = ${address}`,
  )).limit(1);
  return rows.length > 0;
}
