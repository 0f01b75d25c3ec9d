import { DateTime } from 'luxon';
import { cachedZone } from '../sla/cached-zone.js';

/** A calendar month or quarter in the business zone, as the half-open instant range [start, end). */
export interface ReportPeriod {
  kind: 'monthly' | 'quarterly';
  /** 2026-03 or 2026-Q1 */
  label: string;
  zone: string;
  start: Date;
  end: Date;
  /** Every local calendar day of the period, YYYY-MM-DD, in order. */
  days: string[];
}

/** `2026-03` → the month in `zone`; null when the text is not a month. */
export function monthPeriod(text: string, zone: string): ReportPeriod | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text.trim());
  if (!m) return null;
  const start = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone: cachedZone(zone) });
  return period('monthly', `${m[1]}-${m[2]}`, start, start.plus({ months: 1 }));
}

/** `2026-Q1` (or `2026-q1`) → the quarter in `zone`; null when the text is not a quarter. */
export function quarterPeriod(text: string, zone: string): ReportPeriod | null {
  const m = /^(\d{4})-[Qq]([1-4])$/.exec(text.trim());
  if (!m) return null;
  const quarter = Number(m[2]);
  const start = DateTime.fromObject({ year: Number(m[1]), month: (quarter - 1) * 3 + 1, day: 1 }, { zone: cachedZone(zone) });
  return period('quarterly', `${m[1]}-Q${quarter}`, start, start.plus({ months: 3 }));
}

/** The local calendar day of an instant, YYYY-MM-DD. */
export function localDay(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone: cachedZone(zone) }).toISODate()!;
}

/**
 * `localDay` for many instants of one zone, without a luxon DateTime each: the day is read off the
 * UTC date shifted by the zone's offset (remembered by cachedZone). A report of 125,000 tickets
 * built a DateTime for each ticket's day several times over.
 */
export function localDayOf(zone: string): (at: Date) => string {
  const z = cachedZone(zone);
  // A quarter's tickets fall on some ninety days: each day's text is made once, not per ticket.
  const names = new Map<number, string>();
  return (at) => {
    const ms = at.getTime();
    const day = Math.floor((ms + z.offset(ms) * 60_000) / 86_400_000);
    let name = names.get(day);
    if (name === undefined) {
      name = new Date(day * 86_400_000).toISOString().slice(0, 10);
      names.set(day, name);
    }
    return name;
  };
}

function period(kind: ReportPeriod['kind'], label: string, start: DateTime, end: DateTime): ReportPeriod | null {
  if (!start.isValid) return null;
  // Calendar dates from the first day to the one the period ends on, counted in UTC where every
  // day has 24 hours: a zoned DateTime per day cost about 20 KB of garbage, 600 KB a report.
  const days: string[] = [];
  const last = end.toISODate()!;
  for (let t = Date.parse(`${start.toISODate()!}T00:00:00Z`); ; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (day >= last) break;
    days.push(day);
  }
  return { kind, label, zone: start.zoneName!, start: start.toJSDate(), end: end.toJSDate(), days };
}
