import type { Db } from '../../db/client.js';
import { describeVerdict, type NoiseVerdict } from '../../inbound/detect-noise.js';
import type { RouteContext } from './route-types.js';
import type { IngestOutcome } from '../../inbound/ingest-types.js';
import { judgeBounce } from '../../inbound/bounce-verdict.js';
import type { ParsedMail } from '../../inbound/parsed-mail.js';
import { recordBounce } from './record-bounce.js';

type Routed = Omit<IngestOutcome, 'rawMailId'>;

/**
 * Machine mail that is never a ticket and never answered: a delivery failure or feedback report
 * (marks the outbox row of the mail it reports on, through recordBounce, the one place that does),
 * and every other machine mail (delayed delivery, list, bulk, noreply, auto-generated), recorded
 * in raw_mail with its verdict and signals and listed by `slagate noise list`.
 * Null for mail this does not handle (persons, auto-replies, loops).
 */
export async function recordMachineMail(tx: Db, ctx: RouteContext, noise: NoiseVerdict, mail: ParsedMail): Promise<Routed | null> {
  const v = noise.machine;
  const verdict = `${describeVerdict(v)}`;
  if (noise.kind === 'bounce') {
    const failed = v.failed.map((r) => `${r.address} ${r.status ?? 'no status'}${r.permanent ? ' permanent' : ''}`).join(', ');
    // Only the returned headers (or a Message-ID of ours quoted below a prose bounce) name the
    // reported mail; In-Reply-To is whatever the sender wrote and proves nothing.
    const original = v.reportedMessageId;
    let outcome = 'it names none of our mails';
    // A report proves it is about our mail only when it came to our signed envelope address: a
    // forged DSN quoting one of our Message-IDs must not mark rows or suppress anyone.
    const trust = original ? judgeBounce({
      secret: ctx.config.tokenSecret,
      deliveredTo: [...['delivered-to', 'x-original-to'].flatMap((h) => mail.headers[h] ?? []).map((v) => v.replace(/^.*<|>.*$/g, '').trim()),
        ...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address)],
      mailboxAddresses: [ctx.config.mailboxes.support.address, ctx.config.mailboxes.management.address],
      originalMessageId: original,
    }) : null;
    if (trust && !trust.trusted) {
      outcome = `changes nothing: ${trust.reason}`;
    } else if (original) {
      const feedback = v.kind === 'feedback-report';
      const bounced = await recordBounce(tx, { config: ctx.config, clock: () => ctx.now }, {
        originalMessageId: original,
        // A complaint is recorded on the row but never suppresses: only a class 5 status does.
        recipients: v.failed.map((r) => ({ address: r.address, status: feedback ? 'complaint' : r.status })),
      });
      outcome = !bounced.matched ? `${original} is not one of our mails`
        : `outbox row ${bounced.outboxId} marked bounced${bounced.suppressed.length ? `; suppressed ${bounced.suppressed.join(', ')}` : ''}`;
    }
    const what = v.kind === 'feedback-report' ? 'feedback report' : 'delivery report';
    return {
      decision: 'bounce', acknowledge: false, ticket: null, verdict: v.kind,
      reason: `${what}: ${verdict}${failed ? `; failed: ${failed}` : ''}; ${outcome}`,
    };
  }
  if (noise.kind === 'machine') {
    const what = v.kind === 'delivery-delayed' ? 'delivery delayed, nothing to do' : 'machine mail, no ticket';
    return { decision: 'machine', acknowledge: false, ticket: null, verdict: v.kind, reason: `${what}: ${verdict}` };
  }
  return null;
}
