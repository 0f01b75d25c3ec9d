import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storedSlaOf } from '../../src/tickets/stored-sla.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { PRIORITIES, TICKET_STATUSES } from '../../src/policy/priorities.js';
import { planSlaEvents, type SlaState } from '../../src/sla/escalation-plan.js';

const HOUR = 3_600_000;
const from = Date.UTC(2026, 0, 1);
const instant = fc.integer({ min: from, max: from + 365 * 24 * HOUR }).map((t) => new Date(t));
const after = (start: Date, maxHours: number) => fc.integer({ min: 0, max: maxHours * HOUR }).map((d) => new Date(start.getTime() + d));

/** A ticket's clock inputs, with some of its steps already fired (as the sweeper leaves them). */
const ticketState = instant.chain((receivedAt) => fc.record({
  priority: fc.constantFrom(...PRIORITIES),
  status: fc.constantFrom(...TICKET_STATUSES),
  assignee: fc.constantFrom(null, 'agent@sanarise.example'),
  receivedAt: fc.constant(receivedAt),
  firstResponseAt: fc.option(after(receivedAt, 72), { nil: null }),
  qualifiedAt: fc.option(after(receivedAt, 96), { nil: null }),
  resolvedAt: fc.option(after(receivedAt, 240), { nil: null }),
  pauses: fc.array(after(receivedAt, 120).chain((start) => fc.record({
    start: fc.constant(start), end: fc.option(after(start, 48), { nil: null }),
  })), { maxLength: 2 }),
  firedAt: after(receivedAt, 200),
  fired: fc.nat({ max: 6 }),
})).map(({ firedAt, fired, ...s }): SlaState => {
  const state = { ...s, firedKeys: new Set<string>() };
  return { ...state, firedKeys: new Set(planSlaEvents(state, DEFAULT_POLICY, firedAt).due.slice(0, fired).map((e) => e.key)) };
});

describe('storedSlaOf', () => {
  // A client reply that changes no clock input skips the recompute (apply-client-reply.ts): that
  // is only right if what is stored never depends on when it is computed.
  it('stores the same deadlines and next look whenever it is computed, for the same clock inputs', () => {
    fc.assert(fc.property(ticketState, instant, instant, (state, t1, t2) => {
      expect(storedSlaOf(state, DEFAULT_POLICY, t1)).toEqual(storedSlaOf(state, DEFAULT_POLICY, t2));
    }), { numRuns: 2_000 });
  });
});
