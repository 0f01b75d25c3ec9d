/**
 * The first day of Ramazan Bayramı and of Kurban Bayramı as officially published for Turkey.
 *
 * Source: the Presidency of Religious Affairs (Diyanet İşleri Başkanlığı), "Dini Günler" tables,
 * which fix the religious holidays years ahead by its own (2016 Istanbul congress) moon-sighting
 * criteria; 2026 and 2027 are also the dates of shared/design/SLA-POLICY.md. Entered by hand from
 * those tables as known when written (December 2026, with no online copy at hand): check a new year
 * against the published table before relying on it, and add it here.
 *
 * Why a table beside date-holidays: the library computes the Hijri calendar, and a computed date
 * may be one day off the published one (moon-sighting rules differ). Where a year is listed here,
 * this table wins; test/unit/public-holidays.test.ts says where the library differs from it.
 *
 * Law 2429 (Ulusal Bayram ve Genel Tatiller): Ramazan Bayramı lasts 3 days, Kurban Bayramı 4, and
 * the eve (arife) of each is off from 13:00, i.e. a half day.
 */
export interface BayramDates {
  /** First day of Ramazan Bayramı (1 Shawwal), YYYY-MM-DD. */
  ramazan: string;
  /** First day of Kurban Bayramı (10 Dhu al-Hijjah), YYYY-MM-DD. */
  kurban: string;
}

export const PUBLISHED_BAYRAM_DATES: Readonly<Record<number, BayramDates>> = {
  2026: { ramazan: '2026-03-20', kurban: '2026-05-27' },
  2027: { ramazan: '2027-03-09', kurban: '2027-05-16' },
  2028: { ramazan: '2028-02-26', kurban: '2028-05-05' },
  2029: { ramazan: '2029-02-14', kurban: '2029-04-24' },
  2030: { ramazan: '2030-02-04', kurban: '2030-04-13' },
};

/** Days of each Bayram (Law 2429). */
export const RAMAZAN_DAYS = 3;
export const KURBAN_DAYS = 4;

/** The last year whose religious holidays were checked against the published table. */
export const LAST_PUBLISHED_YEAR = Math.max(...Object.keys(PUBLISHED_BAYRAM_DATES).map(Number));
