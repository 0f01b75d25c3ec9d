import { describe, expect, it } from 'vitest';
import { checkHolidays } from '../../src/doctor/check-holidays.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';

/** A holiday list runs out at a year's end; doctor says so while there is still time to add the next year's. */
describe('doctor: holidays listed far enough ahead', () => {
  const business = (holidays: string[]) => ({ name: 'business', zone: 'Europe/Istanbul', always: false, hours: {}, holidays, halfDays: [] });

  // Issue 24: the default calendar takes Turkey's holidays for every year, so it never runs out;
  // past the published Bayram table the detail says the religious dates are computed.
  it('passes with the default calendars in any year, and says where the dates come from', () => {
    const check = checkHolidays(DEFAULT_POLICY.calendars, new Date('2026-11-25T12:00:00Z'));
    expect(check).toMatchObject({ name: 'holidays', ok: true });
    expect(check.detail).toContain('business every year (TR public holidays, Bayram dates as published up to 2030)');
    const later = checkHolidays(DEFAULT_POLICY.calendars, new Date('2030-12-01T12:00:00Z'));
    expect(later.ok).toBe(true);
    expect(later.detail).toContain('2031 computed, not yet checked against the published dates');
  });

  it('fails within 60 days of a year the list does not cover, naming the calendar and the year', () => {
    const listed = [business(['2026-01-01', '2027-01-01'])];
    expect(checkHolidays(listed, new Date('2027-10-31T12:00:00Z')).ok).toBe(true);
    const check = checkHolidays(listed, new Date('2027-11-05T12:00:00Z'));
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/calendar business lists holidays up to 2027, none for 2028/);
  });

  it('fails when even this year is missing, and leaves alone a calendar that lists none or counts every minute', () => {
    expect(checkHolidays([business(['2025-01-01'])], new Date('2026-03-01T00:00:00Z')).detail).toMatch(/none for 2026/);
    expect(checkHolidays([business([]), { ...business(['2020-01-01']), always: true }], new Date('2026-03-01T00:00:00Z')))
      .toMatchObject({ ok: true, detail: 'no calendar lists holidays' });
  });
});
