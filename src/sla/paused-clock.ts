import type { Calendar } from './calendar.js';
import { addWorkingTime, workingTimeBetween } from './working-time.js';

/** A waiting-on-client interval; `end` null while the ticket is still waiting. */
export interface Pause {
  start: Date;
  end: Date | null;
}

/** A pause as it was applied to a clock: clipped to the clock's span, with the working time it added back. */
export interface CountedPause {
  start: Date;
  end: Date | null;
  workingMinutes: number;
}

export interface PausedClockResult {
  /** When `minutes` of unpaused working time have elapsed; null while an open pause holds the clock. */
  due: Date | null;
  pausedSince: Date | null;
  pauses: CountedPause[];
}

/**
 * Runs a clock that stops during pauses: the working time of every pause that begins before the
 * target is reached is added back; pauses after that instant change nothing. Overlapping pauses
 * count once.
 */
export function dueWithPauses(start: Date, minutes: number, pauses: readonly Pause[], cal: Calendar): PausedClockResult {
  const sorted = [...pauses].sort((a, b) => a.start.getTime() - b.start.getTime());
  const counted: CountedPause[] = [];
  let cursor = start;
  let remaining = minutes;
  for (const p of sorted) {
    if (p.end && p.end.getTime() <= cursor.getTime()) continue;
    const ps = p.start.getTime() > cursor.getTime() ? p.start : cursor;
    const worked = workingTimeBetween(cursor, ps, cal);
    if (worked >= remaining) break;
    remaining -= worked;
    if (!p.end) {
      counted.push({ start: ps, end: null, workingMinutes: 0 });
      return { due: null, pausedSince: ps, pauses: counted };
    }
    counted.push({ start: ps, end: p.end, workingMinutes: workingTimeBetween(ps, p.end, cal) });
    cursor = p.end;
  }
  return { due: addWorkingTime(cursor, remaining, cal), pausedSince: null, pauses: counted };
}
