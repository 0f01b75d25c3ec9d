import { SlagateError } from '../../errors.js';
import type { IngestInput, IngestOutcome } from '../../inbound/ingest-types.js';
import { ingestBatch, type IngestDeps } from './ingest-batch.js';

/**
 * One mail (from a listener, the CLI, a replay): raw bytes in, exactly one committed outcome out,
 * as a batch of one through the one ingest path (ingest-batch.ts). A database that could not take
 * it, or our own bug before its transaction, is thrown; a mail that breaks its transaction is
 * quarantined. Calling it again with the same mail answers `duplicate` and changes nothing.
 */
export async function ingestMessage(deps: IngestDeps, input: IngestInput): Promise<IngestOutcome> {
  const { outcomes: [outcome], failure } = await ingestBatch(deps, [input]);
  if (outcome) return outcome;
  throw failure ?? new SlagateError('INTERNAL', 'ingest returned no outcome for the mail');
}
