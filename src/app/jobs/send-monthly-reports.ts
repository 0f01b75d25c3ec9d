import { randomUUID } from 'node:crypto';
import type { Config, Person } from '../../config.js';
import type { Db } from '../../db/client.js';
import { enqueue, existingDedupeKeys, isSuppressed } from '../../db/repositories/outbox-repository.js';
import { buildStaffMail, staffDedupeKey } from '../../outbound/build-staff-mail.js';
import { composeMail, mailboxAddress } from '../../outbound/compose-mail.js';
import { safeAddress } from '../../outbound/message-headers.js';
import type { Language, OutboundMail } from '../../outbound/outbound-mail.js';
import {
  atLocalTime, businessCalendar, firstBusinessDayOfMonth, nextBusinessDay, localDate, nextMonthStart, previousMonth,
} from '../../sla/business-days.js';
import { renderMonthlyReport } from './render-monthly-report.js';
import { staffWithRole } from '../../tickets/staff-directory.js';

export interface MonthlyReportDeps {
  db: Db;
  config: Config;
  clock: () => Date;
  random?: () => string;
}

export type MonthlyReportOutcome =
  | { status: 'not-due'; nextAt: Date }
  | { status: 'already-sent'; month: string }
  | { status: 'sent'; month: string; enqueued: number };

export interface MonthlySchedule {
  /** The month to report (the previous one) once this month's mailing time has come; else null. */
  due: { month: string; at: Date } | null;
  nextAt: Date;
}

/** `reports.monthlyMailTime` on the first business day of each month, local to `config.zone`. */
export function monthlySchedule(now: Date, config: Config): MonthlySchedule {
  const cal = businessCalendar(config.policy);
  const time = config.reports.monthlyMailTime;
  const today = localDate(now, config.zone);
  const firstDay = firstBusinessDayOfMonth(today, cal);
  const thisMonthAt = atLocalTime(firstDay, time, config.zone);
  const nextMonthAt = atLocalTime(firstBusinessDayOfMonth(nextMonthStart(today), cal), time, config.zone);
  // A process that was down on the first business day catches up during the next two; later
  // than that (a fresh install on the 25th, say) last month's report is not mailed out of the
  // blue: `slagate report monthly` gives it on demand.
  const lastCatchUpDay = nextBusinessDay(nextBusinessDay(firstDay, cal), cal);
  if (thisMonthAt <= now && today <= lastCatchUpDay) {
    return { due: { month: previousMonth(today), at: thisMonthAt }, nextAt: nextMonthAt };
  }
  return { due: null, nextAt: thisMonthAt > now ? thisMonthAt : nextMonthAt };
}

/** A mail still to queue, keyed so that each recipient gets each month's report once. */
interface Recipient {
  key: string;
  audience: { kind: 'management'; person: Person } | { kind: 'client'; client: string; address: string; language: Language };
}

/**
 * Queues last month's reports: management's (private tickets included) to every manager, and
 * each configured client's own (never private tickets) to that client's addresses, in one
 * transaction. A process that was down on the first business day sends them when it comes back
 * within the month; dedupe keys name the month and the recipient, so several processes and
 * restarts queue each mail once.
 */
export async function sendMonthlyReports(deps: MonthlyReportDeps): Promise<MonthlyReportOutcome> {
  const { db, config } = deps;
  const now = deps.clock();
  const schedule = monthlySchedule(now, config);
  if (!schedule.due) return { status: 'not-due', nextAt: schedule.nextAt };
  const { month } = schedule.due;

  const recipients: Recipient[] = [
    ...staffWithRole(config, 'manager').map((person): Recipient => ({
      key: staffDedupeKey(`monthly-report:${month}`, person), audience: { kind: 'management', person },
    })),
    ...config.reports.clientReports.flatMap((entry) => entry.to.map((address): Recipient => ({
      key: `monthly-report:${month}:client:${entry.client}:${address}`,
      audience: { kind: 'client', client: entry.client, address, language: entry.language },
    }))),
    // Configured client organisations: their report covers all their domains and addresses.
    ...config.clients.flatMap((c) => c.reportRecipients.map((address): Recipient => ({
      key: `monthly-report:${month}:client:${c.name}:${address}`,
      audience: { kind: 'client', client: c.name, address, language: c.language },
    }))),
  ];
  // A report over a month is the expensive part: build only those somebody still has to get.
  const queued = await existingDedupeKeys(db, recipients.map((r) => r.key));
  const pending = recipients.filter((r) => !queued.has(r.key));
  if (pending.length === 0) return { status: 'already-sent', month };

  // One rendering per scope and reader's language.
  const reports = new Map<string, { html: string; markdown: string }>();
  const scopeOf = (r: Recipient) => `${r.audience.kind === 'management' ? '' : r.audience.client}\u0000${languageOf(r)}`;
  for (const r of pending) {
    const scope = scopeOf(r);
    const client = r.audience.kind === 'management' ? null : r.audience.client;
    if (!reports.has(scope)) reports.set(scope, await renderMonthlyReport(deps.db, deps.config, month, now, client, languageOf(r)));
  }

  const random = deps.random ?? randomUUID;
  const enqueued = await db.transaction(async (tx) => {
    let count = 0;
    for (const r of pending) {
      const address = r.audience.kind === 'management' ? r.audience.person.address : r.audience.address;
      if (await isSuppressed(tx, address, now)) continue;
      const report = reports.get(scopeOf(r))!;
      const mail = buildReportMail(config, r, month, report, random());
      if (await enqueue(tx, mail, { now })) count++;
    }
    return count;
  });
  return { status: 'sent', month, enqueued };
}

function languageOf(r: Recipient): Language {
  return r.audience.kind === 'management' ? r.audience.person.language : r.audience.language;
}

function buildReportMail(
  config: Config, r: Recipient, month: string, report: { html: string; markdown: string }, random: string,
): OutboundMail {
  const data = { month, markdown: report.markdown, reportHtml: report.html };
  if (r.audience.kind === 'management') {
    return buildStaffMail(config, {
      kind: 'monthly-report', ticket: null, person: r.audience.person, dedupeKey: `monthly-report:${month}`,
      // Management's report counts private tickets: it belongs to the management mailbox.
      mailbox: 'management', data: { ...data, client: null }, random,
    });
  }
  const from = mailboxAddress(config, 'support');
  return composeMail(config, {
    kind: 'monthly-report', dedupeKey: r.key, ticket: null, lang: r.audience.language, zone: config.zone,
    data: { ...data, client: r.audience.client, recipientName: null, senderName: from.name },
    from, replyTo: from, to: [safeAddress(null, r.audience.address)], autoSubmitted: 'auto-generated', random,
  });
}
