/**
 * Stops sending while the SMTP server is down, so an outage does not burn every mail's attempts
 * or hammer the server: after `failureThreshold` consecutive connection failures it opens; after
 * `cooldownMs` it lets a single probe through (half-open); a success closes it, a failure opens
 * it again. Time is an input.
 */
export interface CircuitBreakerOptions {
  failureThreshold: number; // consecutive connection failures
  cooldownMs: number; // milliseconds before a probe
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;

  constructor(private readonly options: CircuitBreakerOptions) {}

  state(now: Date): BreakerState {
    if (this.openedAt === null) return 'closed';
    return now.getTime() - this.openedAt >= this.options.cooldownMs ? 'half-open' : 'open';
  }

  /** How many mails may be tried now: all (`Infinity`), one probe, or none. */
  allowance(now: Date): number {
    const state = this.state(now);
    return state === 'closed' ? Infinity : state === 'half-open' ? 1 : 0;
  }

  /** When the next probe may run, for rescheduling mails that met the outage. */
  reopensAt(now: Date): Date {
    return new Date((this.openedAt ?? now.getTime()) + this.options.cooldownMs);
  }

  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = null;
  }

  recordConnectionFailure(now: Date): void {
    this.failures++;
    if (this.openedAt !== null || this.failures >= this.options.failureThreshold) this.openedAt = now.getTime();
  }
}
