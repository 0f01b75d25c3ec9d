import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { appendEvents, type NewEvent } from '../db/repositories/event-repository.js';
import { insertMessages } from '../db/repositories/message-repository.js';
import { acknowledgementGates, enqueueMany, suppressedAmong, type QueuedMail } from '../db/repositories/outbox-repository.js';
import { countTicketsOpenedByMany, createTickets, lockForKeys } from '../db/repositories/ticket-repository.js';
import { acknowledgementWindowStart } from './enqueue-acknowledgement.js';
import type { IngestOutcome } from './ingest-types.js';
import type { TeamAttachment } from './enqueue-team-notification.js';
import { clientReportAttachment, dayWindow } from './open-ticket.js';
import { planTicket, planTicketWrites, requesterOf, staffToNotify, type TicketWrites } from './plan-new-ticket.js';
import type { RouteContext, RouteInput } from './route-parsed-mail.js';

/**
 * Whether a mail can only open a new ticket, whatever the database holds, so that it may be
 * written together with others: an ordinary client mail (no bounce, loop or auto-reply), answering
 * nothing (no In-Reply-To, References or ticket token), carrying no reply token, and not private.
 * Every other mail is routed one at a time.
 */
export function opensTicketAlone(m: Pick<RouteInput, 'mail' | 'noise' | 'classification'>, carriesReplyToken: boolean): boolean {
  const { mail, noise, classification: c } = m;
  return noise.kind === null && !c.private && c.tags.threadToken === null
    && mail.inReplyTo === null && mail.references.length === 0 && !carriesReplyToken;
}

/**
 * A Request a Report ticket attaches the client's figures of last month, read from the tickets
 * as they stand: such a mail must start its run, so that it reads what every mail before it
 * wrote and nothing of the mails after it, as it would one at a time.
 */
export function startsRun(m: Pick<RouteInput, 'classification'>): boolean {
  return m.classification.type === 'report';
}

export interface OpenTogetherOptions {
  /** Random part of Message-IDs; tests fix it. */
  random?: () => string;
  /** The transaction already holds every requester's lock (ingest-batch takes them all first). */
  locksHeld?: boolean;
}

/**
 * openTicket for a run of mails that each open a new ticket (see opensTicketAlone), with
 * statements that span the run: the same decisions (plan-new-ticket), the same rows, in the same
 * order, as opening them one after the other, in seven to nine statements for the run instead of
 * about eleven per mail.
 * What the one-by-one path would read from rows an earlier mail of the run wrote (the requester's
 * tickets that day, acknowledgements to them in the window) is counted in memory.
 */
export async function openTicketsTogether(
  tx: Db, ctx: RouteContext, run: RouteInput[], options: OpenTogetherOptions = {},
): Promise<Omit<IngestOutcome, 'rawMailId'>[]> {
  if (run.length === 0) return [];
  const { config, now } = ctx;
  const random = options.random ?? randomUUID;
  const requesters = run.map((m) => requesterOf(config, m));
  if (!options.locksHeld) await lockForKeys(tx, requesters.flatMap((r) => (r.lockKey ? [r.lockKey] : [])));
  const counted = requesters.map((r, i) => ({ r, i })).filter(({ r }) => r.hasSender);
  const counts = await countTicketsOpenedByMany(tx, counted.map(({ r }) => {
    const [from, to] = dayWindow(r);
    return { requester: r.address, from, to, includePrivate: r.includePrivate };
  }));
  const earlierInDb = new Map(counted.map(({ i }, k) => [i, counts[k]!]));

  const openedToday = new Map<string, number>();
  const plans = run.map((m, i) => {
    const r = requesters[i]!;
    const key = r.lockKey ?? '';
    const earlier = r.hasSender ? earlierInDb.get(i)! + (openedToday.get(key) ?? 0) : 0;
    if (r.hasSender) openedToday.set(key, (openedToday.get(key) ?? 0) + 1);
    return planTicket(config, now, m, r, earlier, null);
  });
  // Read before the run's tickets exist (see startsRun).
  const reports = new Map<number, TeamAttachment>();
  for (const [i, r] of requesters.entries()) {
    if (startsRun(run[i]!) && r.hasSender) reports.set(i, await clientReportAttachment(tx, config, r.address, run[i]!.input.receivedAt, now));
  }
  const tickets = await createTickets(tx, config.ticketPrefix, plans.map((p) => p.values));

  const gates = await acknowledgementGates(tx, requesters.map((r) => r.address), now, acknowledgementWindowStart(config, now));
  const suppressedStaff = await suppressedAmong(tx, [...new Set(plans.flatMap((p) => staffToNotify(config, p)))], now);
  const acknowledgedInRun = new Map<string, number>();
  const writes: TicketWrites[] = run.map((m, i) => {
    const address = requesters[i]!.address;
    const gate = gates.get(address) ?? { suppressed: false, sent: 0 };
    const w = planTicketWrites(config, now, random, m, plans[i]!, tickets[i]!, null, {
      acknowledgement: { suppressed: gate.suppressed, sent: gate.sent + (acknowledgedInRun.get(address) ?? 0) },
      suppressedStaff,
      reportAttachment: reports.get(i) ?? null,
    });
    // As the gate counts them: acknowledgements whose To holds the address.
    for (const { mail } of w.mails) {
      if (mail.kind !== 'acknowledgement' && mail.kind !== 'acknowledgement-private') continue;
      for (const to of mail.to) acknowledgedInRun.set(to.address, (acknowledgedInRun.get(to.address) ?? 0) + 1);
    }
    return w;
  });
  await insertMessages(tx, writes.map((w) => ({ message: w.message, files: w.files })));
  await enqueueMany(tx, writes.flatMap((w): QueuedMail[] => w.mails), now);
  await appendEvents(tx, writes.flatMap((w): NewEvent[] => w.events));
  return writes.map((w) => w.outcome);
}
