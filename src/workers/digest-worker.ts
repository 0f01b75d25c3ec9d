import type { Logger } from 'pino';
import { digestSchedule, sendManagerDigest, type DigestDeps, type DigestOutcome } from '../app/jobs/send-manager-digest.js';
import { createScheduledWorker, type ScheduledWorker, type ScheduledWorkerDeps } from './scheduled-worker.js';

export interface DigestWorkerDeps extends DigestDeps, Omit<ScheduledWorkerDeps, 'clock'> {
  logger: Logger;
}

/**
 * The managers' digest at `config.sla.digestTime` on each business day. Safe with several
 * processes: each manager's mail of the day has one dedupe key.
 */
export function createDigestWorker(deps: DigestWorkerDeps): ScheduledWorker<DigestOutcome> {
  return createScheduledWorker('digest', {
    schedule: (now) => {
      const s = digestSchedule(now, deps.config);
      return { due: s.due?.date ?? null, nextAt: s.nextAt };
    },
    run: () => sendManagerDigest(deps),
  }, deps);
}
