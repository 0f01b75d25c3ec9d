import type { Logger } from 'pino';
import {
  quarterlySchedule, sendQuarterlyReview, type QuarterlyReviewDeps, type QuarterlyReviewOutcome,
} from '../app/jobs/send-quarterly-review.js';
import { createScheduledWorker, type ScheduledWorker, type ScheduledWorkerDeps } from './scheduled-worker.js';

export interface QuarterlyReviewWorkerDeps extends QuarterlyReviewDeps, Omit<ScheduledWorkerDeps, 'clock'> {
  logger: Logger;
}

/**
 * The quarter's SLA review to managers on the first business day after it ends. Safe with several
 * processes and restarts: the quarter's decision is one row of scheduled_runs.
 */
export function createQuarterlyReviewWorker(deps: QuarterlyReviewWorkerDeps): ScheduledWorker<QuarterlyReviewOutcome> {
  return createScheduledWorker('quarterly-review', {
    schedule: (now) => {
      const s = quarterlySchedule(now, deps.config);
      return { due: s.due?.quarter ?? null, nextAt: s.nextAt };
    },
    run: () => sendQuarterlyReview(deps),
  }, deps);
}
