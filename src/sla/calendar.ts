import type { Zone } from 'luxon';
import { SlagateError } from '../errors.js';
import type { CalendarRule, Policy } from '../policy/default-policy.js';
import type { Priority } from '../policy/priorities.js';
import { publicHolidays } from '../policy/public-holidays.js';
import { cachedZone } from './cached-zone.js';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** One local day's working hours as instants (epoch ms), `start < end`. */
export interface WorkingInterval {
  start: number;
  end: number;
}

/**
 * A calendar ready for arithmetic. Days are numbered as local civil days since 1970-01-01 in the
 * calendar's zone, so walking "the next day" never depends on how long a day is (DST).
 */
export interface Calendar {
  readonly name: string;
  readonly zone: string;
  /** Every wall-clock minute counts (24/7). */
  readonly always: boolean;
  /** The local day number that contains the instant `ms`. */
  dayOf(ms: number): number;
  /** The working interval of a local day, null when nothing is worked that day. */
  intervalOn(day: number): WorkingInterval | null;
  /** YYYY-MM-DD of a local day number. */
  dateOf(day: number): string;
  /** What a day is when it is not a plain working day: 'holiday', 'half-day' or 'closed' (weekend). */
  kindOf(day: number): 'working' | 'holiday' | 'half-day' | 'closed';
  /** Readable hours, e.g. "Mon-Fri 09:00-18:00" or "24/7". */
  readonly hoursText: string;
}

const WEEKDAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** ISO weekday (1 = Monday) of a day number; 1970-01-01 was a Thursday. */
export function isoWeekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/**
 * The instant of a local wall time, DST-correct: a time inside a spring-forward gap moves forward
 * (as luxon does), an ambiguous time in the autumn overlap takes the earlier instant.
 */
function localToInstant(zone: Zone, localMs: number): number {
  const o = zone.offset(localMs);
  let guess = localMs - o * MINUTE_MS;
  const o2 = zone.offset(guess);
  if (o === o2) return guess;
  guess -= (o2 - o) * MINUTE_MS;
  const o3 = zone.offset(guess);
  if (o2 === o3) return guess;
  return localMs - Math.min(o2, o3) * MINUTE_MS;
}

function describeHours(rule: CalendarRule, hours: ({ open: number; close: number } | null)[]): string {
  if (rule.always) return '24/7';
  const groups: string[] = [];
  let d = 1;
  while (d <= 7) {
    const h = hours[d];
    if (!h) { d++; continue; }
    let e = d;
    while (e + 1 <= 7 && hours[e + 1]?.open === h.open && hours[e + 1]?.close === h.close) e++;
    const days = e === d ? WEEKDAY_NAMES[d] : `${WEEKDAY_NAMES[d]}-${WEEKDAY_NAMES[e]}`;
    groups.push(`${days} ${rule.hours[String(d)]!.open}-${rule.hours[String(d)]!.close}`);
    d = e + 1;
  }
  return groups.join(', ');
}

function build(rule: CalendarRule): Calendar {
  const zone = cachedZone(rule.zone);
  if (!zone.isValid) throw new SlagateError('CONFIG_INVALID', `calendar ${rule.name}: unknown time zone ${rule.zone}`);
  const hours: ({ open: number; close: number } | null)[] = [null];
  for (let d = 1; d <= 7; d++) {
    const h = rule.hours[String(d)];
    hours.push(h ? { open: toMinutes(h.open), close: toMinutes(h.close) } : null);
  }
  const listed = new Set(rule.holidays);
  const listedHalfDays = new Map(rule.halfDays.map((h) => [h.date, toMinutes(h.until)]));
  const country = rule.publicHolidays;
  // A country's holidays are looked up year by year as the clocks reach them: any year works.
  const countryYears = new Map<number, { holidays: Set<string>; halfDays: Map<string, number> }>();
  const countryYear = (date: string) => {
    const year = Number(date.slice(0, 4));
    let y = countryYears.get(year);
    if (!y) {
      const found = publicHolidays(country!, year);
      y = { holidays: new Set(found.holidays), halfDays: new Map(found.halfDays.map((h) => [h.date, toMinutes(h.until)])) };
      countryYears.set(year, y);
    }
    return y;
  };
  const holidays = { has: (date: string) => listed.has(date) || (country !== undefined && countryYear(date).holidays.has(date)) };
  const halfDays = {
    get: (date: string) => listedHalfDays.get(date) ?? (country !== undefined ? countryYear(date).halfDays.get(date) : undefined),
    has: (date: string) => halfDays.get(date) !== undefined,
  };
  // Days are looked up again and again (every sweep walks the same weeks): remember each one.
  const intervals = new Map<number, WorkingInterval | null>();

  const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

  const computeInterval = (day: number): WorkingInterval | null => {
    const h = hours[isoWeekdayOf(day)];
    if (!h) return null;
    const date = dateOf(day);
    if (holidays.has(date)) return null;
    const until = halfDays.get(date);
    const close = until === undefined ? h.close : Math.min(h.close, until);
    if (close <= h.open) return null;
    const start = localToInstant(zone, day * DAY_MS + h.open * MINUTE_MS);
    const end = localToInstant(zone, day * DAY_MS + close * MINUTE_MS);
    return end > start ? { start, end } : null;
  };

  return {
    name: rule.name,
    zone: rule.zone,
    always: rule.always,
    hoursText: describeHours(rule, hours),
    dayOf: (ms) => Math.floor((ms + zone.offset(ms) * MINUTE_MS) / DAY_MS),
    dateOf,
    intervalOn(day) {
      let iv = intervals.get(day);
      if (iv === undefined) {
        iv = rule.always ? { start: localToInstant(zone, day * DAY_MS), end: localToInstant(zone, (day + 1) * DAY_MS) } : computeInterval(day);
        intervals.set(day, iv);
      }
      return iv;
    },
    kindOf(day) {
      if (rule.always) return 'working';
      const date = dateOf(day);
      if (!hours[isoWeekdayOf(day)]) return 'closed';
      if (holidays.has(date)) return 'holiday';
      if (halfDays.has(date)) return 'half-day';
      return 'working';
    },
  };
}

const memo = new WeakMap<CalendarRule, Calendar>();

/** A calendar for a rule; built once per rule object (the policy is frozen with the config). */
export function buildCalendar(rule: CalendarRule): Calendar {
  let cal = memo.get(rule);
  if (!cal) {
    cal = build(rule);
    memo.set(rule, cal);
  }
  return cal;
}

/** The calendar a priority's clocks run on. */
export function calendarFor(priority: Priority, policy: Policy): Calendar {
  const p = policy.priorities.find((r) => r.priority === priority);
  if (!p) throw new SlagateError('CONFIG_INVALID', `policy has no priority "${priority}"`);
  const rule = policy.calendars.find((c) => c.name === p.calendar);
  if (!rule) throw new SlagateError('CONFIG_INVALID', `policy.priorities.${priority}: no calendar named "${p.calendar}"`);
  return buildCalendar(rule);
}
