import type { Logger } from 'pino';
import {
  monthlySchedule, sendMonthlyReports, type MonthlyReportDeps, type MonthlyReportOutcome,
} from '../app/jobs/send-monthly-reports.js';
import { createScheduledWorker, type ScheduledWorker, type ScheduledWorkerDeps } from './scheduled-worker.js';

export interface ReportMailWorkerDeps extends MonthlyReportDeps, Omit<ScheduledWorkerDeps, 'clock'> {
  logger: Logger;
}

/**
 * Last month's reports to managers and configured clients at `config.reports.monthlyMailTime` on
 * the first business day of each month. Safe with several processes: each recipient's mail of
 * the month has one dedupe key.
 */
export function createReportMailWorker(deps: ReportMailWorkerDeps): ScheduledWorker<MonthlyReportOutcome> {
  return createScheduledWorker('report-mail', {
    schedule: (now) => {
      const s = monthlySchedule(now, deps.config);
      return { due: s.due?.month ?? null, nextAt: s.nextAt };
    },
    run: () => sendMonthlyReports(deps),
  }, deps);
}
