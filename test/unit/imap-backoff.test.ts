import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/imap/backoff.js';

describe('IMAP reconnect backoff', () => {
  const opts = { initialMs: 1000, maxMs: 300_000 };

  it('doubles the ceiling per attempt up to the maximum', () => {
    const top = (attempt: number) => backoffDelay(attempt, opts, () => 1);
    expect([0, 1, 2, 3, 8, 9, 50].map(top)).toEqual([1000, 2000, 4000, 8000, 256_000, 300_000, 300_000]);
  });

  it('always waits between half the ceiling and the ceiling, never zero', () => {
    fc.assert(fc.property(fc.nat(100), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
      const d = backoffDelay(attempt, opts, () => r);
      return d >= ceiling / 2 && d <= ceiling && d > 0;
    }));
  });
});
