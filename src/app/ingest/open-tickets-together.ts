import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { appendEvents } from '../../db/repositories/event-repository.js';
import type { TicketEvent } from '../../tickets/ticket-event.js';
import { insertMessages } from '../../db/repositories/message-repository.js';
import { acknowledgementGates, acknowledgementKey, enqueueMany, queuedAmong, suppressedAmong } from '../../db/repositories/outbox-repository.js';
import { countTicketsOpenedByMany, createTickets, lockForKeys, openTicketNumbersOf } from '../../db/repositories/ticket-repository.js';
import type { TicketThreadRef } from '../../inbound/decide-thread.js';
import { pipelineStatements } from '../../db/pipeline-statements.js';
import { deferOr } from '../../db/write-behind.js';
import { acknowledgementGlobalWindowStart, acknowledgementWindowStart } from '../../tickets/plan-acknowledgement.js';
import { enqueueTeamFloodLists } from '../notify/team-flood-list.js';
import { countTeamTicketsSince } from '../../db/repositories/team-flood-repository.js';
import { decideTeamNotice, teamFloodCountSince } from '../../tickets/team-flood.js';
import type { IngestOutcome } from '../../inbound/ingest-types.js';
import { dayWindow, planTicket, planTicketWrites, requesterOf, specialNoticeKeys, staffToNotify, type Requester, type TicketWrites } from '../../tickets/plan-new-ticket.js';
import { attachmentRows, inboundMessageRow } from './inbound-message-row.js';
import { findPerson } from '../../tickets/staff-directory.js';
import { languageAfterMail, type ClientLanguage } from '../../tickets/client-language.js';
import { guessLanguage } from '../../outbound/detect-language.js';
import type { Language } from '../../outbound/outbound-mail.js';
import { readClientLanguages, saveClientLanguages, setRequesterLanguage } from '../../db/repositories/client-language-repository.js';
import type { RouteContext, RouteInput } from './route-types.js';

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
 * A mail that opens a ticket; `linkedTo` is the closed ticket it answers, too old to reopen.
 * `teamCopies`: the team tickets the same mail already opened (a private mail whose support copy
 * was read first).
 */
export type NewTicketMail = RouteInput & { linkedTo?: TicketThreadRef | null; teamCopies?: string[] };

export interface OpenTogetherOptions {
  /** Random part of Message-IDs; tests fix it. */
  random?: () => string;
  /** The transaction already holds every requester's lock (ingest-batch takes them all first). */
  locksHeld?: boolean;
  /**
   * The run's day counts and stored languages (readRunFacts), already read under those locks: a
   * mail alone sends these reads with its raw mail, one round trip less.
   */
  facts?: RunFacts;
}

/** What a run of new tickets reads before it can plan them: each requester's day count and stored language. */
export type RunFacts = [counts: number[], storedLanguages: Map<string, ClientLanguage>];

/** The reads a run starts with, for these requesters, in the order of `requesters` (only those with a sender are counted). */
export function readRunFacts(tx: Db, requesters: readonly Requester[]): Promise<RunFacts> {
  const counted = requesters.filter((r) => r.hasSender);
  return pipelineStatements([
    countTicketsOpenedByMany(tx, counted.map((r) => {
      const [from, to] = dayWindow(r);
      return { addresses: r.client.addresses, domains: r.client.domains, from, to, includePrivate: r.includePrivate };
    })),
    readClientLanguages(tx, counted.map((r) => r.address), false),
  ]);
}

/**
 * New tickets for a run of mails (one, from openTicket; or a batch's run, see opensTicketAlone),
 * with statements that span the run: the decisions are tickets/plan-new-ticket.ts's, and the rows, in their
 * order, are those of opening the tickets one after the other, in seven to nine statements for the
 * run. What a later mail would read from rows an earlier mail of the run wrote (the requester's
 * tickets that day, acknowledgements to them in the window) is counted in memory.
 */
export async function openTicketsTogether(
  tx: Db, ctx: RouteContext, run: NewTicketMail[], options: OpenTogetherOptions = {},
): Promise<Omit<IngestOutcome, 'rawMailId'>[]> {
  if (run.length === 0) return [];
  const { config, now } = ctx;
  const random = options.random ?? randomUUID;
  const requesters = run.map((m) => requesterOf(config, m));
  if (!options.locksHeld) await lockForKeys(tx, requesters.flatMap((r) => (r.lockKey ? [r.lockKey] : [])));
  const counted = requesters.map((r, i) => ({ r, i })).filter(({ r }) => r.hasSender);
  const [counts, storedLanguages] = options.facts ?? await readRunFacts(tx, requesters);
  const earlierInDb = new Map(counted.map(({ i }, k) => [i, counts[k]!]));
  const languages = clientLanguagesOfRun(config, run, requesters, storedLanguages);

  // Earlier tickets of the run by requester and day: all of them, and the team's alone (what a team ticket counts).
  const openedToday = { all: new Map<string, number>(), team: new Map<string, number>() };
  const plans = run.map((m, i) => {
    const r = requesters[i]!;
    if (!r.lockKey) return planTicket(config, now, m, r, 0, m.linkedTo ?? null, languages.perMail[i]!);
    const inRun = (r.includePrivate ? openedToday.all : openedToday.team).get(r.lockKey) ?? 0;
    const plan = planTicket(config, now, m, r, earlierInDb.get(i)! + inRun, m.linkedTo ?? null, languages.perMail[i]!);
    for (const scope of plan.values.private ? [openedToday.all] : [openedToday.all, openedToday.team]) {
      scope.set(r.lockKey, (scope.get(r.lockKey) ?? 0) + 1);
    }
    return plan;
  });
  // A private ticket's managers are told the requester's other open tickets; private mail is
  // routed one at a time, so this is one read for the rare run that has one.
  const otherOpen = new Map<number, string[]>();
  for (const [i, plan] of plans.entries()) {
    if (plan.values.private && requesters[i]!.hasSender) otherOpen.set(i, await openTicketNumbersOf(tx, requesters[i]!.address));
  }
  // Sent together (one round trip), run in this order.
  // The team's new tickets of the last minutes are counted before the run's own exist (first in the pipeline).
  const [teamRecent, tickets, gates, suppressedStaff, queuedNotices] = await pipelineStatements([
    countTeamTicketsSince(tx, teamFloodCountSince(config.limits, now)),
    createTickets(tx, { team: config.ticketPrefix, private: config.privateTicketPrefix }, plans.map((p) => p.values)),
    acknowledgementGates(tx, requesters.map((r) => r.address), now, acknowledgementWindowStart(config, now), plans.some((p) => p.values.private),
      acknowledgementGlobalWindowStart(now)),
    suppressedAmong(tx, [...new Set(plans.flatMap((p) => staffToNotify(config, p)))], now),
    queuedAmong(tx, plans.flatMap((p) => specialNoticeKeys(config, p))),
  ]);
  // The run's own acknowledgements, counted as the gate counts them: by normalised recipient, by
  // domain, and in all, so a batch decides as one-at-a-time ingest does.
  const inRun = { recipient: new Map<string, number>(), domain: new Map<string, number>(), all: 0, team: 0 };
  const writes: TicketWrites[] = run.map((m, i) => {
    const address = requesters[i]!.address;
    const key = acknowledgementKey(address);
    const gate = gates.get(address) ?? { suppressed: false, sent: 0, domainSent: 0, globalSent: 0, ...key };
    const w = planTicketWrites(config, now, random, m, plans[i]!, tickets[i]!, m.linkedTo ?? null, {
      acknowledgement: {
        ...gate,
        sent: gate.sent + (inRun.recipient.get(gate.recipient) ?? 0),
        domainSent: gate.domainSent + (inRun.domain.get(gate.domain) ?? 0),
        globalSent: gate.globalSent + inRun.all,
      },
      suppressedStaff,
      otherOpenTickets: otherOpen.get(i) ?? [],
      queuedNotices,
      teamNotice: decideTeamNotice(config.limits, now, teamRecent + inRun.team),
      teamCopies: m.teamCopies ?? [],
    });
    if (!plans[i]!.values.private) inRun.team += 1;
    // A later ticket of the run would queue the same notice for the outbox to drop.
    for (const { mail } of w.mails) if (mail.kind === 'special-circumstances') queuedNotices.add(mail.dedupeKey);
    for (const { mail } of w.mails) {
      if (mail.kind !== 'acknowledgement' && mail.kind !== 'acknowledgement-private') continue;
      if (!mail.to[0]) continue;
      const k = acknowledgementKey(mail.to[0].address);
      inRun.recipient.set(k.recipient, (inRun.recipient.get(k.recipient) ?? 0) + 1);
      inRun.domain.set(k.domain, (inRun.domain.get(k.domain) ?? 0) + 1);
      inRun.all += 1;
    }
    return w;
  });
  const collapsed = writes.flatMap((w, i) => (w.collapsed ? [{ notice: w.collapsed, ticket: {
    id: tickets[i]!.id, number: tickets[i]!.number, subject: tickets[i]!.subject, priority: tickets[i]!.priority, requesterAddress: tickets[i]!.requesterAddress,
  } }] : []));
  if (collapsed.length > 0) await enqueueTeamFloodLists(tx, config, now, random, collapsed, suppressedStaff);
  await deferOr(ctx.writes, pipelineStatements([
    insertMessages(tx, run.map((m, i) => ({ message: inboundMessageRow(tickets[i]!.id, m, 'client'), files: attachmentRows(m) }))),
    enqueueMany(tx, writes.flatMap((w) => w.mails), now),
    appendEvents(tx, writes.flatMap((w): TicketEvent[] => w.events)),
    saveClientLanguages(tx, languages.states, now),
    ...languages.moved.map(([address, language]) => setRequesterLanguage(tx, address, language, now)),
  ]));
  return writes.map((w) => w.outcome);
}

/**
 * Each mail's language, and what the run leaves stored: the mails of one client in the run are
 * folded in order, as they would be one at a time. `moved` are the addresses whose stored language
 * changed, so their older tickets follow (first contact moves nothing: there are none).
 */
function clientLanguagesOfRun(
  config: Config, run: readonly NewTicketMail[], requesters: readonly Requester[], stored: ReadonlyMap<string, ClientLanguage>,
): { perMail: Language[]; states: Map<string, ClientLanguage>; moved: [string, Language][] } {
  const states = new Map<string, ClientLanguage>();
  const perMail = run.map((m, i) => {
    const r = requesters[i]!;
    const written = guessLanguage(`${m.mail.subject}\n${m.mail.text.slice(0, 4000)}`);
    if (!r.hasSender) return written ?? config.defaultLanguage;
    const before = states.get(r.address) ?? stored.get(r.address) ?? null;
    const configured = findPerson(config, r.address)?.language ?? r.client.rule?.language ?? null;
    const { state } = languageAfterMail(before, written, configured, config.defaultLanguage);
    states.set(r.address, state);
    return state.language;
  });
  const moved: [string, Language][] = [];
  for (const [address, state] of states) {
    const was = stored.get(address);
    if (was && was.language !== state.language) moved.push([address, state.language]);
  }
  return { perMail, states, moved };
}
