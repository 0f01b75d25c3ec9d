import { describe, expect, it } from 'vitest';
import { createCrashPoint } from '../../src/crash-points.js';

describe('crash points', () => {
  it('kills only at the configured point', () => {
    const killed: string[] = [];
    const crash = createCrashPoint('after-staging', () => killed.push('killed'));
    crash('after-fetch');
    expect(killed).toEqual([]);
    crash('after-staging');
    expect(killed).toEqual(['killed']);
  });

  it('does nothing when no point is configured', () => {
    const crash = createCrashPoint(undefined, () => { throw new Error('must not kill'); });
    expect(() => crash('before-checkpoint')).not.toThrow();
  });

  it('refuses a misspelt point rather than silently never firing', () => {
    expect(() => createCrashPoint('after-stagin')).toThrow(/not one of/);
  });
});
