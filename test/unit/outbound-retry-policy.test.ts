import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/smtp/circuit-breaker.js';
import { classifySmtpError } from '../../src/smtp/classify-smtp-error.js';
import { retryDelayMs } from '../../src/smtp/retry-backoff.js';

const at = (s: number) => new Date(Date.UTC(2026, 2, 16, 9, 0, s));

describe('retryDelayMs', () => {
  it('doubles from the initial delay, stays under the cap, and jitters within the upper half', () => {
    expect(retryDelayMs(1, { initialMs: 1000, maxMs: 60_000 }, () => 1)).toBe(1000);
    expect(retryDelayMs(3, { initialMs: 1000, maxMs: 60_000 }, () => 1)).toBe(4000);
    expect(retryDelayMs(30, { initialMs: 1000, maxMs: 60_000 }, () => 1)).toBe(60_000);
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
      const full = retryDelayMs(attempt, { initialMs: 500, maxMs: 3_600_000 }, () => 1);
      const d = retryDelayMs(attempt, { initialMs: 500, maxMs: 3_600_000 }, () => r);
      expect(d).toBeGreaterThanOrEqual(Math.floor(full / 2));
      expect(d).toBeLessThanOrEqual(full);
    }));
  });
});

describe('CircuitBreaker', () => {
  it('opens after consecutive connection failures, probes once after the cool-down, and closes on success', () => {
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 10_000, maxCooldownMs: 30_000 });
    b.recordConnectionFailure(at(0));
    b.recordConnectionFailure(at(1));
    expect(b.allowance(at(1))).toBe(Infinity);
    b.recordConnectionFailure(at(2));
    expect(b.state(at(2))).toBe('open');
    expect(b.allowance(at(11))).toBe(0);
    expect(b.allowance(at(12))).toBe(1);
    b.recordConnectionFailure(at(12)); // failed probe: twice as long
    expect(b.state(at(31))).toBe('open');
    expect(b.state(at(32))).toBe('half-open');
    b.recordSuccess();
    expect(b.state(at(32))).toBe('closed');
  });

  it('does not open on failures separated by a success', () => {
    const b = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000 });
    b.recordConnectionFailure(at(0));
    b.recordSuccess();
    b.recordConnectionFailure(at(1));
    expect(b.state(at(1))).toBe('closed');
  });
});

describe('classifySmtpError', () => {
  it.each([
    [{ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }, 'SMTP_CONNECTION', true],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, 'SMTP_CONNECTION', true],
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 421, response: '421 busy' }, 'SMTP_CONNECTION', true],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 451, response: '451 try later' }, 'SMTP_TEMPORARY', true],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 554, response: '554 spam' }, 'SMTP_PERMANENT', false],
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 no such user' }, 'SMTP_PERMANENT', false],
  ])('%o → %s', (err, code, retryable) => {
    const e = classifySmtpError(Object.assign(new Error('x'), err));
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(e.cause).toBeDefined();
  });
});
