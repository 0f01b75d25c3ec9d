import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';

describe('time zones in the configuration', () => {
  it('refuses a misspelt zone with the path to it, instead of failing every mail later', () => {
    const base = DEFAULT_CONFIG_INPUT;
    expect(() => parseConfig({ ...base, zone: 'Europe/Istanbull' })).toThrow(/zone: not a known IANA time zone/);
    expect(() => parseConfig({ ...base, people: [{ address: 'a@b.example', name: 'A', role: 'manager', zone: 'Mars/Olympus' }] }))
      .toThrow(/people\.0\.zone: not a known IANA time zone/);
    expect(() => parseConfig({ ...base, policy: { calendars: [{ name: 'x', zone: 'Nowhere' }] } }))
      .toThrow(/policy\.calendars\.0\.zone: not a known IANA time zone/);
    expect(parseConfig({ ...base, zone: 'America/New_York' }).zone).toBe('America/New_York');
  });
});
