import Holidays from 'date-holidays';
import type { HalfDay } from './default-policy.js';
import { KURBAN_DAYS, PUBLISHED_BAYRAM_DATES, RAMAZAN_DAYS } from './turkish-religious-holidays.js';

/**
 * A country's public holidays for any year: full days off, and half days (working hours end at
 * `until`). The only module that imports date-holidays.
 */
export interface YearHolidays {
  holidays: string[];
  halfDays: HalfDay[];
  /** Where the religious dates came from: the published table or the library's computation. */
  religiousSource: 'published' | 'computed' | 'none';
}

/** The half-day rule of Law 2429: the afternoon before Ramazan/Kurban Bayramı and 29 October is off. */
const TR_HALF_DAY_UNTIL = '13:00';
const DAY_MS = 86_400_000;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function span(first: string, days: number): string[] {
  return Array.from({ length: days }, (_, i) => addDays(first, i));
}

const countries = new Map<string, Holidays>();
function holidaysOf(country: string): Holidays {
  let hd = countries.get(country);
  if (!hd) {
    hd = new Holidays();
    // Only days off count: observances and optional days keep offices open.
    hd.init(country, { types: ['public'] });
    countries.set(country, hd);
  }
  return hd;
}

/** Whether date-holidays knows the country (ISO 3166-1 alpha-2, e.g. "TR"). */
export function isSupportedCountry(country: string): boolean {
  return Object.hasOwn(new Holidays().getCountries('en'), country);
}

const HIJRI = /Shawwal|Dhu al-Hijjah/;

/** The library's Turkish religious holidays of a year, for comparison with the published table. */
export function computedBayramDates(year: number): { ramazan: string | null; kurban: string | null } {
  const found = holidaysOf('TR').getHolidays(year).filter((h) => HIJRI.test(h.rule));
  // `date` is the first full day ("2026-03-20 00:00:00 -0600": the Hijri day starts the evening before).
  const first = (rule: string) => found.find((h) => h.rule.includes(rule))?.date.slice(0, 10) ?? null;
  return { ramazan: first('Shawwal'), kurban: first('Dhu al-Hijjah') };
}

/** Each Bayram starting in `year`, with its length: from the published table, else computed (two Ramazan Bayramı fall in 2033). */
function bayramStarts(year: number): { first: string; days: number }[] {
  const published = PUBLISHED_BAYRAM_DATES[year];
  if (published) return [{ first: published.ramazan, days: RAMAZAN_DAYS }, { first: published.kurban, days: KURBAN_DAYS }];
  return holidaysOf('TR').getHolidays(year).filter((h) => HIJRI.test(h.rule))
    .map((h) => ({ first: h.date.slice(0, 10), days: h.rule.includes('Shawwal') ? RAMAZAN_DAYS : KURBAN_DAYS }));
}

function turkey(year: number): YearHolidays {
  const inYear = (date: string) => date.startsWith(`${year}-`);
  const holidays = new Set(holidaysOf('TR').getHolidays(year).filter((h) => !HIJRI.test(h.rule)).map((h) => h.date.slice(0, 10)));
  const halfDays: HalfDay[] = [{ date: `${year}-10-28`, until: TR_HALF_DAY_UNTIL }];
  // A Bayram that starts in late December runs into the next year, and an eve can fall on 31 December.
  for (const { first, days } of [...bayramStarts(year - 1), ...bayramStarts(year), ...bayramStarts(year + 1)]) {
    for (const d of span(first, days)) if (inYear(d)) holidays.add(d);
    const eve = addDays(first, -1);
    if (inYear(eve)) halfDays.push({ date: eve, until: TR_HALF_DAY_UNTIL });
  }
  return {
    holidays: [...holidays].sort(),
    // An eve that is itself a holiday (23 April 2029, the eve of Kurban Bayramı) stays a full day off.
    halfDays: halfDays.filter((h) => !holidays.has(h.date)).sort((a, b) => a.date.localeCompare(b.date)),
    religiousSource: PUBLISHED_BAYRAM_DATES[year] ? 'published' : 'computed',
  };
}

function generic(country: string, year: number): YearHolidays {
  const days = new Set<string>();
  for (const h of holidaysOf(country).getHolidays(year)) {
    // A holiday may last several days: every local date from its start up to (not including) its end.
    const first = h.date.slice(0, 10);
    const length = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
    for (const d of span(first, length)) days.add(d);
  }
  return { holidays: [...days].sort(), halfDays: [], religiousSource: 'none' };
}

const years = new Map<string, YearHolidays>();

/** The public holidays of `country` in `year` (memoised: the calendar asks day by day). */
export function publicHolidays(country: string, year: number): YearHolidays {
  const key = `${country}:${year}`;
  let found = years.get(key);
  if (!found) {
    found = country === 'TR' ? turkey(year) : generic(country, year);
    years.set(key, found);
  }
  return found;
}
