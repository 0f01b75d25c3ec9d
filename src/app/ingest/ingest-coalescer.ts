import { SlagateError, describeError, isTransientError } from '../../errors.js';
import type { IngestInput, IngestOutcome } from '../../inbound/ingest-types.js';
import type { IntakeResult } from '../../inbound/mail-intake.js';

/**
 * One mail at a time in, batches out: deliveries that arrive together (an MTA's concurrent LMTP
 * sessions) are committed in one ingestBatch transaction instead of one each, as IMAP's batches
 * are. The contract of a single ingest is kept for each mail: its promise resolves only once its
 * own outcome is committed, and a mail the batch did not commit rejects (retryable when the
 * database is unavailable, so the listener answers 451). One batch is in flight at a time; what
 * arrives meanwhile waits for the next one, so a lone delivery costs what it did.
 */
export function coalesceIngests(
  ingestTogether: (inputs: IngestInput[]) => Promise<IntakeResult>,
  limits: { maxMails?: number; maxBytes?: number } = {},
  /**
   * Told of each mail that has to wait for the batch in flight, so it can be parsed while that
   * batch commits (MailIntake.comingNext): a batch's commit mostly waits on the database.
   */
  comingNext?: (input: IngestInput) => void,
): (input: IngestInput) => Promise<IngestOutcome> {
  interface Waiting { input: IngestInput; resolve: (o: IngestOutcome) => void; reject: (e: unknown) => void }
  const maxMails = limits.maxMails ?? 64;
  // The intake holds a batch's mails parsed until it commits: bounded in bytes too (a single mail
  // larger than that still goes, alone).
  const maxBytes = limits.maxBytes ?? Infinity;
  let waiting: Waiting[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    try {
      while (waiting.length > 0) {
        let count = 1;
        for (let bytes = waiting[0]!.input.raw.length; count < Math.min(waiting.length, maxMails); count++) {
          bytes += waiting[count]!.input.raw.length;
          if (bytes > maxBytes) break;
        }
        const batch = waiting.slice(0, count);
        waiting = waiting.slice(batch.length);
        let result: IntakeResult;
        try {
          result = await ingestTogether(batch.map((w) => w.input));
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        for (const [i, w] of batch.entries()) {
          const outcome = result.outcomes[i];
          if (outcome) w.resolve(outcome);
          else w.reject(notCommitted(result.failure));
        }
      }
    } finally {
      running = false;
    }
  }

  return (input) => new Promise<IngestOutcome>((resolve, reject) => {
    waiting.push({ input, resolve, reject });
    if (running) comingNext?.(input);
    // Started on the next turn of the event loop, so deliveries whose data ended in the same turn
    // go in one batch.
    if (!running) {
      running = true;
      setImmediate(() => void drain());
    }
  });
}

function notCommitted(failure: unknown): unknown {
  if (failure === undefined) return new SlagateError('DB_UNAVAILABLE', 'not committed with its batch', { retryable: true });
  if (failure instanceof SlagateError) return failure;
  return isTransientError(failure)
    ? new SlagateError('DB_UNAVAILABLE', `ingest could not commit: ${describeError(failure)}`, { cause: failure, retryable: true })
    : failure;
}
