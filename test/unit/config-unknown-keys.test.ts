import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';
import { editDistance } from '../../src/config-unknown-keys.js';

function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('unknown config keys', () => {
  it('are errors naming the key and the closest valid one, at any depth', () => {
    const problems = problemsOf({
      ...DEFAULT_CONFIG_INPUT,
      smtpHost: 'mail.example', smpt: { host: 'mail.example' }, http: { prot: 8080 },
      people: [{ address: 'a@x.example', name: 'A', role: 'agent', langauge: 'en' }],
      policy: { calendars: [{ name: 'c', zone: 'Europe/Istanbul', holidyas: [] }] },
      frobnicate: true,
    });
    expect(problems).toEqual([
      'people.0.langauge: unknown key (did you mean people.0.language?)',
      'smtpHost: unknown key (did you mean smtp.host?)',
      'smpt: unknown key (did you mean smtp?)',
      'http.prot: unknown key (did you mean http.port?)',
      'policy.calendars.0.holidyas: unknown key (did you mean policy.calendars.0.holidays?)',
      'frobnicate: unknown key',
    ]);
  });

  it('are reported together with the other problems, and a valid config has none', () => {
    expect(problemsOf({ ...DEFAULT_CONFIG_INPUT, databse: {}, http: { port: 'x' } })).toEqual([
      'databse: unknown key (did you mean database?)',
      'http.port: Invalid input: expected number, received string',
    ]);
    expect(problemsOf(DEFAULT_CONFIG_INPUT)).toEqual([]);
  });

  it('measures typos as people make them: a swap of neighbours is one edit', () => {
    expect(editDistance('smpt', 'smtp')).toBe(1);
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
