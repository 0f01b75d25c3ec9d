import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type CalendarRule } from '../../src/policy/default-policy.js';
import { buildCalendar, calendarFor } from '../../src/sla/calendar.js';
import { addWorkingTime, isWorkingTime, nextOpening, workingTimeBetween } from '../../src/sla/working-time.js';

const business = calendarFor('medium', DEFAULT_POLICY);
const always = calendarFor('critical', DEFAULT_POLICY);
/** A wall time in Istanbul (+03:00 all year). */
const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);

describe('addWorkingTime on the business calendar (Europe/Istanbul, Mon-Fri 09:00-18:00)', () => {
  it.each([
    ['Friday 17:30 medium first response lands Monday 12:30', '2026-03-13 17:30', 240, '2026-03-16 12:30'],
    ['a target ending exactly at 18:00 is due at 18:00', '2026-03-16 14:00', 240, '2026-03-16 18:00'],
    ['a start at 18:00 counts from the next morning', '2026-03-16 18:00', 60, '2026-03-17 10:00'],
    ['a start at 09:00 counts at once', '2026-03-16 09:00', 60, '2026-03-16 10:00'],
    ['a start before opening counts from 09:00', '2026-03-16 06:15', 30, '2026-03-16 09:30'],
    ['a Saturday start counts from Monday', '2026-03-14 10:00', 120, '2026-03-16 11:00'],
    ['Ramazan Bayramı 2026: half day 19 Mar, 20-22 Mar off', '2026-03-19 12:00', 240, '2026-03-23 12:00'],
    ['the half day of 19 Mar 2026 is worked in the morning', '2026-03-18 17:00', 120, '2026-03-19 10:00'],
    ['after 13:00 on a half day the next opening is after the Bayram', '2026-03-19 13:00', 60, '2026-03-23 10:00'],
    ['28 Oct half day and 29 Oct holiday', '2026-10-28 11:00', 240, '2026-10-30 11:00'],
    ['year end: 31 Dec to 2 Jan over the 1 Jan holiday', '2025-12-31 17:00', 240, '2026-01-02 12:00'],
    ['year end 2026: 1 Jan 2027 is a Friday, then the weekend', '2026-12-31 16:00', 240, '2027-01-04 11:00'],
    ['Kurban Bayramı 2026: half day 26 May, 27-30 May off', '2026-05-26 10:00', 480, '2026-06-01 14:00'],
    ['Ramazan Bayramı 2027: half day 8 Mar, 9-11 Mar off', '2027-03-08 12:00', 120, '2027-03-12 10:00'],
    ['Kurban Bayramı 2027: eve on a Saturday, 16-19 May off', '2027-05-14 17:00', 120, '2027-05-20 10:00'],
    ['23 April 2026 is a holiday', '2026-04-22 17:00', 120, '2026-04-24 10:00'],
    ['72 working hours span more than a fortnight', '2026-03-02 09:00', 72 * 60, '2026-03-11 18:00'],
  ])('%s', (_name, start, minutes, due) => {
    expect(addWorkingTime(ist(start), minutes, business)).toEqual(ist(due));
  });
});

describe('addWorkingTime on the 24/7 calendar', () => {
  it.each([
    ['critical first response across midnight', '2026-03-16 23:30', 60, '2026-03-17 00:30'],
    ['a holiday night counts like any other', '2026-03-21 23:30', 420, '2026-03-22 06:30'],
    ['a weekend counts', '2026-03-14 10:00', 60, '2026-03-14 11:00'],
  ])('%s', (_name, start, minutes, due) => {
    expect(addWorkingTime(ist(start), minutes, always)).toEqual(ist(due));
  });
});

describe('workingTimeBetween', () => {
  it.each([
    ['Friday 17:30 to Monday 12:30', '2026-03-13 17:30', '2026-03-16 12:30', 240],
    ['a half day counts four hours', '2026-03-19 00:00', '2026-03-23 09:00', 240],
    ['a weekend counts nothing', '2026-03-14 00:00', '2026-03-16 09:00', 0],
    ['reversed spans are zero', '2026-03-16 12:00', '2026-03-16 10:00', 0],
    ['seconds count as fractions', '2026-03-16 09:00', '2026-03-16 09:00:30', 0.5],
  ])('%s', (_name, a, b, minutes) => {
    const at = (s: string) => (s.length > 16 ? new Date(`${s.replace(' ', 'T')}+03:00`) : ist(s));
    expect(workingTimeBetween(at(a), at(b), business)).toBe(minutes);
  });
});

describe('nextOpening and isWorkingTime', () => {
  it('opening hours are [09:00, 18:00)', () => {
    expect(isWorkingTime(ist('2026-03-16 09:00'), business)).toBe(true);
    expect(isWorkingTime(ist('2026-03-16 17:59'), business)).toBe(true);
    expect(isWorkingTime(ist('2026-03-16 18:00'), business)).toBe(false);
    expect(isWorkingTime(ist('2026-03-20 10:00'), business)).toBe(false); // Bayram
  });
  it('the next opening of a Friday evening is Monday 09:00; inside hours it is now', () => {
    expect(nextOpening(ist('2026-03-13 18:00'), business)).toEqual(ist('2026-03-16 09:00'));
    expect(nextOpening(ist('2026-03-16 11:11'), business)).toEqual(ist('2026-03-16 11:11'));
    expect(nextOpening(ist('2026-03-16 03:00'), always)).toEqual(ist('2026-03-16 03:00'));
  });
});

describe('zones with daylight saving time', () => {
  const berlin: CalendarRule = {
    name: 'berlin', zone: 'Europe/Berlin', always: false, holidays: [], halfDays: [],
    hours: { 1: { open: '09:00', close: '18:00' }, 5: { open: '09:00', close: '18:00' } },
  };
  const cal = buildCalendar(berlin);
  // Working hours that straddle the 02:00 -> 03:00 jump.
  const nightShift = buildCalendar({ ...berlin, name: 'night', hours: { 7: { open: '01:00', close: '05:00' } } });

  it('opens at local 09:00 on both sides of the spring change', () => {
    // Fri 27 Mar 2026 is +01:00, Mon 30 Mar is +02:00.
    expect(addWorkingTime(new Date('2026-03-27T17:00:00+01:00'), 120, cal)).toEqual(new Date('2026-03-30T10:00:00+02:00'));
  });
  it('a working day that contains the change is an hour shorter', () => {
    // Sun 29 Mar 2026: 01:00 (+01:00) to 05:00 (+02:00) is three real hours.
    expect(workingTimeBetween(new Date('2026-03-29T00:00:00Z'), new Date('2026-03-29T12:00:00Z'), nightShift)).toBe(180);
  });
  it('24/7 counts elapsed minutes, not wall-clock readings, across the change', () => {
    const cal247 = buildCalendar({ ...berlin, name: 'b247', always: true, hours: {} });
    expect(addWorkingTime(new Date('2026-03-29T01:30:00+01:00'), 60, cal247)).toEqual(new Date('2026-03-29T03:30:00+02:00'));
  });
});

describe('properties', () => {
  const instant = fc.integer({ min: Date.parse('2025-12-01T00:00:00Z'), max: Date.parse('2027-12-01T00:00:00Z') }).map((ms) => new Date(ms));
  const minutes = fc.integer({ min: 1, max: 6000 });
  const calendars = fc.constantFrom(business, always);

  it('the working time up to addWorkingTime(s, m) is m', () => {
    fc.assert(fc.property(instant, minutes, calendars, (s, m, cal) => {
      expect(workingTimeBetween(s, addWorkingTime(s, m, cal), cal)).toBeCloseTo(m, 6);
    }));
  });
  it('is monotonic in the start and in the minutes', () => {
    fc.assert(fc.property(instant, instant, minutes, minutes, calendars, (a, b, m1, m2, cal) => {
      const [s1, s2] = a <= b ? [a, b] : [b, a];
      const [lo, hi] = m1 <= m2 ? [m1, m2] : [m2, m1];
      expect(addWorkingTime(s1, lo, cal).getTime()).toBeLessThanOrEqual(addWorkingTime(s2, lo, cal).getTime());
      expect(addWorkingTime(s1, lo, cal).getTime()).toBeLessThanOrEqual(addWorkingTime(s1, hi, cal).getTime());
    }));
  });
  it('lands in working time or exactly at the end of a working interval', () => {
    fc.assert(fc.property(instant, minutes, (s, m) => {
      const due = addWorkingTime(s, m, business);
      const atClose = !isWorkingTime(due, business) && isWorkingTime(new Date(due.getTime() - 1), business);
      expect(isWorkingTime(due, business) || atClose).toBe(true);
    }));
  });
  it('the next opening is working time with no working time before it', () => {
    fc.assert(fc.property(instant, (t) => {
      const open = nextOpening(t, business);
      expect(isWorkingTime(open, business)).toBe(true);
      expect(workingTimeBetween(t, open, business)).toBe(0);
    }));
  });
});

describe('speed', () => {
  it('walks a 72-hour target by days, not minutes', () => {
    const start = ist('2026-03-02 10:00');
    addWorkingTime(start, 72 * 60, business); // warm the day cache
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) addWorkingTime(new Date(start.getTime() + i * 60_000), 72 * 60, business);
    const perCallMicros = ((performance.now() - t0) * 1000) / 10_000;
    // About 15 days walked per call; minute-by-minute would be thousands of steps (milliseconds).
    expect(perCallMicros).toBeLessThan(200);
  });
});
