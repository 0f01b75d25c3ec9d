import { insertQuarantine } from '../../db/repositories/quarantine-repository.js';
import { insertRawMails, setRawMailDecisions } from '../../db/repositories/raw-mail-repository.js';
import { findThreadRefsByMessageIds, lockForKeys } from '../../db/repositories/ticket-repository.js';
import { withWriteBehind } from '../../db/write-behind.js';
import { syntheticMessageId, type MailIdentity } from '../../inbound/content-hash.js';
import { SlagateError, describeError, isTransientError } from '../../errors.js';
import { carriesReplyToken } from './staff-mail/identify-agent-mail.js';
import { duplicateOutcome, ingestPrepared, rawRow, type IngestDeps } from './ingest-message.js';
import type { IngestInput, IngestOutcome } from '../../inbound/ingest-types.js';
import type { IntakeResult } from '../../inbound/mail-intake.js';
import { clientReportOf, openTicketsTogether, opensTicketAlone, readsClientFigures, type NewTicketMail } from './open-tickets-together.js';
import { readyMail, type ParseAhead } from './parse-ahead.js';
import type { ClassifiedMail } from './parse-and-classify.js';
import { requesterAddressOf, requesterOf } from './plan-new-ticket.js';
import { routeParsedMail } from './route-parsed-mail.js';
import type { RouteInput } from './route-types.js';

/** Per input, its committed outcome or undefined, and why the batch stopped (IntakeResult). */
export interface BatchResult extends IntakeResult {
  /** Set when the batch's transaction failed and its mails were ingested one at a time instead. */
  oneByOne?: boolean;
}

interface Item { input: IngestInput; identity: MailIdentity; prepared: ClassifiedMail }

/**
 * ingestMessage for a batch of mails fetched together, with the same outcome for each, in one
 * transaction: the raw mails (in order) and their decisions in one statement each, the mails that
 * only open new tickets written together in runs (open-tickets-together), and every other mail
 * routed or quarantined one at a time, in order. A mail that could see a ticket of the waiting run
 * (a reply to one of its mails) has the run written first; one that cannot goes ahead of it
 * (mayGoAhead), so the rows of each ticket are written in arrival order, and tickets are numbered
 * in it. If the transaction fails for any reason but an unavailable database, the mails
 * are ingested again one at a time (ingestMessage), which quarantines the one that broke it; an
 * unavailable database commits nothing and says so in `failure`.
 */
export async function ingestBatch(deps: IngestDeps & { ahead?: ParseAhead }, inputs: IngestInput[]): Promise<BatchResult> {
  const items: Item[] = [];
  let unprepared: unknown;
  for (const input of inputs) {
    try {
      items.push({ input, ...await (deps.ahead?.take(input.raw, input.mailbox) ?? readyMail(deps.config, input.raw, input.mailbox)) });
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
    deps.logger.warn({ err, mails: items.length }, 'a batch of mails failed together; ingesting them one at a time');
    for (const [i, item] of items.entries()) {
      try {
        outcomes[i] = await ingestPrepared(deps, item.input, item.identity, item.prepared);
      } catch (failure) {
        return { outcomes, failure, oneByOne: true };
      }
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
 * still see of them, it writes them before (RouteContext.pendingTickets). A report request in the
 * run read its figures when its turn came, so it cannot see this mail either. Without this a
 * reply ended the run, and a backlog with one reply in five wrote its new tickets in runs of
 * three or four: six statements a run, a quarter of everything ingest sent.
 */
function mayGoAhead(m: RouteInput, carriesToken: boolean, run: RouteInput[]): boolean {
  if (run.length === 0) return true;
  if (carriesToken || m.noise.kind !== null || m.classification.private) return false;
  const named = new Set([...(m.mail.inReplyTo ? [m.mail.inReplyTo] : []), ...m.mail.references]);
  return !run.some((r) => named.has(r.messageId));
}

/** The domain of the mail's requester (the whole address when it has no @). */
function domainOf(m: RouteInput): string {
  const address = requesterAddressOf(m);
  return address.slice(address.lastIndexOf('@') + 1);
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
  return deps.db.transaction((tx) => withWriteBehind(async (writes) => {
    const ids = await insertRawMails(tx, items.map((item) => {
      const row = rawRow(item.input, item.identity, messageIdOf(item), headerIdOf(item) === null, now);
      return item.prepared.ok ? row : { ...row, decision: 'quarantined', reason: `${item.prepared.code}: ${item.prepared.reason}` };
    }));
    const routeInputs = items.map((item, i): RouteInput | null => (ids[i] === null || ids[i] === undefined || !item.prepared.ok ? null : {
      input: item.input, mail: item.prepared.mail, messageId: messageIdOf(item), rawMailId: ids[i],
      noise: item.prepared.noise, classification: item.prepared.classification,
    }));
    // Every requester's special-circumstances lock now, in one fixed order: taken one mail at a
    // time as the batch goes, they could deadlock with the other mailbox's batch taking the same
    // keys in another order. Later takes of a key in this transaction are no-ops.
    writes.defer(lockForKeys(tx, routeInputs.flatMap((m) => {
      const key = m && requesterOf(config, m).lockKey;
      return key ? [key] : [];
    })));
    // Copies of mails that already reached a private ticket through the other mailbox, read for the
    // whole batch at once: such a copy is joined to it (routeParsedMail), never opens a ticket.
    const copies = await findThreadRefsByMessageIds(tx, routeInputs.flatMap((m) => (m ? [m.messageId] : [])));
    const privateCopies = new Map([...copies].filter(([, refs]) => refs.some((r) => r.private)));
    // Every write whose answer nothing waits for goes behind: the batch waits for its reads alone.
    const ctx = { config, now, logger: deps.logger, writes, privateCopies };
    const outcomes = new Array<IngestOutcome | null>(items.length).fill(null);
    const decided = new Set<number>();
    let run: { i: number; m: NewTicketMail }[] = [];
    const flush = async () => {
      if (run.length === 0) return;
      const opened = await openTicketsTogether(tx, ctx, run.map((r) => r.m), { locksHeld: true });
      for (const [k, { i, m }] of run.entries()) outcomes[i] = { ...opened[k]!, rawMailId: m.rawMailId };
      run = [];
    };
    for (const [i, item] of items.entries()) {
      const rawMailId = ids[i];
      if (rawMailId === null || rawMailId === undefined) continue;
      const { prepared } = item;
      if (!prepared.ok) {
        // Not mail, or beyond parsing: kept with its reason, as ingestMessage does.
        await insertQuarantine(tx, { rawMailId, mailbox: item.input.mailbox, reasonCode: prepared.code, reason: prepared.reason, at: now });
        outcomes[i] = { decision: 'quarantined', acknowledge: false, reason: `${prepared.code}: ${prepared.reason}`, rawMailId, ticket: null };
        continue;
      }
      const m = routeInputs[i]!;
      decided.add(i);
      const carriesToken = carriesReplyToken(config, m.mail, m.input.mailbox);
      if (opensTicketAlone(m, carriesToken) && !privateCopies.has(m.messageId)) {
        if (!readsClientFigures(config, m)) {
          run.push({ i, m });
          continue;
        }
        // Its client's figures are read now, its turn: an earlier mail of the same client (the
        // report counts a domain's tickets) still waiting in the run is written first.
        if (run.some((r) => domainOf(r.m) === domainOf(m))) await flush();
        run.push({ i, m: { ...m, report: await clientReportOf(tx, ctx, m) } });
        continue;
      }
      if (!mayGoAhead(m, carriesToken, run.map((r) => r.m))) await flush();
      outcomes[i] = { ...await routeParsedMail(tx, run.length > 0 ? { ...ctx, pendingTickets: { write: flush } } : ctx, m), rawMailId };
    }
    await flush();
    writes.defer(setRawMailDecisions(tx, [...decided].map((i) => {
      const o = outcomes[i]!;
      return { id: o.rawMailId!, decision: o.decision, reason: o.reason, acknowledge: o.acknowledge, ticketId: o.ticket?.id ?? o.recordedOn ?? null };
    })));
    return outcomes;
  }));
}
