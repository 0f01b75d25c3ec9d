import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { upsertPendingMails } from '../../db/repositories/outbox-repository.js';
import type { QueuedMail } from '../../outbound/outbound-mail.js';
import { collapsedTicketsOf, type CollapsedTicket } from '../../db/repositories/team-flood-repository.js';
import { buildStaffMail } from '../../outbound/build-staff-mail.js';
import { holdForStaff } from '../../sla/escalation-plan.js';
import { PRIORITIES } from '../../policy/priorities.js';
import { staffWithRole } from '../../tickets/staff-directory.js';
import type { TeamNotice } from '../../tickets/team-flood.js';

type Collapse = Extract<TeamNotice, { kind: 'collapse' }>;

/** How many tickets the list names; past it, it says how many more (the rest are in `slagate tickets`). */
const LISTED_MAX = 200;

/**
 * The flood list of one window (tickets/team-flood.ts), one mail per agent not under suppression:
 * every collapsed ticket of the window, sent when it ends; at any hour when one of them is
 * critical, else held for business hours as the single notices would be. Pure.
 */
export function planTeamFloodList(
  config: Config, random: () => string, notice: Collapse, listed: readonly CollapsedTicket[], suppressed: ReadonlySet<string>,
): QueuedMail[] {
  const windowMs = config.limits.teamFloodWindowMinutes * 60_000;
  // The most urgent listed ticket decides the hour it may page: PRIORITIES runs critical first.
  const highest = PRIORITIES.find((p) => listed.some((t) => t.priority === p));
  const notBefore = highest ? holdForStaff(notice.sendAt, highest, config.policy) : notice.sendAt;
  return staffWithRole(config, 'agent').filter((p) => !suppressed.has(p.address)).map((person) => ({
    notBefore,
    mail: buildStaffMail(config, {
      kind: 'team-flood', ticket: null, person, mailbox: 'support', dedupeKey: `team-flood:${notice.bucket}`,
      data: {
        count: listed.length, threshold: config.limits.teamFloodThreshold, windowMinutes: config.limits.teamFloodWindowMinutes,
        windowStart: notice.bucketStart, windowEnd: new Date(notice.bucketStart.getTime() + windowMs),
        tickets: listed.slice(0, LISTED_MAX).map((t) => ({ number: t.number, subject: t.subject, priority: t.priority, requesterAddress: t.requesterAddress })),
      },
      random: random(),
    }),
  }));
}

/**
 * Writes the flood lists of the windows these new tickets were collapsed into: the tickets listed
 * by earlier transactions (read back) and these, in one pending mail per agent and window that each
 * new collapsed ticket rewrites (upsertPendingMails).
 */
export async function enqueueTeamFloodLists(
  tx: Db, config: Config, now: Date, random: () => string,
  collapsed: readonly { notice: Collapse; ticket: CollapsedTicket }[], suppressed: ReadonlySet<string>,
): Promise<void> {
  const byBucket = new Map<number, { notice: Collapse; tickets: CollapsedTicket[] }>();
  for (const c of collapsed) {
    const entry = byBucket.get(c.notice.bucket) ?? { notice: c.notice, tickets: [] };
    entry.tickets.push(c.ticket);
    byBucket.set(c.notice.bucket, entry);
  }
  for (const { notice, tickets } of byBucket.values()) {
    const earlier = await collapsedTicketsOf(tx, notice.bucket, notice.bucketStart);
    const seen = new Set(earlier.map((t) => t.id));
    const listed = [...earlier, ...tickets.filter((t) => !seen.has(t.id))];
    await upsertPendingMails(tx, planTeamFloodList(config, random, notice, listed, suppressed), now);
  }
}
