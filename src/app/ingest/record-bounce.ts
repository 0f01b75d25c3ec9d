import type { Db } from '../../db/client.js';
import { markBounced, suppress } from '../../db/repositories/outbox-repository.js';
import { asciiLowerAddress } from '../../inbound/case-fold.js';
import type { OutboundDeps } from '../notify/enqueue-acknowledgement.js';
import { findPerson, isOwnMailboxAddress } from '../../tickets/staff-directory.js';

/** RFC 3463: class 5 is a permanent failure; 4 is transient and says nothing lasting. */
function isPermanent(status: string | null): boolean {
  return status !== null && /^5\.\d{1,3}\.\d{1,3}$/.test(status.trim());
}

/**
 * A delivery report for one of our mails: the outbox row is marked bounced with each recipient's
 * status, and an address that failed permanently gets no more mail for a while, so we do not
 * keep sending into a dead mailbox (and keep our sending reputation).
 *
 * Anyone can write a delivery report, so it is believed only as far as it matches what we sent:
 * the Message-ID must be one of our sent mails, and only that mail's own recipients can be
 * suppressed. Staff and our own mailboxes are never suppressed by a report (a forged one would
 * otherwise silence escalations for days); their bounce is only recorded.
 */
export async function recordBounce(
  tx: Db, deps: Pick<OutboundDeps, 'config' | 'clock'>,
  input: { originalMessageId: string; recipients: { address: string; status: string | null }[] },
): Promise<{ matched: boolean; outboxId: number | null; suppressed: string[] }> {
  const now = deps.clock();
  const statuses = Object.fromEntries(input.recipients.map((r) => [asciiLowerAddress(r.address), `bounced ${r.status ?? 'unknown'}`]));
  const row = await markBounced(tx, input.originalMessageId, statuses);
  const suppressed: string[] = [];
  const days = deps.config.limits.bounceSuppressionDays;
  if (row && days > 0) {
    const until = new Date(now.getTime() + days * 86_400_000);
    for (const r of input.recipients) {
      const address = asciiLowerAddress(r.address);
      if (!isPermanent(r.status) || !row.sentTo.includes(address)) continue;
      if (findPerson(deps.config, address) || isOwnMailboxAddress(deps.config, address)) continue;
      await suppress(tx, address, until, `hard bounce ${r.status} of ${input.originalMessageId}`);
      suppressed.push(address);
    }
  }
  return { matched: row !== null, outboxId: row?.id ?? null, suppressed };
}
