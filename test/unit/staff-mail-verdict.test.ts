import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeStaffMail, type StaffMailFacts, type TokenCandidate } from '../../src/inbound/staff-mail-verdict.js';
import { mayContinueThread } from '../../src/inbound/thread-membership.js';
import { createReplyToken, parseReplyToken, tokenAddress, tokenFromAddress, withoutReplyTokens } from '../../src/security/reply-token.js';

const SECRET = 'unit-test-secret-0123456789';
const NOW = new Date('2026-03-16T07:00:00Z');
const LATER = new Date(NOW.getTime() + 30 * 86_400_000);
const AYSE = { address: 'ayse@sanarise.example', role: 'agent' as const, tokenKeyVersion: 1 };
const MERT = { address: 'mert@sanarise.example', role: 'agent' as const, tokenKeyVersion: 1 };
const CAN = { address: 'can@sanarise.example', role: 'manager' as const, tokenKeyVersion: 1 };
const STAFF = [AYSE, MERT, CAN];
const SUPPORT = 'support@sanarise.example';
const MANAGEMENT = 'management@sanarise.example';
const TICKETS = new Map([[7, { id: 7, private: false, mailbox: 'support' }], [9, { id: 9, private: true, mailbox: 'management' }]]);

/** What identify-agent-mail.ts reads from a mail delivered to `addresses`, From `from`. */
function facts(from: string[], addresses: string[], readFrom: 'support' | 'management' = 'support', extra: Partial<StaffMailFacts> = {}): StaffMailFacts {
  const candidates: TokenCandidate[] = [];
  for (const a of addresses) {
    for (const [mailbox, box] of [['support', SUPPORT], ['management', MANAGEMENT]] as const) {
      const token = tokenFromAddress(a, box);
      if (!token) continue;
      const parsed = parseReplyToken(SECRET, token, STAFF, NOW);
      candidates.push({ mailbox, parsed, ticket: parsed.ok ? TICKETS.get(parsed.claims.ticketId) ?? null : null });
    }
  }
  return { readFrom, fromAddresses: from, fromHeaderCount: 1, staff: STAFF, candidates, authentication: null, ...extra };
}
const signed = (who: { address: string; tokenKeyVersion: number }, ticket: number, box = SUPPORT) => tokenAddress(box, createReplyToken(SECRET, who, ticket, LATER));

describe('who may act on a ticket by mail (judgeStaffMail)', () => {
  it('accepts a member\'s own signed address, From that member', () => {
    expect(judgeStaffMail(facts([AYSE.address], [signed(AYSE, 7)]))).toMatchObject({ kind: 'staff', staff: { address: AYSE.address }, ticketId: 7 });
    expect(judgeStaffMail(facts([CAN.address], [signed(CAN, 9, MANAGEMENT)], 'management'))).toMatchObject({ kind: 'staff', ticketId: 9 });
  });

  it.each([
    ['no token at all (plain support address)', [AYSE.address], [SUPPORT], 'no-signed-address'],
    ['someone else\'s token', [MERT.address], [signed(AYSE, 7)], 'token-of-another'],
    ['a ticket that does not exist', [AYSE.address], [signed(AYSE, 8)], 'token-ticket-missing'],
    ['a team ticket through management+', [AYSE.address], [signed(AYSE, 7, MANAGEMENT)], 'token-wrong-mailbox'],
    ['an agent on a private ticket', [AYSE.address], [signed(AYSE, 9, MANAGEMENT)], 'token-wrong-mailbox'],
    ['two senders', [AYSE.address, 'x@evil.example'], [signed(AYSE, 7)], 'several-senders'],
  ])('refuses staff mail with %s', (_, from, to, code) => {
    const readFrom = to.some((a) => a.startsWith('management')) ? 'management' : 'support';
    expect(judgeStaffMail(facts(from, to, readFrom))).toMatchObject({ kind: 'refused', code });
  });

  it('refuses an expired token as expired', () => {
    const old = tokenAddress(SUPPORT, createReplyToken(SECRET, AYSE, 7, new Date(NOW.getTime() - 60_000)));
    expect(judgeStaffMail(facts([AYSE.address], [old]))).toMatchObject({ kind: 'refused', code: 'token-expired' });
  });

  it('refuses a manager writing to management@ without a signed address (never a client\'s ticket)', () => {
    expect(judgeStaffMail(facts([CAN.address], [MANAGEMENT], 'management'))).toMatchObject({ kind: 'refused', code: 'no-signed-address' });
  });

  it('records the other mailbox\'s copy of a valid reply without refusing it', () => {
    expect(judgeStaffMail(facts([AYSE.address], [signed(AYSE, 7), MANAGEMENT], 'management'))).toMatchObject({ kind: 'other-copy' });
  });

  it('keeps a member\'s genuine reply our server did not vouch for apart', () => {
    expect(judgeStaffMail(facts([AYSE.address], [signed(AYSE, 7)], 'support', { authentication: { pass: false, reason: 'dmarc=fail' } })))
      .toMatchObject({ kind: 'unauthenticated', ticketId: 7 });
  });

  it('leaves client mail alone, and a client using a staff address never acts', () => {
    expect(judgeStaffMail(facts(['deniz@anadolu.example'], [SUPPORT]))).toEqual({ kind: 'none' });
    expect(judgeStaffMail(facts(['deniz@anadolu.example'], [signed(AYSE, 7)]))).toMatchObject({ kind: 'not-staff' });
  });

  it('never lets a random tampering of a signed address act, unless it is the same token in another case', () => {
    const good = signed(AYSE, 7);
    const mert = signed(MERT, 7);
    const tamper = fc.oneof(
      // Replace, insert or delete characters anywhere in the address.
      fc.tuple(fc.nat(good.length - 1), fc.string({ minLength: 0, maxLength: 3 }), fc.nat(3))
        .map(([i, s, del]) => good.slice(0, i) + s + good.slice(i + del)),
      // Splice in a piece of another member's valid token.
      fc.tuple(fc.nat(33), fc.nat(33)).map(([a, b]) => good.slice(0, 8 + Math.min(a, b)) + mert.slice(8 + Math.min(a, b), 8 + Math.max(a, b)) + good.slice(8 + Math.max(a, b))),
      // Random bits in the token.
      fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'), { minLength: 34, maxLength: 34 }).map((cs) => `support+${cs.join('')}@sanarise.example`),
    );
    fc.assert(fc.property(tamper, (address) => {
      const verdict = judgeStaffMail(facts([AYSE.address], [address]));
      // Space around an address is not part of it (an inserted leading space is the same address).
      const same = address.trim().toLowerCase() === good.toLowerCase();
      if (same) return verdict.kind === 'staff';
      return verdict.kind === 'refused';
    }), { numRuns: 2000 });
  });
});

describe('thread membership (mayContinueThread)', () => {
  it.each([
    [{ via: 'in-reply-to', participant: true, staff: false, colleague: false }, true],
    [{ via: 'references', participant: false, staff: true, colleague: false }, true],
    [{ via: 'in-reply-to', participant: false, staff: false, colleague: true }, false],
    [{ via: 'in-reply-to', participant: false, staff: false, colleague: false }, false],
    [{ via: 'token', participant: false, staff: false, colleague: true }, true],
    [{ via: 'token', participant: false, staff: false, colleague: false }, false],
  ] as const)('%j -> %s', (f, ok) => {
    expect(mayContinueThread(f)).toBe(ok);
  });
});

describe('stored addresses carry no usable token', () => {
  it('blanks the token of a signed address, whatever its case', () => {
    const address = signed(AYSE, 7);
    expect(withoutReplyTokens(address)).toBe('support+…@sanarise.example');
    expect(withoutReplyTokens(`Reply to ${address.toUpperCase()} please`)).not.toMatch(/[a-z2-7]{34}/i);
  });
});
