import { createHmac, timingSafeEqual } from 'node:crypto';
import { BASE32_ALPHABET, base32 } from './base32.js';

/**
 * Signed reply tokens: the `<token>` of `support+<token>@…` (never in a Message-ID), which lets a
 * member of staff act on one ticket by replying to a mail. The token binds an agent, a ticket and
 * an expiry under a key derived per agent from the shared secret and the agent's key version, so
 * bumping one person's version kills only that person's tokens.
 *
 * Layout before encoding (21 bytes, 34 base32 characters; with `management+` 45, under the
 * 64-character local-part limit): format (1) | agent tag (4) | ticket id (4) | expiry in minutes
 * since the epoch (4) | MAC (8). The agent tag is a keyed hash of the address, not the address,
 * so the token names nobody to whoever reads it; 64 bits of MAC are plenty against online guessing
 * by mail.
 */

const FORMAT = 1;
const TAG_BYTES = 4;
const MAC_BYTES = 8;
const TOKEN_BYTES = 1 + TAG_BYTES + 4 + 4 + MAC_BYTES;
/** Base32 length of a token, for callers that search text for one. */
export const TOKEN_CHARS = Math.ceil((TOKEN_BYTES * 8) / 5);
const MAX_UINT32 = 0xffff_ffff;

export interface TokenAgent {
  /** ASCII-lowercased mail address. */
  address: string;
  tokenKeyVersion: number;
}

export interface ReplyTokenClaims {
  agent: string;
  ticketId: number;
  expiresAt: Date;
}

export type TokenFailure = 'malformed' | 'unknown-agent' | 'bad-signature' | 'expired';

export type ParsedToken = { ok: true; claims: ReplyTokenClaims } | { ok: false; reason: TokenFailure };

/** Lowercases A-Z only; a Turkish locale must never change an address. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function agentKey(secret: string, agent: TokenAgent): Buffer {
  return createHmac('sha256', secret).update(`slagate/reply-token/key\0${asciiLower(agent.address)}\0${agent.tokenKeyVersion}`).digest();
}

function agentTag(secret: string, address: string): Buffer {
  return createHmac('sha256', secret).update(`slagate/reply-token/tag\0${asciiLower(address)}`).digest().subarray(0, TAG_BYTES);
}

function mac(secret: string, agent: TokenAgent, ticketId: number, expiryMinutes: number): Buffer {
  return createHmac('sha256', agentKey(secret, agent))
    .update(`${asciiLower(agent.address)}\0${ticketId}\0${expiryMinutes}`)
    .digest().subarray(0, MAC_BYTES);
}

/** Issues a token for `agent` on `ticketId`, valid until `expiresAt` (rounded up to the minute). */
export function createReplyToken(secret: string, agent: TokenAgent, ticketId: number, expiresAt: Date): string {
  if (!Number.isInteger(ticketId) || ticketId < 0 || ticketId > MAX_UINT32) throw new RangeError(`ticket id ${ticketId} does not fit a token`);
  const expiryMinutes = Math.ceil(expiresAt.getTime() / 60_000);
  const bytes = Buffer.alloc(TOKEN_BYTES);
  bytes.writeUInt8(FORMAT, 0);
  agentTag(secret, agent.address).copy(bytes, 1);
  bytes.writeUInt32BE(ticketId, 1 + TAG_BYTES);
  bytes.writeUInt32BE(Math.min(expiryMinutes, MAX_UINT32), 5 + TAG_BYTES);
  mac(secret, agent, ticketId, expiryMinutes).copy(bytes, 9 + TAG_BYTES);
  return base32(bytes);
}

/**
 * Verifies a token against the configured staff. Mail systems may change the case of a local
 * part, so the token is read case-insensitively. The signature is compared in constant time
 * and checked before the expiry, so a forger learns nothing from the reason but "bad signature".
 */
export function parseReplyToken(secret: string, token: string, staff: readonly TokenAgent[], now: Date): ParsedToken {
  const bytes = unbase32(asciiLower(token));
  if (bytes === null || bytes.length !== TOKEN_BYTES || bytes[0] !== FORMAT) return { ok: false, reason: 'malformed' };
  const tag = bytes.subarray(1, 1 + TAG_BYTES);
  const agent = staff.find((p) => timingSafeEqual(agentTag(secret, p.address), tag));
  if (!agent) return { ok: false, reason: 'unknown-agent' };
  const ticketId = bytes.readUInt32BE(1 + TAG_BYTES);
  const expiryMinutes = bytes.readUInt32BE(5 + TAG_BYTES);
  const expected = mac(secret, agent, ticketId, expiryMinutes);
  if (!timingSafeEqual(expected, bytes.subarray(9 + TAG_BYTES))) return { ok: false, reason: 'bad-signature' };
  const expiresAt = new Date(expiryMinutes * 60_000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { agent: asciiLower(agent.address), ticketId, expiresAt } };
}


function unbase32(text: string): Buffer | null {
  if (text.length !== TOKEN_CHARS) return null;
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = BASE32_ALPHABET.indexOf(ch);
    if (v < 0) return null;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  // Non-zero padding bits would give two spellings of one token.
  if (value !== 0) return null;
  return Buffer.from(out);
}

const TOKEN_TEXT = `[a-z2-7]{${TOKEN_CHARS}}`;

/** `support@x` and a token make `support+<token>@x`: plus addressing on the owning mailbox. */
export function tokenAddress(mailboxAddress: string, token: string): string {
  const at = mailboxAddress.lastIndexOf('@');
  return `${mailboxAddress.slice(0, at)}+${token}@${mailboxAddress.slice(at + 1)}`;
}

/** The token in `support+<token>@x` when the address is that mailbox's plus address, else null. */
export function tokenFromAddress(address: string, mailboxAddress: string): string | null {
  const at = mailboxAddress.lastIndexOf('@');
  const local = asciiLower(mailboxAddress.slice(0, at));
  const domain = asciiLower(mailboxAddress.slice(at + 1));
  const m = new RegExp(`^([^@+]+)\\+(${TOKEN_TEXT})@([^@]+)$`, 'i').exec(address.trim());
  if (!m || asciiLower(m[1]!) !== local || asciiLower(m[3]!) !== domain) return null;
  return asciiLower(m[2]!);
}

const PLUS_TOKEN = new RegExp(`\\+${TOKEN_TEXT}@`, 'gi');

/**
 * Text with every `+<token>@` of a signed reply address blanked to `+…@`: what is stored for
 * display (the recipients of a staff reply, the text it relays) never carries a usable token.
 */
export function withoutReplyTokens(text: string): string {
  return text.replace(PLUS_TOKEN, '+…@');
}
