import { randomUUID } from 'node:crypto';
import type { Person } from '../../../config.js';
import type { Db } from '../../../db/client.js';
import { enqueue, isSuppressed, sentRecently } from '../../../db/repositories/outbox-repository.js';
import { lockForKey } from '../../../db/repositories/ticket-repository.js';
import type { RefusalCode } from '../../../inbound/staff-mail-verdict.js';
import { buildStaffMail } from '../../../outbound/build-staff-mail.js';
import { safeHeaderValue } from '../../../outbound/message-headers.js';
import type { IngestOutcome } from '../../../inbound/ingest-types.js';
import type { RouteContext, RouteInput } from '../route-types.js';

/**
 * A mail From a member of staff without their valid reply token: it opens no ticket, is
 * acknowledged to no one and pages no one. Its raw mail stays with decision `refused` and the
 * reason; the member gets one private notice per window (limits.staffRefusalNoticeMinutes), at the
 * address config has for them (never the mail's Reply-To), so a flood of forgeries makes one
 * notice, and a genuine member learns how to reply correctly.
 */
export async function refuseStaffMail(
  tx: Db, ctx: RouteContext, m: RouteInput, refusal: { agent: Person; code: RefusalCode; reason: string },
): Promise<Omit<IngestOutcome, 'rawMailId'>> {
  const { config, now } = ctx;
  const { agent } = refusal;
  const windowMinutes = config.limits.staffRefusalNoticeMinutes;
  // A sliding window per member, under their lock: a flood of forgeries makes one notice.
  await lockForKey(tx, `staff-mail-refused:${agent.address}`);
  let notice: string;
  if (await isSuppressed(tx, agent.address, now)) notice = 'no notice: the address is suppressed';
  else if (await sentRecently(tx, 'staff-mail-refused', agent.address, new Date(now.getTime() - windowMinutes * 60_000))) {
    notice = `${agent.address} already told in the last ${windowMinutes} minutes`;
  } else {
    await enqueue(tx, buildStaffMail(config, {
      kind: 'staff-mail-refused', ticket: null, person: agent, mailbox: m.input.mailbox,
      dedupeKey: `staff-mail-refused:${m.rawMailId}`,
      data: {
        code: refusal.code, senderAddress: agent.address, receivedAt: m.input.receivedAt,
        // A mail that reached management is private: not even its subject goes back to the team.
        subject: m.classification.private ? null : safeHeaderValue(m.mail.subject, 120), ttlDays: config.replyTokenTtlDays, windowMinutes,
        // What the authentication check saw, so the member (or their administrator) can fix it.
        ...(refusal.code === 'not-authenticated' ? { reason: refusal.reason } : {}),
      },
      random: randomUUID(),
    }), { now });
    notice = `${agent.address} told`;
  }
  return {
    decision: 'refused', acknowledge: false, ticket: null,
    reason: `mail From staff member ${agent.address} refused (${refusal.code}): ${refusal.reason}; nothing applied; ${notice}`,
  };
}
