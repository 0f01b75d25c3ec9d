import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { enqueue, isSuppressed } from '../../db/repositories/outbox-repository.js';
import { loadReportRows } from '../../db/repositories/report-repository.js';
import { claimScheduledRun, findScheduledRun } from '../../db/repositories/scheduled-run-repository.js';
import { buildStaffMail } from '../../outbound/build-staff-mail.js';
import type { Language } from '../../outbound/outbound-mail.js';
import { buildReport } from '../../reports/build-report.js';
import { policyWorkingMinutes } from '../../reports/policy-working-minutes.js';
import { quarterPeriod } from '../../reports/report-period.js';
import { renderHtml } from '../../reports/render-html.js';
import { renderMarkdown } from '../../reports/render-markdown.js';
import { atLocalTime, businessCalendar, businessDayFrom, localDate, nextBusinessDay } from '../../sla/business-days.js';
import { clientsOf } from '../../tickets/client-of.js';
import { staffWithRole } from '../../tickets/staff-directory.js';

export interface QuarterlyReviewDeps {
  db: Db;
  config: Config;
  clock: () => Date;
  random?: () => string;
}

export type QuarterlyReviewOutcome =
  | { status: 'not-due'; nextAt: Date }
  | { status: 'already-sent'; quarter: string }
  | { status: 'no-managers'; quarter: string }
  | { status: 'sent'; quarter: string; enqueued: number };

/** The job name of the review's decisions in scheduled_runs; the occurrence is the quarter (2026-Q4). */
export const QUARTERLY_REVIEW_JOB = 'quarterly-review';

export interface QuarterlySchedule {
  /** The quarter to review (the one just ended) once its mailing time has come; else null. */
  due: { quarter: string; at: Date } | null;
  nextAt: Date;
}

/**
 * `reports.monthlyMailTime` on the first business day of each quarter (the team's calendar, so
 * 2027-01-04 for 2026-Q4: 1 January is a holiday, the 2nd and 3rd a weekend), local to
 * `config.zone`: the same morning as that month's monthly reports. A process that was down then
 * catches up during the next two business days, as the monthly mailing does.
 */
export function quarterlySchedule(now: Date, config: Config): QuarterlySchedule {
  const cal = businessCalendar(config.policy);
  const time = config.reports.monthlyMailTime;
  const today = localDate(now, config.zone);
  const year = Number(today.slice(0, 4));
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  const quarterStart = `${year}-${String((quarter - 1) * 3 + 1).padStart(2, '0')}-01`;
  const nextStart = quarter === 4 ? `${year + 1}-01-01` : `${year}-${String(quarter * 3 + 1).padStart(2, '0')}-01`;
  const firstDay = businessDayFrom(quarterStart, cal);
  const thisAt = atLocalTime(firstDay, time, config.zone);
  const nextAt = atLocalTime(businessDayFrom(nextStart, cal), time, config.zone);
  const lastCatchUpDay = nextBusinessDay(nextBusinessDay(firstDay, cal), cal);
  if (thisAt <= now && today <= lastCatchUpDay) {
    const ended = quarter === 1 ? `${year - 1}-Q4` : `${year}-Q${quarter - 1}`;
    return { due: { quarter: ended, at: thisAt }, nextAt };
  }
  return { due: null, nextAt: thisAt > now ? thisAt : nextAt };
}

/**
 * Mails the review of the quarter just ended to every manager, each in their language: the
 * quarterly report with its month-by-month trend overall, per priority and per client, and where
 * targets were missed most. Private tickets are counted: managers are the only readers (the
 * policy's rule is that private tickets are seen by managers only), and the mail comes from the
 * management mailbox, as the monthly management report does.
 *
 * Once per quarter whatever restarts or instances: the decision is recorded in scheduled_runs in
 * the transaction that queues the mails, and only the process whose record lands queues them.
 */
export async function sendQuarterlyReview(deps: QuarterlyReviewDeps): Promise<QuarterlyReviewOutcome> {
  const { db, config } = deps;
  const now = deps.clock();
  const schedule = quarterlySchedule(now, config);
  if (!schedule.due) return { status: 'not-due', nextAt: schedule.nextAt };
  const { quarter } = schedule.due;
  if (await findScheduledRun(db, QUARTERLY_REVIEW_JOB, quarter)) return { status: 'already-sent', quarter };
  const managers = staffWithRole(config, 'manager');
  if (managers.length === 0) {
    const claimed = await claimScheduledRun(db, { job: QUARTERLY_REVIEW_JOB, occurrence: quarter, outcome: 'no-managers', mails: 0 }, now);
    return claimed ? { status: 'no-managers', quarter } : { status: 'already-sent', quarter };
  }

  const period = quarterPeriod(quarter, config.zone)!;
  const rows = await loadReportRows(db, { from: period.start, to: period.end, includePrivate: true });
  const report = buildReport({
    period, rows, policy: config.policy, workingMinutes: policyWorkingMinutes(config.policy), now, includePrivate: true,
    clientOf: (a) => clientsOf(config)(a).name,
  });
  const rendered = new Map<Language, { html: string; markdown: string }>();
  for (const lang of new Set(managers.map((m) => m.language))) {
    const options = { lang, audience: 'management' as const };
    rendered.set(lang, { html: renderHtml(report, options), markdown: renderMarkdown(report, options) });
  }

  const random = deps.random ?? randomUUID;
  const enqueued = await db.transaction(async (tx) => {
    // Another process that built the review at the same time waits here for this one, and loses.
    const run = { job: QUARTERLY_REVIEW_JOB, occurrence: quarter, outcome: 'sent', mails: managers.length };
    if (!await claimScheduledRun(tx, run, now)) return null;
    let count = 0;
    for (const person of managers) {
      if (await isSuppressed(tx, person.address, now)) continue;
      const { html, markdown } = rendered.get(person.language)!;
      const mail = buildStaffMail(config, {
        kind: 'quarterly-review', ticket: null, person, dedupeKey: `quarterly-review:${quarter}`,
        mailbox: 'management', data: { quarter, markdown, reportHtml: html }, random: random(),
      });
      if (await enqueue(tx, mail, { now })) count++;
    }
    return count;
  });
  if (enqueued === null) return { status: 'already-sent', quarter };
  return { status: 'sent', quarter, enqueued };
}
