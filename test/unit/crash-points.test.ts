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

describe('crash points with a pass count', () => {
  it('kills at the Nth pass through the point, not before', () => {
    const killed: number[] = [];
    let pass = 0;
    const crash = createCrashPoint('after-outbox-claim:3', () => killed.push(pass));
    for (pass = 1; pass <= 5; pass++) {
      crash('after-smtp-250');
      crash('after-outbox-claim');
    }
    expect(killed).toEqual([3]);
  });

  it.each(['after-staging:0', 'after-staging:x', 'after-staging:1:2', 'after-staging:-1'])('refuses %s', (value) => {
    expect(() => createCrashPoint(value)).toThrow(/not one of/);
  });
});
