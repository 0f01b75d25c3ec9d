import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { bounceAddress } from '../security/bounce-address.js';
import type { CrashPoint } from '../crash-points.js';
import type { Db } from '../db/client.js';
import { appendEvents } from '../db/repositories/event-repository.js';
import {
  claimDue, markFailed, markRetry, markSentMany, markSuppressed, releaseClaim, ticketProgress, type OutboxRow,
} from '../db/repositories/outbox-repository.js';
import { SlagateError, describeError, isTransientError } from '../errors.js';
import { renderRequestedReports } from '../app/jobs/client-report-attachment.js';
import { resolveOutboxAttachments } from '../app/notify/stored-attachments.js';
import { SLA_MAIL_KINDS, type MailKind } from '../outbound/outbound-mail.js';
import { parseSlaStepDedupeKey } from '../sla/sla-step-key.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../smtp/circuit-breaker.js';
import { classifySmtpError, isPermanentResponse } from '../smtp/classify-smtp-error.js';
import type { MailSender } from '../smtp/mail-sender.js';
import { retryDelayMs } from '../smtp/retry-backoff.js';
import { abortableSleep } from './abortable-sleep.js';
import { createSentRecorder } from './sent-recorder.js';

export interface OutboxWorkerOptions {
  db: Db;
  config: Config;
  sender: MailSender;
  clock: () => Date;
  logger: Logger;
  /** Names this worker in leases; unique per process. */
  owner: string;
  breaker?: CircuitBreakerOptions;
  random?: () => number;
  /** Test-only: SIGKILL after a claim, or between the server's 250 and its record (the ambiguous window). */
  crashPoint?: CrashPoint;
}

export interface OutboxWorker {
  start(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** One pass: claim what is due, send it, record the outcomes. Returns how many rows it handled. */
  tick(): Promise<number>;
  /**
   * Ends the current poll wait at once: ingest calls it after committing mail to send, so an
   * acknowledgement leaves in milliseconds instead of up to a poll interval. Workers in other
   * processes are not woken and still find the row on their next poll.
   */
  wake(): void;
  breakerState(): string;
}

/**
 * Sends what the outbox holds. Claims are short transactions-free updates; sending happens with
 * no transaction open; outcomes are written back under the lease. Temporary failures are retried
 * with backoff, permanent ones end the row (with a ticket event), and while the server is
 * unreachable a circuit breaker keeps mails waiting instead of spending their attempts.
 */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, config, sender, clock, owner } = options;
  const logger = options.logger.child({ component: 'outbox', owner });
  const breaker = new CircuitBreaker(options.breaker ?? {
    failureThreshold: config.outbox.breakerThreshold,
    cooldownMs: config.outbox.breakerCooldownMs,
    maxCooldownMs: config.outbox.breakerMaxCooldownMs,
  });
  const random = options.random ?? Math.random;
  const crashPoint = options.crashPoint ?? (() => {});
  const stop = new AbortController();
  let running: Promise<void> | null = null;
  // A wake-up that arrives while a pass runs is kept, so the mail it announced is not left for the
  // next poll when the pass claimed just before it committed.
  let woken = false;
  let interrupt: (() => void) | null = null;
  // Rows this worker holds (sending, or recording what the server said) and rows the server took
  // whose record failed. A lease is short on purpose (a dead process's mail goes out again soon),
  // so on a busy machine it can run out while this very worker still has the mail in hand; its
  // next claim then hands the row back to it. Sending it again would be a duplicate nobody had to
  // risk (issue 25: chaos-faults saw a second copy with no process end or dropped DATA to explain it).
  const inHand = new Set<number>();
  const sentUnrecorded = new Map<number, Record<string, string>>();
  // Sends that finish together are recorded in one statement.
  const sentRecorder = createSentRecorder(
    (batch) => persist(() => markSentMany(db, owner, batch), { outboxIds: batch.map((b) => b.id) }),
    { retryAlone: (err) => !isTransientError(err) },
  );

  // Mails out at once: one per SMTP connection, and one more each when the sender holds them
  // (see claimAndStart).
  const connections = sender.concurrency ?? config.outbox.batchSize;
  const capacity = sender.holdsOneMore ? 2 * connections : connections;
  // A mail held for a connection longer is given back unsent: a send starts with at least nine
  // tenths of its lease left (the claim is a few milliseconds before the send is handed over).
  const maxHoldMs = Math.floor(config.outbox.leaseMs / 10);

  /** One pass on its own: claim what the connections can take, and wait for every outcome. */
  async function tick(): Promise<number> {
    const inFlight = new Set<Promise<void>>();
    const { claimed } = await claimAndStart(inFlight);
    await Promise.all(inFlight);
    return claimed;
  }

  async function handle(row: OutboxRow, probe: boolean): Promise<void> {
    const log = logger.child({ outboxId: row.id, messageId: row.messageId, kind: row.kind, ticket: row.ticketId });
    const stale = await staleReason(row);
    if (stale) {
      await markSuppressed(db, row.id, owner, stale);
      log.info({ reason: stale }, 'reminder no longer applies');
      return;
    }
    let attachments: OutboxRow['attachments'];
    try {
      // A requested report is rendered now, from the tickets as they stand (never during ingest).
      attachments = await resolveOutboxAttachments(db, await renderRequestedReports(db, config, row.attachments, clock()));
    } catch (err) {
      const failure = err instanceof SlagateError ? err
        : new SlagateError('ATTACHMENT_UNAVAILABLE', `preparing the attachments failed: ${describeError(err)}`, { cause: err, retryable: isTransientError(err) });
      await giveUpOrRetry(row, failure, undefined, log);
      return;
    }
    let result: Awaited<ReturnType<MailSender['send']>>;
    try {
      // Bounces come back to a signed address only our own mail carries (bounce-address.ts).
      const envelopeFrom = config.tokenSecret ? bounceAddress(config.tokenSecret, row.fromAddress.address, row.messageId) : undefined;
      result = await sender.send({ ...row, attachments, maxWaitMs: maxHoldMs, envelopeFrom });
    } catch (err) {
      const failure = classifySmtpError(err);
      if (failure.code === 'SMTP_NOT_STARTED') {
        // Never reached a server: the claim goes back as it was (attempt refunded, its place in
        // the queue kept), due at once.
        await releaseClaim(db, row.id, owner);
        wakeUp(); // due again at once: the loop must not wait for its poll to find it
        log.info({ reason: failure.message }, 'claim given back unsent');
        return;
      }
      if (failure.code === 'SMTP_CONNECTION') {
        breaker.recordConnectionFailure(clock());
        // Once the breaker has recognised an outage, mails caught in it are not at fault: their
        // attempt is refunded and they wait for the next probe. The probe itself pays (as do
        // the failures before the breaker opened), so a mail that by itself makes the server
        // drop the connection (nodemailer cannot tell that from an outage) still runs out of
        // attempts instead of being resent for ever.
        if (!probe && breaker.state(clock()) !== 'closed') {
          await markRetry(db, row.id, owner, { nextAttemptAt: breaker.reopensAt(clock()), error: failure.message, refundAttempt: true });
          log.warn({ err: failure.message }, 'SMTP server unavailable; waiting for the circuit breaker');
          return;
        }
      }
      await giveUpOrRetry(row, failure, undefined, log);
      return;
    }
    crashPoint('after-smtp-250');
    breaker.recordSuccess();
    const recipients: Record<string, string> = {};
    for (const a of result.accepted) recipients[a] = `accepted: ${result.response}`;
    for (const r of result.rejected) recipients[r.address] = `rejected: ${r.response}`;
    if (result.accepted.length === 0) {
      const permanent = result.rejected.every((r) => isPermanentResponse(r.response));
      await giveUpOrRetry(row, new SlagateError(permanent ? 'SMTP_PERMANENT' : 'SMTP_TEMPORARY',
        `every recipient refused: ${result.rejected.map((r) => `${r.address} ${r.response}`).join('; ')}`), recipients, log);
      return;
    }
    // The server has the mail now. A database hiccup while recording that must not make it look
    // unsent (the lease would run out and the mail go out again): retry the record for a while.
    // Some recipients accepted: a retry would send them a duplicate, so the refusals are
    // recorded per recipient and the mail counts as sent.
    let recorded: boolean;
    try {
      recorded = await sentRecorder.record({ id: row.id, now: clock(), recipients });
    } catch (err) {
      sentUnrecorded.set(row.id, recipients); // when the row comes back to us, record, do not send
      throw err;
    }
    sentUnrecorded.delete(row.id);
    if (!recorded) log.warn('mail sent after its lease passed to another sender: it may be sent twice');
    log.info({ accepted: result.accepted.length, rejected: result.rejected.length }, 'mail sent');
  }

  /** Retries a write after a transient database error: 6 tries over about 6 seconds. */
  async function persist<T>(write: () => Promise<T>, detail: Record<string, unknown>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (attempt >= 5 || !isTransientError(err)) throw err;
        logger.warn({ ...detail, err, attempt }, 'recording a sent mail failed; trying again');
        await abortableSleep(200 * 2 ** attempt, new AbortController().signal);
      }
    }
  }

  async function giveUpOrRetry(row: OutboxRow, failure: SlagateError, recipients: Record<string, string> | undefined, log: Logger) {
    if (failure.retryable && row.attempts < config.outbox.maxAttempts) {
      const delay = retryDelayMs(row.attempts, { initialMs: config.outbox.backoffInitialMs, maxMs: config.outbox.backoffMaxMs }, random);
      const backoffUntil = clock().getTime() + delay;
      const next = breaker.state(clock()) === 'closed' ? backoffUntil : Math.max(backoffUntil, breaker.reopensAt(clock()).getTime());
      await markRetry(db, row.id, owner, { nextAttemptAt: new Date(next), error: failure.message, recipients });
      log.warn({ err: failure.message, attempts: row.attempts, delayMs: delay }, 'temporary failure; will retry');
      return;
    }
    const reason = failure.retryable ? `gave up after ${row.attempts} attempts: ${failure.message}` : failure.message;
    if (await markFailed(db, row.id, owner, { error: reason, recipients }) && row.ticketId !== null) {
      await appendEvents(db, [{
        ticketId: row.ticketId, at: clock(), actor: 'system', kind: 'mail-failed', reason,
        data: { outboxId: row.id, messageId: row.messageId, kind: row.kind },
      }]);
    }
    log.error({ err: reason }, 'mail failed');
  }

  /** A reminder or escalation whose ticket moved on since it was queued must not go out. */
  async function staleReason(row: OutboxRow): Promise<string | null> {
    if (row.ticketId === null || !SLA_MAIL_KINDS.includes(row.kind as MailKind)) return null;
    const t = await ticketProgress(db, row.ticketId);
    if (!t) return 'ticket no longer exists';
    if (t.status === 'resolved' || t.status === 'closed' || t.resolvedAt || t.closedAt) return `ticket is ${t.status}`;
    const key = parseSlaStepDedupeKey(row.dedupeKey);
    const clockName = key?.clock ?? (row.kind === 'qualification-reminder' ? 'qualification' : null);
    if (clockName === 'first-response' && t.firstResponseAt) return 'ticket was answered';
    if (clockName === 'qualification' && t.qualifiedAt) return 'ticket was qualified';
    if (clockName === 'resolution' && t.status === 'waiting') return 'ticket is waiting on the client: its resolution clock is paused';
    // A step about a deadline that has since moved (priority changed, a pause) is about nothing.
    const current = clockName === 'first-response' ? t.firstResponseDue : clockName === 'resolution' ? t.resolutionDue : undefined;
    if (key && current !== undefined && current?.toISOString() !== key.deadlineIso) return 'the deadline it was about has moved';
    return null;
  }

  /**
   * Claims what the free connections can send and starts sending it, without waiting for the
   * sends. Never more rows out than the sender has connections, plus one held per connection when
   * the sender holds them: a claimed row waiting for a connection could otherwise outlive its
   * lease (de2900d), and a held one starts within `maxHoldMs` or comes back unsent.
   * A half-open breaker's single probe goes out alone.
   */
  async function claimAndStart(inFlight: Set<Promise<void>>): Promise<{ claimed: number; drained: boolean }> {
    const now = clock();
    const allowance = breaker.allowance(now);
    const probe = breaker.state(now) === 'half-open';
    const limit = Math.min(allowance, config.outbox.batchSize, capacity - inFlight.size);
    // Held back by the breaker: nothing may go before its probe time, so nothing is claimed until a poll.
    if (allowance <= 0) return { claimed: 0, drained: true };
    if (limit <= 0 || (probe && inFlight.size > 0)) return { claimed: 0, drained: false };
    const rows = await claimDue(db, { owner, leaseMs: config.outbox.leaseMs, now, limit });
    if (rows.length > 0) crashPoint('after-outbox-claim');
    for (const row of rows) {
      if (inHand.has(row.id)) {
        logger.warn({ outboxId: row.id, messageId: row.messageId }, 'lease ran out while this worker still had the mail; not sending it twice');
        continue;
      }
      const accepted = sentUnrecorded.get(row.id);
      inHand.add(row.id);
      const work = accepted
        ? sentRecorder.record({ id: row.id, now: clock(), recipients: accepted }).then(() => { sentUnrecorded.delete(row.id); })
        : handle(row, probe);
      const sending: Promise<void> = work
        // The row stays leased and is claimed again when the lease runs out.
        .catch((err: unknown) => logger.error({ err }, 'recording an outbox outcome failed'))
        .finally(() => { inFlight.delete(sending); inHand.delete(row.id); });
      inFlight.add(sending);
    }
    // Fewer rows than asked for: nothing else was due when the claim ran.
    return { claimed: rows.length, drained: rows.length < limit };
  }

  /**
   * Passes that overlap: the next claim goes out once half the places (connections, and held
   * mails) are free, not once the slowest mail of the pass and its record are done. Waiting for
   * the whole pass left the connections idle for a claim and a record every few mails, and under
   * a backlog the acknowledgements fell seconds behind ingest (BENCHMARKS.md: 4.9 s over 10,000
   * mails). With only one mail per connection, each still idled between its mails until this
   * thread, busy with ingest, had seen the answer and handed over the next: a thousand
   * acknowledgements were still queued when a 4,000-mail backlog was ingested. A held mail
   * starts the moment its connection frees.
   */
  async function loop(signal: AbortSignal): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const refill = Math.max(1, Math.floor(capacity / 2));
    try {
      while (!signal.aborted) {
        woken = false;
        let drained = true;
        let claimed = 0;
        try {
          ({ claimed, drained } = await claimAndStart(inFlight));
        } catch (err) {
          logger.error({ err }, 'outbox pass failed');
        }
        // The queue held no more than was claimed: claiming again before a wake-up (new mail
        // committed, a claim given back) or the poll would find nothing. It used to, and cost
        // two empty claims for every mail that arrived alone (an LMTP delivery, a lone IMAP
        // mail): more round trips to the database than the mail's whole ingest.
        if (drained || (claimed === 0 && inFlight.size === 0)) {
          if (!woken) await wakeableSleep(config.outbox.pollIntervalMs, signal);
          continue;
        }
        // No room (every place taken, or the breaker's probe still out): wait for a mail to finish.
        if (claimed === 0 && inFlight.size > 0) await Promise.race(inFlight);
        while (inFlight.size > 0 && capacity - inFlight.size < refill && !signal.aborted) await Promise.race(inFlight);
      }
    } finally {
      await Promise.allSettled(inFlight);
    }
  }

  function wakeUp(): void {
    woken = true;
    interrupt?.();
  }

  function wakeableSleep(ms: number, signal: AbortSignal): Promise<void> {
    const woke = new AbortController();
    interrupt = () => woke.abort();
    const both = AbortSignal.any([signal, woke.signal]);
    return abortableSleep(ms, both).finally(() => { interrupt = null; });
  }

  return {
    // Resolves once started, like every other worker: the composition root starts them in turn.
    async start(signal) {
      signal?.addEventListener('abort', () => stop.abort(), { once: true });
      running ??= loop(stop.signal).catch((err) => logger.error({ err }, 'outbox worker stopped unexpectedly'));
    },
    async close() {
      stop.abort();
      await running;
    },
    tick,
    wake: wakeUp,
    breakerState: () => breaker.state(clock()),
  };
}
