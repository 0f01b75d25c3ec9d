import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../client.js';
import { scheduledRuns } from '../schema/scheduled-runs.js';

export interface ScheduledRun {
  job: string;
  occurrence: string;
  outcome: string;
  mails: number;
  decidedAt: Date;
}

/** The decision recorded for one occurrence of a job, or null when none was made yet. */
export async function findScheduledRun(db: Db, job: string, occurrence: string): Promise<ScheduledRun | null> {
  const [row] = await db.select().from(scheduledRuns)
    .where(and(eq(scheduledRuns.job, job), eq(scheduledRuns.occurrence, occurrence)));
  return row ?? null;
}

/**
 * Records the decision for an occurrence; false when another process recorded it first (its
 * transaction commits or rolls back before this insert returns: the primary key waits for it).
 */
export async function claimScheduledRun(tx: Db, run: Omit<ScheduledRun, 'decidedAt'>, now: Date): Promise<boolean> {
  const rows = await tx.insert(scheduledRuns).values({ ...run, decidedAt: now })
    .onConflictDoNothing().returning({ job: scheduledRuns.job });
  return rows.length === 1;
}

/** When the last decision of `job` before `before` was made (any outcome); null when none. */
export async function lastScheduledRunBefore(db: Db, job: string, before: Date): Promise<Date | null> {
  const [row] = await db.select({ at: scheduledRuns.decidedAt }).from(scheduledRuns)
    .where(and(eq(scheduledRuns.job, job), lt(scheduledRuns.decidedAt, before)))
    .orderBy(desc(scheduledRuns.decidedAt)).limit(1);
  return row?.at ?? null;
}
