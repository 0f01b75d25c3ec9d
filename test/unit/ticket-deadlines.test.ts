import { describe, expect, it } from 'vitest';
import { parseTicketLookup } from '../../src/cli/show-ticket.js';
import { deadlinesOf, isBreached, nextDeadline, type TicketClockRow } from '../../src/tickets/ticket-deadlines.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';

// Critical runs 24/7: one hour to first response, seven to resolution.
const RECEIVED = new Date('2026-03-16T07:00:00Z');
const at = (minutes: number) => new Date(RECEIVED.getTime() + minutes * 60_000);
const row = (o: Partial<TicketClockRow> = {}): TicketClockRow => ({
  priority: 'critical', receivedAt: RECEIVED, firstResponseAt: null, qualifiedAt: null, resolvedAt: null, closedAt: null,
  status: 'new', breachedAt: null, firstResponseExtraMinutes: 0, resolutionExtraMinutes: 0, ...o,
});
const check = (r: TicketClockRow, now: Date) => {
  const d = deadlinesOf(r, [], DEFAULT_POLICY);
  return { next: nextDeadline(r, d), breached: isBreached(r, d, now) };
};

describe('a ticket\'s next deadline and breach', () => {
  it.each([
    { what: 'new, inside the first hour', r: row(), now: at(30), next: { clock: 'first-response', due: at(60) }, breached: false },
    { what: 'new, past the first hour', r: row(), now: at(61), next: { clock: 'first-response', due: at(60) }, breached: true },
    { what: 'answered late', r: row({ firstResponseAt: at(90), status: 'open' }), now: at(100), next: { clock: 'qualification', due: at(150) }, breached: true },
    { what: 'qualified on time, resolution running', r: row({ firstResponseAt: at(10), qualifiedAt: at(20), status: 'open' }), now: at(30), next: { clock: 'resolution', due: at(440) }, breached: false },
    { what: 'resolved: nothing runs', r: row({ firstResponseAt: at(10), qualifiedAt: at(20), resolvedAt: at(30), status: 'resolved' }), now: at(10_000), next: null, breached: false },
    { what: 'closed unanswered in time: the clock stopped at closing', r: row({ status: 'closed', closedAt: at(30) }), now: at(10_000), next: null, breached: false },
    { what: 'a breach the sweeper recorded stays', r: row({ firstResponseAt: at(10), breachedAt: at(5) }), now: at(11), next: { clock: 'qualification', due: at(70) }, breached: true },
  ])('$what', ({ r, now, next, breached }) => {
    expect(check(r, now)).toEqual({ next, breached });
  });
});

describe('what `slagate ticket show` takes as a reference', () => {
  it.each([
    ['SR-1042', { kind: 'number', number: 'SR-1042' }],
    ['sr-1042', { kind: 'number', number: 'SR-1042' }],
    ['#SR-1042', { kind: 'number', number: 'SR-1042' }],
    ['1042', { kind: 'number', number: 'SR-1042' }],
    ['<abc@client.example>', { kind: 'message-id', messageId: '<abc@client.example>' }],
    ['abc@client.example', { kind: 'message-id', messageId: '<abc@client.example>' }],
  ])('%s', (ref, expected) => {
    expect(parseTicketLookup(ref, 'SR')).toEqual(expected);
  });
});
