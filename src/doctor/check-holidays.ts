import type { CalendarRule } from '../policy/default-policy.js';
import { LAST_PUBLISHED_YEAR } from '../policy/turkish-religious-holidays.js';
import type { DoctorCheck } from './doctor-check.js';

/** How far ahead every working calendar must list its holidays. */
export const HOLIDAY_NOTICE_DAYS = 60; // days

/**
 * Holidays are listed by date, year by year (Turkey's religious holidays move every year), so a
 * list runs out: from the first day of a year it does not cover, the SLA clocks count that year's
 * holidays as working days and nothing else says so. This fails while the notice period still
 * leaves time to add them. A calendar that lists no holiday at all is taken as meant that way.
 * A calendar that takes a country's public holidays (`publicHolidays`) has them for every year;
 * for Turkey past the last year of the published Bayram table the detail says the dates are computed.
 */
export function checkHolidays(calendars: readonly CalendarRule[], now: Date): DoctorCheck {
  const horizon = new Date(now.getTime() + HOLIDAY_NOTICE_DAYS * 86_400_000);
  const years = [now.getUTCFullYear(), horizon.getUTCFullYear()].filter((y, i, all) => all.indexOf(y) === i);
  const gaps: string[] = [];
  const covered: string[] = [];
  for (const calendar of calendars) {
    if (calendar.always) continue;
    if (calendar.publicHolidays !== undefined) {
      const computed = calendar.publicHolidays === 'TR' ? years.filter((y) => y > LAST_PUBLISHED_YEAR) : [];
      covered.push(`${calendar.name} every year (${calendar.publicHolidays} public holidays`
        + (calendar.publicHolidays === 'TR' ? `, Bayram dates as published up to ${LAST_PUBLISHED_YEAR}` : '')
        + (computed.length > 0 ? `; ${computed.join(' and ')} computed, not yet checked against the published dates: add them to src/policy/turkish-religious-holidays.ts` : '')
        + ')');
      continue;
    }
    if (calendar.holidays.length === 0) continue;
    const listed = new Set(calendar.holidays.map((d) => Number(d.slice(0, 4))));
    const missing = years.filter((y) => !listed.has(y));
    const last = Math.max(...listed);
    if (missing.length > 0) {
      gaps.push(`calendar ${calendar.name} lists holidays up to ${last}, none for ${missing.join(' and ')}: `
        + `add them to policy.calendars (until then the SLA clocks count those days as working days)`);
    } else {
      covered.push(`${calendar.name} up to ${last}`);
    }
  }
  if (gaps.length > 0) return { name: 'holidays', ok: false, detail: gaps.join('\n') };
  return {
    name: 'holidays', ok: true,
    detail: covered.length > 0 ? `listed for the next ${HOLIDAY_NOTICE_DAYS} days and beyond (${covered.join(', ')})` : 'no calendar lists holidays',
  };
}
