import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { insertQuarantine } from '../../db/repositories/quarantine-repository.js';
import { findRawMailByIdentity, insertRawMail, insertRawMails, setRawMailDecisions } from '../../db/repositories/raw-mail-repository.js';
import { findThreadRefsByMessageIds, lockForKeys } from '../../db/repositories/ticket-repository.js';
import { pipelineStatements } from '../../db/pipeline-statements.js';
import { withWriteBehind } from '../../db/write-behind.js';
import { syntheticMessageId, type MailIdentity } from '../../inbound/content-hash.js';
import { SlagateError, describeError, isTransientError } from '../../errors.js';
import { carriesReplyToken } from './staff-mail/identify-agent-mail.js';
import type { IngestDecision, IngestInput, IngestOutcome } from '../../inbound/ingest-types.js';
import type { IntakeResult } from '../../inbound/mail-intake.js';
import { openTicketsTogether, opensTicketAlone, readRunFacts, type NewTicketMail } from './open-tickets-together.js';
import type { ParseAhead } from './parse-ahead.js';
import { readyMail, type ClassifiedMail } from './parse-and-classify.js';
import { requesterOf } from '../../tickets/plan-new-ticket.js';
import { routeParsedMail } from './route-parsed-mail.js';
import type { RouteInput } from './route-types.js';
import type { VerifyMail } from '../../inbound/mail-authentication.js';

export interface IngestDeps {
  db: Db;
  config: Config;
  logger: Logger;
  clock: () => Date;
  /** Authentication mode `verify`: judges each mail's origin (mail-auth/verify-mail.ts); else unset. */
  verify?: VerifyMail;
}

/** Per input, its committed outcome or undefined, and why the batch stopped (IntakeResult). */
export interface BatchResult extends IntakeResult {
  /** Set when the batch's transaction failed and its mails were ingested one at a time instead. */
  oneByOne?: boolean;
}

interface Item { input: IngestInput; identity: MailIdentity; prepared: ClassifiedMail }

/**
 * The one ingest path: raw bytes in, exactly one committed outcome per mail out, for mails fetched
 * together (one mail is a batch of one: ingest-message.ts). Parsing and classification (CPU)
 * happen before the transaction, so it only writes, stays short and holds no IO but the database.
 * One transaction: the raw mails (in order) and their decisions in one statement each, the mails
 * that only open new tickets written together in runs (open-tickets-together), and every other
 * mail routed or quarantined one at a time, in order. A mail that could see a ticket of the
 * waiting run (a reply to one of its mails) has the run written first; one that cannot goes ahead
 * of it (mayGoAhead), so the rows of each ticket are written in arrival order, and tickets are
 * numbered in it. If the transaction fails for any reason but an unavailable database, the mails
 * are ingested again each as a batch of one, and the one that broke it is quarantined with its
 * bytes, never dropped, never blocking the mail behind it; an unavailable database commits
 * nothing and says so in `failure`. The same mail again answers `duplicate` and changes nothing.
 */
export async function ingestBatch(deps: IngestDeps & { ahead?: ParseAhead }, inputs: IngestInput[]): Promise<BatchResult> {
  const items: Item[] = [];
  let unprepared: unknown;
  for (const input of inputs) {
    try {
      items.push({ input, ...await (deps.ahead?.take(input.raw, input.mailbox) ?? readyMail(deps.config, input.raw, input.mailbox, deps.verify)) });
    } catch (err) {
      // Our own bug on this mail: the ones before it go in, it and the rest wait, as one at a time.
      unprepared = err;
      break;
    }
  }
  const result = await commitItems(deps, items);
  const outcomes = [...result.outcomes, ...new Array<undefined>(inputs.length - items.length).fill(undefined)];
  return unprepared === undefined || result.failure !== undefined ? { ...result, outcomes } : { ...result, outcomes, failure: unprepared };
}

async function commitItems(deps: IngestDeps, items: Item[]): Promise<BatchResult> {
  const outcomes = new Array<IngestOutcome | undefined>(items.length).fill(undefined);
  if (items.length === 0) return { outcomes };
  let committed: (IngestOutcome | null)[];
  try {
    committed = await commitTogether(deps, items);
  } catch (err) {
    if (isTransientError(err)) {
      return { outcomes, failure: new SlagateError('DB_UNAVAILABLE', `ingest could not commit: ${describeError(err)}`, { cause: err, retryable: true }) };
    }
    if (items.length === 1) {
      // A mail that breaks our own processing is quarantined with its bytes, never dropped, and
      // never blocks the mail behind it.
      const [item] = items as [Item];
      deps.logger.error({ err, mailbox: item.input.mailbox, messageId: headerIdOf(item) }, 'ingest failed; quarantining');
      try {
        outcomes[0] = await quarantineRaw(deps, item.input, item.identity, 'INTERNAL', `processing failed: ${describeError(err)}`);
      } catch (failure) {
        return { outcomes, failure };
      }
      return { outcomes };
    }
    deps.logger.warn({ err, mails: items.length }, 'a batch of mails failed together; ingesting them one at a time');
    for (const [i, item] of items.entries()) {
      const alone = await commitItems(deps, [item]);
      outcomes[i] = alone.outcomes[0];
      if (alone.failure !== undefined) return { outcomes, failure: alone.failure, oneByOne: true };
    }
    return { outcomes, oneByOne: true };
  }
  for (const [i, item] of items.entries()) {
    const outcome = committed[i];
    if (outcome?.decision === 'quarantined') deps.logger.warn({ mailbox: item.input.mailbox, rawMailId: outcome.rawMailId, reason: outcome.reason }, 'mail quarantined');
    if (outcome) outcomes[i] = outcome;
  }
  try {
    for (const [i, item] of items.entries()) {
      if (!committed[i]) outcomes[i] = await duplicateOutcome(deps, item.input, messageIdOf(item), item.identity);
    }
  } catch (failure) {
    // A duplicate's first copy could not be read: that mail is fetched, and found a duplicate, again.
    return { outcomes, failure };
  }
  return { outcomes };
}

/**
 * Whether a client's mail may be routed before the run of new tickets waiting to be written, the
 * run staying open for the mails after it: it must be unable to see them. It names none of their
 * Message-IDs, carries no agent's token, and is neither noise nor private; what routing could
 * still see of them, it writes them before (RouteContext.pendingTickets). Without this a
 * reply ended the run, and a backlog with one reply in five wrote its new tickets in runs of
 * three or four: six statements a run, a quarter of everything ingest sent.
 */
function mayGoAhead(m: RouteInput, carriesToken: boolean, run: RouteInput[]): boolean {
  if (run.length === 0) return true;
  if (carriesToken || m.noise.kind !== null || m.classification.private) return false;
  const named = new Set([...(m.mail.inReplyTo ? [m.mail.inReplyTo] : []), ...m.mail.references]);
  return !run.some((r) => named.has(r.messageId));
}

/** The Message-ID the mail itself carries: as parsed, or as read from the raw header when it could not be parsed. */
function headerIdOf(item: Item): string | null {
  return item.prepared.ok ? item.prepared.mail.messageId : item.identity.headerMessageId;
}

function messageIdOf(item: Item): string {
  return headerIdOf(item) ?? syntheticMessageId(item.identity.contentHash);
}

/** One transaction for the batch; per mail, its outcome, or null for a duplicate. */
async function commitTogether(deps: IngestDeps, items: Item[]): Promise<(IngestOutcome | null)[]> {
  const { config } = deps;
  const now = deps.clock();
  // Known before the transaction: a mail alone that can only open a ticket (opensTicketAlone), so
  // its lock and its private-copy read can go with its raw mail, in one round trip.
  const alone = items.length === 1;
  const opensAlone = (item: Item) => item.prepared.ok && opensTicketAlone(item.prepared, carriesReplyToken(config, item.prepared.mail, item.input.mailbox));
  const candidates = items.filter((item) => item.prepared.ok && (!alone || opensAlone(item)));
  return deps.db.transaction((tx) => withWriteBehind(async (writes) => {
    // Copies of mails that already reached a private ticket through the other mailbox, read for the
    // whole batch at once: such a copy is joined to it (routeParsedMail), never opens a ticket.
    const readPrivateCopies = async (messageIds: string[]) => new Map([...await findThreadRefsByMessageIds(tx, messageIds)]
      .filter(([, refs]) => refs.some((r) => r.private)));
    // Sent together, run in this order: every requester's special-circumstances lock, in one fixed
    // order (taken one mail at a time as the batch goes, they could deadlock with the other
    // mailbox's batch taking the same keys in another order; later takes of a key in this
    // transaction are no-ops); the private copies, read once the locks are held, so a management
    // copy committed by a batch that held them is seen; then the raw mails, last because the
    // driver writes a statement of their size to the socket at once, taking those before it
    // along (one write instead of two). A mail alone that may do more than open a ticket (a
    // reply, a bounce, an agent's mail) takes neither lock nor read here: routing takes what it
    // needs, so it costs no statement it does not need.
    const requesters = candidates.map((item) => (item.prepared.ok ? requesterOf(config, { input: item.input, ...item.prepared }) : null));
    const [, privateCopiesRead, aloneFacts, ids] = await pipelineStatements([
      lockForKeys(tx, requesters.flatMap((r) => (r?.lockKey ? [r.lockKey] : []))),
      candidates.length > 0 ? readPrivateCopies(candidates.map(messageIdOf)) : Promise.resolve(undefined),
      // A mail alone that opens a ticket reads its requester's day and language now, under the
      // lock, instead of in a round trip of its own (unused if it turns out a private copy).
      alone && requesters[0] ? readRunFacts(tx, [requesters[0]]) : Promise.resolve(undefined),
      insertRawMails(tx, items.map((item) => {
        const row = rawRow(item.input, item.identity, messageIdOf(item), headerIdOf(item) === null, now);
        return item.prepared.ok ? row : { ...row, decision: 'quarantined', reason: `${item.prepared.code}: ${item.prepared.reason}` };
      })),
    ]);
    let privateCopies = privateCopiesRead;
    const routeInputs = items.map((item, i): RouteInput | null => (ids[i] === null || ids[i] === undefined || !item.prepared.ok ? null : {
      input: item.input, mail: item.prepared.mail, messageId: messageIdOf(item), rawMailId: ids[i],
      noise: item.prepared.noise, classification: item.prepared.classification, authentication: item.prepared.authentication,
    }));
    // Every write whose answer nothing waits for goes behind: the batch waits for its reads alone.
    const ctx = { config, now, logger: deps.logger, writes };
    const outcomes = new Array<IngestOutcome | null>(items.length).fill(null);
    const decided = new Set<number>();
    let run: { i: number; m: NewTicketMail }[] = [];
    const flush = async () => {
      if (run.length === 0) return;
      // Every mail of a run was a candidate: its lock is held.
      const opened = await openTicketsTogether(tx, { ...ctx, privateCopies }, run.map((r) => r.m), { locksHeld: true, ...(aloneFacts ? { facts: aloneFacts } : {}) });
      for (const [k, { i, m }] of run.entries()) outcomes[i] = { ...opened[k]!, rawMailId: m.rawMailId };
      run = [];
    };
    for (const [i, item] of items.entries()) {
      const rawMailId = ids[i];
      if (rawMailId === null || rawMailId === undefined) continue;
      const { prepared } = item;
      if (!prepared.ok) {
        // Not mail, or beyond parsing: kept with its raw bytes and its reason.
        await insertQuarantine(tx, { rawMailId, mailbox: item.input.mailbox, reasonCode: prepared.code, reason: prepared.reason, at: now });
        outcomes[i] = { decision: 'quarantined', acknowledge: false, reason: `${prepared.code}: ${prepared.reason}`, rawMailId, ticket: null };
        continue;
      }
      const m = routeInputs[i]!;
      decided.add(i);
      const carriesToken = carriesReplyToken(config, m.mail, m.input.mailbox);
      if (opensTicketAlone(m, carriesToken) && !(privateCopies ??= await readPrivateCopies([m.messageId])).has(m.messageId)) {
        run.push({ i, m });
        continue;
      }
      if (!mayGoAhead(m, carriesToken, run.map((r) => r.m))) await flush();
      outcomes[i] = { ...await routeParsedMail(tx, { ...ctx, privateCopies, ...(run.length > 0 ? { pendingTickets: { write: flush } } : {}) }, m), rawMailId };
    }
    await flush();
    writes.defer(setRawMailDecisions(tx, [...decided].map((i) => {
      const o = outcomes[i]!;
      return { id: o.rawMailId!, decision: o.decision, reason: o.reason, acknowledge: o.acknowledge, ticketId: o.ticket?.id ?? o.recordedOn ?? null };
    })));
    return outcomes;
  }));
}

async function duplicateOutcome(deps: IngestDeps, input: IngestInput, messageId: string, identity: MailIdentity): Promise<IngestOutcome> {
  const first = await findRawMailByIdentity(deps.db, input.mailbox, messageId, identity.contentHash);
  return {
    decision: 'duplicate',
    acknowledge: false,
    reason: `already ingested as raw mail ${first?.id ?? '?'} (${first?.decision ?? 'unknown'})`,
    rawMailId: first?.id ?? null,
    ticket: null,
  };
}

async function quarantineRaw(
  deps: IngestDeps, input: IngestInput, identity: MailIdentity, code: string, reason: string,
): Promise<IngestOutcome> {
  const messageId = identity.headerMessageId ?? syntheticMessageId(identity.contentHash);
  const now = deps.clock();
  const decision: IngestDecision = 'quarantined';
  const rawMailId = await deps.db.transaction(async (tx) => {
    const id = await insertRawMail(tx, {
      ...rawRow(input, identity, messageId, identity.headerMessageId === null, now),
      decision, reason: `${code}: ${reason}`,
    });
    if (id !== null) await insertQuarantine(tx, { rawMailId: id, mailbox: input.mailbox, reasonCode: code, reason, at: now });
    return id;
  });
  if (rawMailId === null) return duplicateOutcome(deps, input, messageId, identity);
  deps.logger.warn({ mailbox: input.mailbox, rawMailId, code }, 'mail quarantined');
  return { decision, acknowledge: false, reason: `${code}: ${reason}`, rawMailId, ticket: null };
}

function rawRow(input: IngestInput, identity: MailIdentity, messageId: string, synthetic: boolean, now: Date) {
  return {
    mailbox: input.mailbox,
    messageId,
    syntheticMessageId: synthetic,
    sha256: identity.sha256,
    contentHash: identity.contentHash,
    raw: input.raw,
    size: input.raw.length,
    receivedAt: input.receivedAt,
    ingestedAt: now,
    source: input.source,
    imapUidvalidity: input.imap?.uidvalidity ?? null,
    imapUid: input.imap?.uid ?? null,
    decision: 'pending',
  };
}
