import { SlagateError, describeError, isTransientError } from '../../errors.js';
import type { BatchResult } from './ingest-batch.js';
import type { IngestInput, IngestOutcome } from './ingest-types.js';

/**
 * One mail at a time in, batches out: deliveries that arrive together (an MTA's concurrent LMTP
 * sessions) are committed in one ingestBatch transaction instead of one each, as IMAP's batches
 * are. The contract of a single ingest is kept for each mail: its promise resolves only once its
 * own outcome is committed, and a mail the batch did not commit rejects (retryable when the
 * database is unavailable, so the listener answers 451). One batch is in flight at a time; what
 * arrives meanwhile waits for the next one, so a lone delivery costs what it did.
 */
export function coalesceIngests(
  ingestTogether: (inputs: IngestInput[]) => Promise<BatchResult>,
  maxBatch = 64,
): (input: IngestInput) => Promise<IngestOutcome> {
  interface Waiting { input: IngestInput; resolve: (o: IngestOutcome) => void; reject: (e: unknown) => void }
  let waiting: Waiting[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, maxBatch);
        waiting = waiting.slice(batch.length);
        let result: BatchResult;
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
