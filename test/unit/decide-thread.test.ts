import { describe, expect, it } from 'vitest';
import { decideThread, type ThreadInput, type TicketThreadRef } from '../../src/inbound/decide-thread.js';

const now = new Date('2026-03-20T12:00:00Z');
const DAY = 86_400_000;

let nextId = 1;
function ticket(overrides: Partial<TicketThreadRef> = {}): TicketThreadRef {
  const id = nextId++;
  return { id, number: `SR-${1000 + id}`, mailbox: 'support', private: false, status: 'open', closedAt: null, resolvedAt: null, ...overrides };
}

function input(overrides: Partial<ThreadInput>): ThreadInput {
  return { privateMail: false, mailbox: 'support', token: null, inReplyTo: null, references: [], now, reopenWindowDays: 14, ...overrides };
}

describe('decideThread: order of candidates', () => {
  it('opens a new ticket when nothing points anywhere', () => {
    expect(decideThread(input({}))).toEqual({ kind: 'new', ignored: [] });
  });

  it('prefers the subject token over In-Reply-To and References', () => {
    const byToken = ticket();
    const decision = decideThread(input({ token: byToken, inReplyTo: ticket(), references: [ticket()] }));
    expect(decision).toEqual({ kind: 'reply', ticket: byToken, via: 'token', ignored: [] });
  });

  it('uses In-Reply-To when there is no token', () => {
    const t = ticket();
    expect(decideThread(input({ inReplyTo: t, references: [ticket()] }))).toMatchObject({ kind: 'reply', ticket: t, via: 'in-reply-to' });
  });

  it('uses the most recent reference when nothing else matched', () => {
    const recent = ticket();
    expect(decideThread(input({ references: [recent, ticket()] }))).toMatchObject({ kind: 'reply', ticket: recent, via: 'references' });
  });

  it('replies to waiting and new tickets as to open ones', () => {
    expect(decideThread(input({ token: ticket({ status: 'waiting' }) })).kind).toBe('reply');
    expect(decideThread(input({ token: ticket({ status: 'new' }) })).kind).toBe('reply');
  });
});

describe('decideThread: private and team tickets are never joined', () => {
  it('refuses a private ticket for team mail even when the token names it, and falls through', () => {
    const complaint = ticket({ private: true, mailbox: 'management' });
    const team = ticket();
    const decision = decideThread(input({ token: complaint, inReplyTo: team }));
    expect(decision).toEqual({
      kind: 'reply', ticket: team, via: 'in-reply-to',
      ignored: [{ number: complaint.number, why: 'private ticket is never joined by team mail' }],
    });
  });

  it('refuses a team ticket for private mail, whatever the headers say', () => {
    const team = ticket();
    const decision = decideThread(input({ privateMail: true, mailbox: 'management', token: team, inReplyTo: team, references: [team] }));
    expect(decision).toEqual({ kind: 'new', ignored: [{ number: team.number, why: 'team ticket is never joined by private mail' }] });
  });

  it('joins a private ticket for private mail', () => {
    const complaint = ticket({ private: true, mailbox: 'management' });
    expect(decideThread(input({ privateMail: true, mailbox: 'management', inReplyTo: complaint }))).toMatchObject({ kind: 'reply', ticket: complaint });
  });

  it('refuses a ticket of another mailbox', () => {
    const other = ticket({ mailbox: 'management' });
    expect(decideThread(input({ references: [other] }))).toEqual({
      kind: 'new', ignored: [{ number: other.number, why: 'ticket belongs to the management mailbox' }],
    });
  });

  it('lists every refused candidate once, in the order tried', () => {
    const a = ticket({ private: true, mailbox: 'management' });
    const b = ticket({ mailbox: 'management' });
    const decision = decideThread(input({ token: a, inReplyTo: b, references: [a, b] }));
    expect(decision.ignored.map((i) => i.number)).toEqual([a.number, b.number]);
  });
});

describe('decideThread: resolved and closed tickets', () => {
  it.each([
    ['closed', 'closedAt'],
    ['resolved', 'resolvedAt'],
  ] as const)('reopens a %s ticket within the window', (status, field) => {
    const t = ticket({ status, [field]: new Date(now.getTime() - 3 * DAY) });
    expect(decideThread(input({ token: t }))).toEqual({ kind: 'reopen', ticket: t, via: 'token', ignored: [] });
  });

  it('reopens exactly at the end of the 14-day window', () => {
    const t = ticket({ status: 'closed', closedAt: new Date(now.getTime() - 14 * DAY) });
    expect(decideThread(input({ inReplyTo: t })).kind).toBe('reopen');
  });

  it('opens a new linked ticket one millisecond after the window', () => {
    const t = ticket({ status: 'closed', closedAt: new Date(now.getTime() - 14 * DAY - 1) });
    expect(decideThread(input({ inReplyTo: t }))).toEqual({ kind: 'new-linked', linkedTo: t, via: 'in-reply-to', ignored: [] });
  });

  it('counts the window from closing, not from resolving, when the ticket was closed', () => {
    const t = ticket({ status: 'closed', resolvedAt: new Date(now.getTime() - 30 * DAY), closedAt: new Date(now.getTime() - DAY) });
    expect(decideThread(input({ token: t })).kind).toBe('reopen');
  });

  it('honours a configured window', () => {
    const t = ticket({ status: 'resolved', resolvedAt: new Date(now.getTime() - 2 * DAY) });
    expect(decideThread(input({ token: t, reopenWindowDays: 1 })).kind).toBe('new-linked');
    expect(decideThread(input({ token: t, reopenWindowDays: 0 })).kind).toBe('new-linked');
  });

  it('keeps the conversation together when a resolved ticket lacks its timestamp', () => {
    expect(decideThread(input({ token: ticket({ status: 'resolved' }) })).kind).toBe('reopen');
  });
});
