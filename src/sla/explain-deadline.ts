import { DateTime } from 'luxon';
import type { Calendar } from './calendar.js';
import type { CountedPause } from './paused-clock.js';

/** What the start of each clock is called in an explanation. */
const START_LABEL = {
  'first-response': 'received',
  qualification: 'first response',
  resolution: 'qualified',
} as const;

export type SlaClock = keyof typeof START_LABEL;

export interface SpanDays {
  closed: string[];
  holidays: string[];
  halfDays: string[];
}

/** The non-plain days between two instants, by kind, as YYYY-MM-DD. */
export function daysInSpan(from: Date, to: Date, cal: Calendar): SpanDays {
  const span: SpanDays = { closed: [], holidays: [], halfDays: [] };
  if (cal.always) return span;
  const last = cal.dayOf(to.getTime());
  for (let day = cal.dayOf(from.getTime()); day <= last; day++) {
    const kind = cal.kindOf(day);
    if (kind === 'closed') span.closed.push(cal.dateOf(day));
    else if (kind === 'holiday') span.holidays.push(cal.dateOf(day));
    else if (kind === 'half-day') span.halfDays.push(cal.dateOf(day));
  }
  return span;
}

function local(t: Date, cal: Calendar): DateTime {
  return DateTime.fromJSDate(t, { zone: cal.zone }).setLocale('en');
}

const full = (t: Date, cal: Calendar) => local(t, cal).toFormat('ccc yyyy-MM-dd HH:mm');

function dayList(dates: string[], cal: Calendar): string {
  return dates.map((d) => DateTime.fromISO(d, { zone: cal.zone }).setLocale('en').toFormat('ccc yyyy-MM-dd')).join(', ');
}

function minutesText(m: number): string {
  return Number.isInteger(m) ? String(m) : m.toFixed(2);
}

export interface ExplainInput {
  clock: SlaClock;
  start: Date;
  countedFrom: Date;
  targetMinutes: number;
  /** Of `targetMinutes`, what `#sla extend` added (0 or absent: none). */
  extraMinutes?: number;
  due: Date | null;
  met: Date | null;
  pausedSince: Date | null;
  pauses: CountedPause[];
  span: SpanDays;
}

/**
 * One sentence a person can check by hand: start, where counting began, the target on which
 * calendar, the days skipped, the pauses added back, and the result.
 */
export function explainDeadline(x: ExplainInput, cal: Calendar): string {
  const startLocal = local(x.start, cal);
  const fromLocal = local(x.countedFrom, cal);
  const countedFrom = fromLocal.hasSame(startLocal, 'day') ? fromLocal.toFormat('HH:mm') : full(x.countedFrom, cal);
  const parts = [
    `${START_LABEL[x.clock]} ${full(x.start, cal)} (${startLocal.toFormat('ZZ')})`,
    `counted from ${countedFrom}`,
    `${minutesText(x.targetMinutes)} working minutes${x.extraMinutes ? ` (${minutesText(x.targetMinutes - x.extraMinutes)} + ${minutesText(x.extraMinutes)} added by #sla extend)` : ''} on ${cal.name} (${cal.zone}, ${cal.hoursText})`,
  ];
  if (x.span.closed.length) parts.push(`skipped weekend ${dayList(x.span.closed, cal)}`);
  if (x.span.holidays.length) parts.push(`skipped holiday ${dayList(x.span.holidays, cal)}`);
  if (x.span.halfDays.length) parts.push(`half day ${dayList(x.span.halfDays, cal)}`);
  for (const p of x.pauses) {
    if (p.end) parts.push(`paused ${full(p.start, cal)} to ${full(p.end, cal)} (+${minutesText(p.workingMinutes)} working minutes)`);
  }
  if (x.pausedSince) parts.push(`paused since ${full(x.pausedSince, cal)}, waiting on the client: no deadline while paused`);
  if (x.due) parts.push(`due ${full(x.due, cal)}`);
  if (x.met) parts.push(`met ${full(x.met, cal)}${x.due && x.met > x.due ? ' (late)' : ''}`);
  return parts.join('; ');
}
