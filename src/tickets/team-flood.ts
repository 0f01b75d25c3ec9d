/**
 * Whether the team is told of a new ticket on its own, or in the flood mail (issue 21): 1,000
 * forged mails were 2,000 team notifications. Up to `teamFloodThreshold` new team tickets in the
 * last `teamFloodWindowMinutes`, each gets its notification; past it, a ticket is collapsed into
 * one mail per agent listing every collapsed ticket of its fixed window, sent when that window
 * ends. So a flood costs the team at most `threshold` single notices plus one list per window, and
 * the list itself is the one time the team is told the limit tripped. Pure: the caller counts.
 */

/** The event a new team ticket gets when its notification went into the flood list instead. */
export const COLLAPSED_EVENT = 'team-notification-collapsed';

export interface TeamFloodLimits {
  teamFloodThreshold: number;
  teamFloodWindowMinutes: number;
}

export type TeamNotice =
  | { kind: 'each' }
  | {
    kind: 'collapse';
    /** The fixed window the ticket is listed in: floor(now / window). */
    bucket: number;
    bucketStart: Date;
    /** When the list leaves: the window's end, and a little after so a transaction committing at its edge is still listed. */
    sendAt: Date;
  };

/** The list waits this long past its window's end for transactions that started inside it. */
const GRACE_MS = 30_000; // 30 seconds

/** The start of the sliding window the new team tickets are counted in. */
export function teamFloodCountSince(limits: TeamFloodLimits, now: Date): Date {
  return new Date(now.getTime() - limits.teamFloodWindowMinutes * 60_000);
}

/** `recentTeamTickets`: new team tickets opened since teamFloodCountSince, before this one. */
export function decideTeamNotice(limits: TeamFloodLimits, now: Date, recentTeamTickets: number): TeamNotice {
  if (recentTeamTickets < limits.teamFloodThreshold) return { kind: 'each' };
  const windowMs = limits.teamFloodWindowMinutes * 60_000;
  const bucket = Math.floor(now.getTime() / windowMs);
  return { kind: 'collapse', bucket, bucketStart: new Date(bucket * windowMs), sendAt: new Date((bucket + 1) * windowMs + GRACE_MS) };
}
