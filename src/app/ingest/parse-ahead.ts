import type { Config } from '../../config.js';
import type { MailboxName } from '../../policy/priorities.js';
import { readyMail, type ReadyMail } from './parse-and-classify.js';

/**
 * Mails parsed and classified ahead of their batch, while the batch before them commits: the
 * commit mostly waits on the database, and parsing is CPU, so the two overlap instead of taking
 * turns. Results are keyed by the mail's bytes (the very Buffer ingest is later handed), so a mail
 * nobody asks for is simply collected with its Buffer, and one asked for before it is ready waits.
 * Parsing is the same pure step ingest would run itself; doing it early changes no decision.
 */
export interface ParseAhead {
  /** Starts preparing these mails, one after another in the order given. */
  start(raws: readonly Buffer[], mailbox: MailboxName): void;
  /** The mail as prepared ahead, or prepared now if it was not (an error is the one preparing it raised). */
  take(raw: Buffer, mailbox: MailboxName): Promise<ReadyMail>;
}

export function createParseAhead(config: Config): ParseAhead {
  const ready = new WeakMap<Buffer, { mailbox: MailboxName; result: Promise<ReadyMail> }>();
  const prepareNow = (raw: Buffer, mailbox: MailboxName) => readyMail(config, raw, mailbox);
  return {
    start(raws, mailbox) {
      let previous: Promise<unknown> = Promise.resolve();
      for (const raw of raws) {
        if (ready.has(raw)) continue;
        const result = previous.then(() => prepareNow(raw, mailbox));
        // Seen by whoever takes it; not an unhandled rejection if nobody does.
        result.catch(() => {});
        previous = result.catch(() => {});
        ready.set(raw, { mailbox, result });
      }
    },
    take(raw, mailbox) {
      const ahead = ready.get(raw);
      ready.delete(raw);
      return ahead && ahead.mailbox === mailbox ? ahead.result : prepareNow(raw, mailbox);
    },
  };
}
