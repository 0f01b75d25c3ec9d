import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import {
  listClientEscalations, listOpenDigestTickets, listSlaEscalations, listSpecialFlags, previousDigestAt,
} from '../../db/repositories/digest-repository.js';
import { enqueue, existingDedupeKeys, isSuppressed } from '../../db/repositories/outbox-repository.js';
import { claimScheduledRun, findScheduledRun, lastScheduledRunBefore } from '../../db/repositories/scheduled-run-repository.js';
import { buildStaffMail, staffDedupeKey } from '../../outbound/build-staff-mail.js';
import {
  atLocalTime, businessCalendar, businessDayFrom, isBusinessDay, localDate, nextBusinessDay, previousBusinessDay,
} from '../../sla/business-days.js';
import { buildManagerDigest, isEmptyDigest } from '../../tickets/build-manager-digest.js';
import { staffWithRole } from '../../tickets/staff-directory.js';

export interface DigestDeps {
  db: Db;
  config: Config;
  clock: () => Date;
  random?: () => string;
}

export type DigestOutcome =
  | { status: 'not-due'; nextAt: Date }
  | { status: 'already-sent'; date: string }
  | { status: 'nothing-to-say'; date: string }
  | { status: 'no-managers'; date: string }
  | { status: 'sent'; date: string; enqueued: number };

/** When digests fall: `digestTime` on each business day, local to `config.zone`. */
export interface DigestSchedule {
  /** Today's digest instant when today is a business day and it has come; else null. */
  due: { date: string; at: Date } | null;
  /** The next digest instant after `now`. */
  nextAt: Date;
}

export function digestSchedule(now: Date, config: Config): DigestSchedule {
  const cal = businessCalendar(config.policy);
  const time = config.sla.digestTime;
  const today = localDate(now, config.zone);
  const todayAt = atLocalTime(today, time, config.zone);
  const dueToday = isBusinessDay(today, cal) && todayAt <= now;
  const nextDay = dueToday || todayAt <= now ? nextBusinessDay(today, cal) : businessDayFrom(today, cal);
  return {
    due: dueToday ? { date: today, at: todayAt } : null,
    nextAt: atLocalTime(nextDay, time, config.zone),
  };
}

/** The base of each manager's dedupe key; each gets `digest:<date>:<address>`. */
export function digestKey(date: string): string {
  return `digest:${date}`;
}

/** The job name of the digest's decisions in scheduled_runs. */
export const DIGEST_JOB = 'manager-digest';

/**
 * Queues today's digest for every manager, each in their own language, in one transaction. Once
 * a day whatever the number of processes or restarts: the day's decision (sent, nothing to say, no
 * managers) is recorded in the same transaction, and only the process whose record lands sends;
 * each mail's dedupe key names the day and the manager besides. A process that was down at digest
 * time sends it when it comes back the same day, unless the day was already decided.
 */
export async function sendManagerDigest(deps: DigestDeps): Promise<DigestOutcome> {
  const { db, config } = deps;
  const now = deps.clock();
  const schedule = digestSchedule(now, config);
  if (!schedule.due) return { status: 'not-due', nextAt: schedule.nextAt };
  const { date } = schedule.due;
  if (await findScheduledRun(db, DIGEST_JOB, date)) return { status: 'already-sent', date };
  const managers = staffWithRole(config, 'manager');
  if (managers.length === 0) {
    await claimScheduledRun(db, { job: DIGEST_JOB, occurrence: date, outcome: 'no-managers', mails: 0 }, now);
    return { status: 'no-managers', date };
  }
  const keys = managers.map((m) => staffDedupeKey(digestKey(date), m));
  // Building reads every open ticket: skip it once every manager has today's mail.
  const queued = await existingDedupeKeys(db, keys);
  if (keys.every((k) => queued.has(k))) return { status: 'already-sent', date };

  const cal = businessCalendar(config.policy);
  const startOfToday = atLocalTime(date, '00:00', config.zone);
  const since = await lastScheduledRunBefore(db, DIGEST_JOB, startOfToday) ?? await previousDigestAt(db, startOfToday)
    ?? atLocalTime(previousBusinessDay(date, cal), config.sla.digestTime, config.zone);
  const [openTickets, slaEscalations, clientEscalations, specialFlags] = await Promise.all([
    listOpenDigestTickets(db), listSlaEscalations(db, since, now), listClientEscalations(db, since, now),
    listSpecialFlags(db, since, now),
  ]);
  const digest = buildManagerDigest({
    now, since, horizon: schedule.nextAt, policy: config.policy, people: config.people,
    openTickets, slaEscalations, clientEscalations, specialFlags,
  });
  if (isEmptyDigest(digest)) {
    // Recorded, so that a restart later the same day, when there may be something, stays silent.
    const claimed = await claimScheduledRun(db, { job: DIGEST_JOB, occurrence: date, outcome: 'nothing-to-say', mails: 0 }, now);
    return claimed ? { status: 'nothing-to-say', date } : { status: 'already-sent', date };
  }

  const random = deps.random ?? randomUUID;
  const enqueued = await db.transaction(async (tx) => {
    // Another process that built the digest at the same time waits here for this one, and loses.
    if (!await claimScheduledRun(tx, { job: DIGEST_JOB, occurrence: date, outcome: 'sent', mails: managers.length }, now)) return null;
    let count = 0;
    for (const person of managers) {
      if (await isSuppressed(tx, person.address, now)) continue;
      const mail = buildStaffMail(config, {
        kind: 'manager-digest', ticket: null, person, dedupeKey: digestKey(date),
        // It names private tickets: it comes from, and answers to, the management mailbox.
        mailbox: 'management',
        data: { ...digest, date },
        random: random(),
      });
      if (await enqueue(tx, mail, { now })) count++;
    }
    return count;
  });
  if (enqueued === null) return { status: 'already-sent', date };
  return { status: 'sent', date, enqueued };
}
