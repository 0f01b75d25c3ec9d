import type { OpeningMail } from '../../tickets/plan-new-ticket.js';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { WriteBehind } from '../../db/write-behind.js';
import type { IngestInput } from '../../inbound/ingest-types.js';

/**
 * What the router (route-parsed-mail.ts) hands each of its handlers. In a module of its own so
 * that the handlers do not import the router that imports them (that was an import cycle).
 */
export interface RouteContext {
  config: Config;
  now: Date;
  logger: Logger;
  /** The transaction's write-behind: writes whose answers are not needed go through it (deferOr). */
  writes?: WriteBehind;
  /**
   * Earlier mails of the batch whose new tickets are not written yet (ingest-batch lets a reply go
   * ahead of them when it cannot see them). Routing writes them before anything that could: a
   * ticket of its own (numbers and the requester's counts follow arrival), or a subject token that
   * names no ticket yet (it may be the number one of them is about to get).
   */
  pendingTickets?: { write(): Promise<void> };
  /**
   * Private tickets by the Message-ID of a mail they already hold, read ahead for a whole batch
   * (ingest-batch); when given, routing reads them here instead of asking the database per mail,
   * and adds the private tickets it opens, so the other mailbox's copy later in the batch finds them.
   */
  privateCopies?: Map<string, { id: number; private: boolean }[]>;
}

/** A stored, parsed and classified mail to route: the ticket rules' OpeningMail, with all of its input. */
export interface RouteInput extends OpeningMail {
  input: IngestInput;
}
