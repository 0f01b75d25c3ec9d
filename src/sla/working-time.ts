import { SlagateError } from '../errors.js';
import { MINUTE_MS, type Calendar } from './calendar.js';

// A calendar whose every day is off (all holidays) would walk forever: ten years is far past any
// real target and still only a few thousand cached look-ups.
const MAX_DAYS_WALKED = 3660;

function noOpening(cal: Calendar): never {
  throw new SlagateError('CONFIG_INVALID', `calendar ${cal.name} has no working time within ten years`);
}

/** Whether the instant falls inside the calendar's working time (intervals are [open, close)). */
export function isWorkingTime(t: Date, cal: Calendar): boolean {
  if (cal.always) return true;
  const ms = t.getTime();
  const iv = cal.intervalOn(cal.dayOf(ms));
  return iv !== null && iv.start <= ms && ms < iv.end;
}

/** The earliest working instant at or after `t` (`t` itself when it is working time). */
export function nextOpening(t: Date, cal: Calendar): Date {
  if (cal.always) return t;
  const ms = t.getTime();
  const first = cal.dayOf(ms);
  for (let day = first; day < first + MAX_DAYS_WALKED; day++) {
    const iv = cal.intervalOn(day);
    if (iv && iv.end > ms) return iv.start >= ms ? new Date(iv.start) : t;
  }
  return noOpening(cal);
}

/**
 * The earliest instant at which `minutes` of working time have elapsed since `start`. Walks whole
 * working intervals, one per day: a target that ends exactly at closing time is due at closing
 * time, and a start outside hours counts from the next opening.
 */
export function addWorkingTime(start: Date, minutes: number, cal: Calendar): Date {
  if (minutes <= 0) return start;
  let remaining = minutes * MINUTE_MS;
  const ms = start.getTime();
  if (cal.always) return new Date(ms + remaining);
  const first = cal.dayOf(ms);
  for (let day = first; day < first + MAX_DAYS_WALKED; day++) {
    const iv = cal.intervalOn(day);
    if (!iv || iv.end <= ms) continue;
    const from = Math.max(iv.start, ms);
    const available = iv.end - from;
    if (remaining <= available) return new Date(from + remaining);
    remaining -= available;
  }
  return noOpening(cal);
}

/** Working minutes in [a, b); fractional when the ends are not on whole minutes; 0 when b <= a. */
export function workingTimeBetween(a: Date, b: Date, cal: Calendar): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to <= from) return 0;
  if (cal.always) return (to - from) / MINUTE_MS;
  let total = 0;
  const last = cal.dayOf(to);
  for (let day = cal.dayOf(from); day <= last; day++) {
    const iv = cal.intervalOn(day);
    if (!iv) continue;
    const s = Math.max(iv.start, from);
    const e = Math.min(iv.end, to);
    if (e > s) total += e - s;
  }
  return total / MINUTE_MS;
}
