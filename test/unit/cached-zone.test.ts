import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { cachedZone } from '../../src/sla/cached-zone.js';

/** Remembered offsets must be the zone's own, minute for minute, most of all next to a transition. */
describe('a time zone with remembered offsets', () => {
  // Lord Howe moves by 30 minutes, Chatham keeps a 45-minute offset, Istanbul and Sao Paulo
  // changed their rules within the range, Kathmandu changed its offset once.
  const names = ['Europe/Istanbul', 'Europe/Berlin', 'America/New_York', 'America/Sao_Paulo', 'Australia/Lord_Howe',
    'Pacific/Chatham', 'Asia/Kathmandu', 'UTC'];

  it('answers every instant as luxon does, minute by minute across DST transitions', () => {
    for (const name of names) {
      const zone = cachedZone(name);
      const plain = IANAZone.create(name);
      // Two hours either side of each transition of 2016 (Istanbul's last) and 2026.
      for (const year of [2016, 2026]) {
        const start = Date.UTC(year, 0, 1);
        const end = Date.UTC(year + 1, 0, 1);
        for (let ts = start; ts < end; ts += 3_600_000) {
          if (plain.offset(ts) === plain.offset(ts + 3_600_000)) continue;
          for (let t = ts - 2 * 3_600_000; t < ts + 4 * 3_600_000; t += 60_000) {
            expect(zone.offset(t), `${name} ${new Date(t).toISOString()}`).toBe(plain.offset(t));
          }
        }
      }
    }
  });

  it('answers any instant from 1970 to 2100 as luxon does, and formats the same local time', () => {
    fc.assert(fc.property(
      fc.constantFrom(...names), fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
      (name, ts) => {
        expect(cachedZone(name).offset(ts)).toBe(IANAZone.create(name).offset(ts));
        const viaCache = DateTime.fromMillis(ts, { zone: cachedZone(name) }).setLocale('tr');
        const viaName = DateTime.fromMillis(ts, { zone: name }).setLocale('tr');
        expect(viaCache.toFormat('cccc d LLLL yyyy HH:mm ZZ')).toBe(viaName.toFormat('cccc d LLLL yyyy HH:mm ZZ'));
        expect(viaCache.startOf('day').toMillis()).toBe(viaName.startOf('day').toMillis());
      },
    ), { numRuns: 2000 });
  });

  it('leaves a name that is no zone invalid, as luxon does', () => {
    expect(cachedZone('Europe/Istanbull').isValid).toBe(false);
    expect(DateTime.fromMillis(0, { zone: cachedZone('Europe/Istanbull') }).isValid).toBe(false);
  });
});
