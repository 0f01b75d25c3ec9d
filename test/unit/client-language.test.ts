import { describe, expect, it } from 'vitest';
import { languageAfterMail, languageSetByAgent, type ClientLanguage } from '../../src/tickets/client-language.js';

const turkish: ClientLanguage = { language: 'tr', source: 'detected', pendingLanguage: null, pendingCount: 0 };

/** The stored language after a client's mails, each written in the given language (null: tells nothing). */
function after(written: ('tr' | 'en' | null)[], start: ClientLanguage | null = null, configured: 'tr' | 'en' | null = null) {
  let state = start;
  const seen: string[] = [];
  for (const w of written) {
    state = languageAfterMail(state, w, configured, 'tr').state;
    seen.push(state.language);
  }
  return seen;
}

describe('a client\'s language sticks (issue 23)', () => {
  it('is the detected one on first contact, else the configured one, else the default', () => {
    expect(languageAfterMail(null, 'en', null, 'tr')).toEqual({ state: { language: 'en', source: 'detected', pendingLanguage: null, pendingCount: 0 }, changed: true });
    expect(languageAfterMail(null, 'en', 'tr', 'tr').state).toMatchObject({ language: 'tr', source: 'configured' });
    expect(languageAfterMail(null, null, null, 'en').state).toMatchObject({ language: 'en', source: 'detected' });
  });

  it('moves only after two mails in a row in the other language', () => {
    expect(after(['tr', 'en', 'tr', 'en', 'tr'])).toEqual(['tr', 'tr', 'tr', 'tr', 'tr']);
    expect(after(['tr', 'en', 'en', 'tr', 'en'])).toEqual(['tr', 'tr', 'en', 'en', 'en']);
    expect(after(['tr', 'en', 'en', 'tr', 'tr'])).toEqual(['tr', 'tr', 'en', 'en', 'tr']);
  });

  it('lets a mail that tells nothing neither count nor break the run', () => {
    expect(after(['tr', 'en', null, 'en'])).toEqual(['tr', 'tr', 'tr', 'en']);
    expect(after(['tr', null, null, null])).toEqual(['tr', 'tr', 'tr', 'tr']);
  });

  it('keeps a configured language against one mail, not against two', () => {
    expect(after(['en', 'en', 'en'], null, 'tr')).toEqual(['tr', 'tr', 'en']);
  });

  it('takes an agent\'s #dil whatever came before, and the client can still move away from it by writing twice', () => {
    const pending: ClientLanguage = { ...turkish, pendingLanguage: 'en', pendingCount: 1 };
    const set = languageSetByAgent(pending, 'tr');
    expect(set).toEqual({ state: { language: 'tr', source: 'agent', pendingLanguage: null, pendingCount: 0 }, changed: false });
    // The pending English mail before the agent's word no longer counts.
    expect(after(['en'], set.state)).toEqual(['tr']);
    expect(after(['en', 'en'], set.state)).toEqual(['tr', 'en']);
    expect(languageSetByAgent(turkish, 'en').changed).toBe(true);
  });
});
