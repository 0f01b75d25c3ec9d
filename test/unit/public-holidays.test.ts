import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { computedBayramDates, publicHolidays } from '../../src/policy/public-holidays.js';
import { PUBLISHED_BAYRAM_DATES } from '../../src/policy/turkish-religious-holidays.js';
import { checkHolidays } from '../../src/doctor/check-holidays.js';
import { computeDeadlines, type DeadlineInput } from '../../src/sla/deadlines.js';

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);

function ticket(over: Partial<DeadlineInput>): DeadlineInput {
  return { priority: 'medium', receivedAt: ist('2026-03-13 17:30'), firstResponseAt: null, qualifiedAt: null, resolvedAt: null, pauses: [], ...over };
}

/** Issue 24: Turkish holidays for every year, the Bayrams checked against the published dates. */
describe('public holidays of Turkey', () => {
  it('gives 2026 and 2027 exactly as SLA-POLICY.md lists them', () => {
    expect(publicHolidays('TR', 2026)).toEqual({
      holidays: ['2026-01-01', '2026-03-20', '2026-03-21', '2026-03-22', '2026-04-23', '2026-05-01', '2026-05-19',
        '2026-05-27', '2026-05-28', '2026-05-29', '2026-05-30', '2026-07-15', '2026-08-30', '2026-10-29'],
      halfDays: [{ date: '2026-03-19', until: '13:00' }, { date: '2026-05-26', until: '13:00' }, { date: '2026-10-28', until: '13:00' }],
      religiousSource: 'published',
    });
    const y2027 = publicHolidays('TR', 2027);
    expect(y2027.holidays).toEqual(['2027-01-01', '2027-03-09', '2027-03-10', '2027-03-11', '2027-04-23', '2027-05-01',
      '2027-05-16', '2027-05-17', '2027-05-18', '2027-05-19', '2027-07-15', '2027-08-30', '2027-10-29']);
    expect(y2027.halfDays.map((h) => h.date)).toEqual(['2027-03-08', '2027-05-15', '2027-10-28']);
  });

  it('the library computes the same Bayram dates as published for 2026-2030 (a library update that moves one fails here)', () => {
    const differences = Object.entries(PUBLISHED_BAYRAM_DATES)
      .map(([year, published]) => ({ year, published, computed: computedBayramDates(Number(year)) }))
      .filter((d) => d.computed.ramazan !== d.published.ramazan || d.computed.kurban !== d.published.kurban);
    expect(differences).toEqual([]);
  });

  it('the published table wins over the computation, and an eve that is already a holiday stays a full day', () => {
    // 2029: Kurban Bayramı starts Tue 24 April, so its eve is 23 April, a national holiday.
    const y2029 = publicHolidays('TR', 2029);
    expect(y2029.religiousSource).toBe('published');
    expect(y2029.holidays).toEqual(expect.arrayContaining(['2029-04-23', '2029-04-24', '2029-04-27', '2029-02-14', '2029-02-16']));
    expect(y2029.holidays).not.toContain('2029-04-28');
    expect(y2029.halfDays.map((h) => h.date)).toEqual(['2029-02-13', '2029-10-28']);
    // Beyond the table the library's computation is used, never nothing.
    const y2035 = publicHolidays('TR', 2035);
    expect(y2035.religiousSource).toBe('computed');
    const computed = computedBayramDates(2035);
    expect(y2035.holidays).toEqual(expect.arrayContaining([computed.ramazan, computed.kurban]));
  });

  it('doctor passes for the default calendar in any year', () => {
    expect(checkHolidays(DEFAULT_POLICY.calendars, new Date('2029-12-15T00:00:00Z')).ok).toBe(true);
  });
});

describe('deadlines across the Bayrams of 2028-2030', () => {
  const due = (over: Partial<DeadlineInput>) => computeDeadlines(ticket(over), DEFAULT_POLICY).firstResponse;

  it('Ramazan Bayramı 2028: the eve Fri 25 Feb works until 13:00, Mon 28 Feb is off', () => {
    const d = due({ receivedAt: ist('2028-02-25 12:00') });
    // 60 min on the eve's morning, then the weekend and the Bayram's Monday, 180 min on Tuesday.
    expect(d.due).toEqual(ist('2028-02-29 12:00'));
    expect(d.holidays).toEqual(['2028-02-25', '2028-02-28']);
    expect(d.text).toContain('half day Fri 2028-02-25');
  });

  it('Kurban Bayramı 2028: a high ticket at noon on the eve is due the Tuesday after', () => {
    const d = due({ priority: 'high', receivedAt: ist('2028-05-04 12:00') });
    expect(d.due).toEqual(ist('2028-05-09 10:00'));
    expect(d.holidays).toEqual(['2028-05-04', '2028-05-05', '2028-05-08']);
  });

  it('Ramazan Bayramı 2029: Tuesday eve, Wednesday to Friday off', () => {
    expect(due({ receivedAt: ist('2029-02-13 11:00') }).due).toEqual(ist('2029-02-19 11:00'));
  });

  it('Kurban Bayramı 2029: 23 April and the Bayram make a week off', () => {
    const d = due({ receivedAt: ist('2029-04-20 16:00') });
    expect(d.due).toEqual(ist('2029-04-30 11:00'));
    expect(d.holidays).toEqual(['2029-04-23', '2029-04-24', '2029-04-25', '2029-04-26', '2029-04-27']);
  });

  it('Ramazan Bayramı 2030: Monday to Wednesday off', () => {
    expect(due({ receivedAt: ist('2030-02-01 16:00') }).due).toEqual(ist('2030-02-07 11:00'));
  });

  it('Kurban Bayramı 2030: the Friday eve ends at 13:00, Saturday to Tuesday off', () => {
    const d = due({ receivedAt: ist('2030-04-12 11:00') });
    expect(d.due).toEqual(ist('2030-04-17 11:00'));
    expect(d.holidays).toEqual(['2030-04-12', '2030-04-15', '2030-04-16']);
  });
});

describe('Bayrams at a year boundary', () => {
  it('2033 has two Ramazan Bayramı, both off', () => {
    const y = publicHolidays('TR', 2033).holidays;
    expect(y.filter((d) => d < '2033-01-10').length).toBeGreaterThanOrEqual(2);
    expect(y.filter((d) => d > '2033-12-15').length).toBeGreaterThanOrEqual(2);
  });
});
