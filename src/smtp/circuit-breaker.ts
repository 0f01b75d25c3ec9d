/**
 * Stops sending while the SMTP server is down, so an outage does not burn every mail's attempts
 * or hammer the server: after `failureThreshold` consecutive connection failures it opens; after
 * a cool-down it lets a single probe through (half-open); a success closes it, a failed probe
 * opens it again for twice as long (up to `maxCooldownMs`). Time is an input.
 */
export interface CircuitBreakerOptions {
  failureThreshold: number; // consecutive connection failures
  cooldownMs: number; // milliseconds before the first probe
  maxCooldownMs?: number; // milliseconds; the cool-down doubles after each failed probe up to this
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private cooldown: number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.cooldown = options.cooldownMs;
  }

  state(now: Date): BreakerState {
    if (this.openedAt === null) return 'closed';
    return now.getTime() - this.openedAt >= this.cooldown ? 'half-open' : 'open';
  }

  /** How many mails may be tried now: all (`Infinity`), one probe, or none. */
  allowance(now: Date): number {
    const state = this.state(now);
    return state === 'closed' ? Infinity : state === 'half-open' ? 1 : 0;
  }

  /** When the next probe may run, for rescheduling mails that met the outage. */
  reopensAt(now: Date): Date {
    return new Date((this.openedAt ?? now.getTime()) + this.cooldown);
  }

  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = null;
    this.cooldown = this.options.cooldownMs;
  }

  recordConnectionFailure(now: Date): void {
    this.failures++;
    if (this.state(now) === 'half-open') {
      this.cooldown = Math.min(this.cooldown * 2, this.options.maxCooldownMs ?? this.cooldown * 2);
      this.openedAt = now.getTime();
    } else if (this.openedAt === null && this.failures >= this.options.failureThreshold) {
      this.openedAt = now.getTime();
    }
  }
}
