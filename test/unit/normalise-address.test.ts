import { describe, expect, it } from 'vitest';
import { domainOfNormalised, normaliseAddress } from '../../src/inbound/normalise-address.js';

describe('normaliseAddress (what the acknowledgement caps count by)', () => {
  it('folds ASCII case and drops the plus-tag', () => {
    expect(normaliseAddress('Victim+7@Victim.Example')).toBe('victim@victim.example');
    expect(normaliseAddress('victim+a+b@victim.example')).toBe('victim@victim.example');
    expect(normaliseAddress('victim@victim.example')).toBe('victim@victim.example');
  });
  it('leaves non-ASCII letters as written (no locale folding of İ) and keeps a tag-only local part', () => {
    expect(normaliseAddress('İlker@Örnek.example')).toBe('İlker@Örnek.example');
    expect(normaliseAddress('+only@x.example')).toBe('+only@x.example');
  });
  it('gives the domain of a normalised address', () => {
    expect(domainOfNormalised(normaliseAddress('A+b@Flood.Example'))).toBe('flood.example');
    expect(domainOfNormalised('nodomain')).toBe('');
  });
});
