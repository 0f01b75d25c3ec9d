import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOKEN_CHARS, createReplyToken, parseReplyToken } from '../../src/security/reply-token.js';

const SECRET = 'unit-test-secret-0123456789';
const NOW = new Date('2026-03-16T07:00:00Z');
const IN_30_DAYS = new Date(NOW.getTime() + 30 * 86_400_000);
const ayse = { address: 'ayse@sanarise.example', tokenKeyVersion: 1 };
const mert = { address: 'mert@sanarise.example', tokenKeyVersion: 1 };
const staff = [ayse, mert];

describe('reply tokens', () => {
  it('round-trips agent, ticket and expiry', () => {
    const token = createReplyToken(SECRET, ayse, 1042, IN_30_DAYS);
    expect(parseReplyToken(SECRET, token, staff, NOW)).toEqual({
      ok: true, claims: { agent: 'ayse@sanarise.example', ticketId: 1042, expiresAt: IN_30_DAYS },
    });
  });

  it('fits a mail local part with the management+ prefix and uses only lowercase base32', () => {
    const token = createReplyToken(SECRET, ayse, 0xffff_ffff, IN_30_DAYS);
    expect(token).toHaveLength(TOKEN_CHARS);
    expect(`management+${token}`.length).toBeLessThan(64);
    expect(token).toMatch(/^[a-z2-7]+$/);
  });

  it('survives a mail system that uppercases the local part', () => {
    const token = createReplyToken(SECRET, ayse, 7, IN_30_DAYS);
    expect(parseReplyToken(SECRET, token.toUpperCase(), staff, NOW).ok).toBe(true);
  });

  it('expires at its instant, not after', () => {
    const token = createReplyToken(SECRET, ayse, 7, IN_30_DAYS);
    expect(parseReplyToken(SECRET, token, staff, new Date(IN_30_DAYS.getTime() - 1)).ok).toBe(true);
    expect(parseReplyToken(SECRET, token, staff, IN_30_DAYS)).toEqual({ ok: false, reason: 'expired' });
  });

  it('dies when the agent key version is bumped', () => {
    const token = createReplyToken(SECRET, ayse, 7, IN_30_DAYS);
    expect(parseReplyToken(SECRET, token, [{ ...ayse, tokenKeyVersion: 2 }, mert], NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('names no agent once that person left the staff list', () => {
    const token = createReplyToken(SECRET, ayse, 7, IN_30_DAYS);
    expect(parseReplyToken(SECRET, token, [mert], NOW)).toEqual({ ok: false, reason: 'unknown-agent' });
  });

  it('is worthless under another secret', () => {
    const token = createReplyToken('another-secret-0123456789', ayse, 7, IN_30_DAYS);
    expect(parseReplyToken(SECRET, token, staff, NOW).ok).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['too short', 'abc'],
    ['not base32', '0'.repeat(TOKEN_CHARS)],
    ['a plus tag of another kind', 'newsletter'],
  ])('refuses %s input as malformed', (_, text) => {
    expect(parseReplyToken(SECRET, text, staff, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses every single-character change', () => {
    const token = createReplyToken(SECRET, ayse, 1042, IN_30_DAYS);
    fc.assert(fc.property(fc.nat(TOKEN_CHARS - 1), fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'), (i, ch) => {
      fc.pre(token[i] !== ch);
      const tampered = token.slice(0, i) + ch + token.slice(i + 1);
      expect(parseReplyToken(SECRET, tampered, staff, NOW).ok).toBe(false);
    }));
  });

  it('binds the ticket: a token for one ticket never verifies for another', () => {
    fc.assert(fc.property(fc.nat(0xffff_ffff), (ticketId) => {
      const parsed = parseReplyToken(SECRET, createReplyToken(SECRET, mert, ticketId, IN_30_DAYS), staff, NOW);
      expect(parsed).toMatchObject({ ok: true, claims: { ticketId, agent: mert.address } });
    }));
  });
});
