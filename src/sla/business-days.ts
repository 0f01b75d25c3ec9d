import { DateTime } from 'luxon';
import { cachedZone } from './cached-zone.js';
import type { Policy } from '../policy/default-policy.js';
import { SlagateError } from '../errors.js';
import { buildCalendar, DAY_MS, type Calendar } from './calendar.js';

/** Ten years of days: far past any real gap between business days, and still a bounded walk. */
const MAX_DAYS_WALKED = 3660;

/**
 * The calendar that says which days are business days: the one of the priorities that keep office
 * hours (medium by default). Null when every calendar runs 24/7, and then every day is one.
 */
export function businessCalendar(policy: Policy): Calendar | null {
  const medium = policy.priorities.find((p) => p.priority === 'medium');
  const rule = policy.calendars.find((c) => c.name === medium?.calendar && !c.always)
    ?? policy.calendars.find((c) => !c.always);
  return rule ? buildCalendar(rule) : null;
}

/** Whether a local date (YYYY-MM-DD) has working hours: weekends and full holidays do not; half days do. */
export function isBusinessDay(date: string, cal: Calendar | null): boolean {
  if (!cal) return true;
  return cal.intervalOn(Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS)) !== null;
}

/** The instant of `hhmm` on a local date in `zone`. */
export function atLocalTime(date: string, hhmm: string, zone: string): Date {
  const [hour, minute] = hhmm.split(':').map(Number);
  return DateTime.fromISO(date, { zone: cachedZone(zone) }).set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
}

/** The local calendar date of an instant in `zone`, YYYY-MM-DD. */
export function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone: cachedZone(zone) }).toISODate()!;
}

function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** The first business day at or after `date` (going forward) or at or before it (going back). */
export function businessDayFrom(date: string, cal: Calendar | null, direction: 1 | -1 = 1): string {
  let d = date;
  for (let i = 0; i < MAX_DAYS_WALKED; i++, d = addDays(d, direction)) {
    if (isBusinessDay(d, cal)) return d;
  }
  throw new SlagateError('CONFIG_INVALID', `calendar ${cal?.name ?? '?'} has no business day within ten years of ${date}`);
}

/** The next business day strictly after `date`. */
export function nextBusinessDay(date: string, cal: Calendar | null): string {
  return businessDayFrom(addDays(date, 1), cal, 1);
}

/** The last business day strictly before `date`. */
export function previousBusinessDay(date: string, cal: Calendar | null): string {
  return businessDayFrom(addDays(date, -1), cal, -1);
}

/** The first business day of the month that contains `date` (2026-05 → 2026-05-04: 1 May is a holiday). */
export function firstBusinessDayOfMonth(date: string, cal: Calendar | null): string {
  return businessDayFrom(`${date.slice(0, 7)}-01`, cal, 1);
}

/** YYYY-MM of the month before the one containing `date`. */
export function previousMonth(date: string): string {
  return DateTime.fromISO(`${date.slice(0, 7)}-01`, { zone: 'UTC' }).minus({ months: 1 }).toFormat('yyyy-MM');
}

/** The first day of the month after the one containing `date`. */
export function nextMonthStart(date: string): string {
  return DateTime.fromISO(`${date.slice(0, 7)}-01`, { zone: 'UTC' }).plus({ months: 1 }).toISODate()!;
}
