import type { Db } from '../../db/client.js';
import type { TicketThreadRef } from '../../inbound/decide-thread.js';
import type { IngestOutcome } from '../../inbound/ingest-types.js';
import { openTicketsTogether } from './open-tickets-together.js';
import type { RouteContext, RouteInput } from './route-types.js';

/**
 * A new ticket from a mail: classified, numbered, its clocks started, the special-circumstances
 * rule applied, and its mails (acknowledgement, team notification) queued in the same transaction.
 * The same code as a run of new tickets in a batch (open-tickets-together), with a run of one.
 */
export async function openTicket(
  tx: Db, ctx: RouteContext, m: RouteInput, linkedTo: TicketThreadRef | null,
): Promise<Omit<IngestOutcome, 'rawMailId'>> {
  const [outcome] = await openTicketsTogether(tx, ctx, [{ ...m, linkedTo }]);
  return outcome!;
}
