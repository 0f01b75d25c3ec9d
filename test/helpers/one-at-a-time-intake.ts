import type { IngestInput, IngestOutcome } from '../../src/inbound/ingest-types.js';
import type { IntakeResult, MailIntake, OversizedInput } from '../../src/inbound/mail-intake.js';

/**
 * A MailIntake over a one-mail ingest, for tests of the mailbox reader: each mail of a hand-over
 * in turn, stopping at the first that throws (the ones before it committed, it and the rest come
 * again). Nothing is parsed ahead, so the reader fetches nothing ahead either.
 */
export function oneAtATime(
  ingest: (input: IngestInput) => Promise<IngestOutcome>,
  quarantineOversized: (input: OversizedInput) => Promise<IngestOutcome> = async () => { throw new Error('no oversized mail in this test'); },
): MailIntake {
  return {
    maxHandOverBytes: 8 * 1024 * 1024,
    async ingest(mails): Promise<IntakeResult> {
      const outcomes: (IngestOutcome | undefined)[] = [];
      for (const mail of mails) {
        try {
          outcomes.push(await ingest(mail));
        } catch (failure) {
          return { outcomes, failure };
        }
      }
      return { outcomes };
    },
    quarantineOversized,
  };
}
