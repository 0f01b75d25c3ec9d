/**
 * Reads `Authentication-Results` (RFC 8601) far enough to answer one question: did our own mail
 * server see this mail pass DMARC for the From domain, or DKIM aligned with it?
 */

export interface AuthResult {
  method: string;
  result: string;
  /** `header.d`, `header.from`, `smtp.mailfrom`, ... lowercased names, values as written. */
  props: Record<string, string>;
}

export interface AuthenticationResults {
  authservId: string;
  results: AuthResult[];
}

export type AuthVerdict =
  | { pass: true; via: 'dmarc' | 'dkim' }
  | { pass: false; reason: string };

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** RFC 5322 comments, nested ones included, are not part of any value. */
function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && depth > 0) { i++; continue; }
    if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

/** Parses one header value; null when it has no authserv-id. */
export function parseAuthenticationResults(value: string): AuthenticationResults | null {
  const parts = stripComments(value).replace(/\s+/g, ' ').split(';').map((p) => p.trim());
  // The authserv-id may be followed by a version number: "mx.example.com 1".
  const authservId = asciiLower(parts[0]?.split(' ')[0] ?? '');
  if (authservId === '') return null;
  const results: AuthResult[] = [];
  for (const part of parts.slice(1)) {
    const words = part.split(' ').filter((w) => w !== '');
    const head = /^([A-Za-z0-9-]+)(?:\/[0-9]+)?=([A-Za-z0-9-]+)$/.exec(words[0] ?? '');
    if (!head) continue; // `none`, or something we cannot read: it can only fail to pass
    const props: Record<string, string> = {};
    for (const word of words.slice(1)) {
      const prop = /^([A-Za-z0-9-]+\.[A-Za-z0-9-]+)=(.+)$/.exec(word);
      if (prop) props[asciiLower(prop[1]!)] = prop[2]!.replace(/^"|"$/g, '');
    }
    results.push({ method: asciiLower(head[1]!), result: asciiLower(head[2]!), props });
  }
  return { authservId, results };
}

/** `d` equals the From domain or is a parent of it (relaxed alignment, RFC 7489 §3.1.1). */
export function isAligned(signingDomain: string, fromDomain: string): boolean {
  const d = asciiLower(signingDomain).replace(/\.$/, '');
  const f = asciiLower(fromDomain).replace(/\.$/, '');
  return d !== '' && (f === d || f.endsWith(`.${d}`));
}

/**
 * Judges the mail by the results of the trusted server only, and of its headers only the topmost
 * Authentication-Results counts: our server adds it last, on top. Anything below came with the
 * mail and may be written by its sender, our authserv-id included; so when the topmost header is
 * not ours (our server added none), nothing further down is trusted either.
 */
export function judgeAuthentication(headerValues: readonly string[], trustedAuthservId: string, fromDomain: string): AuthVerdict {
  const trusted = asciiLower(trustedAuthservId);
  const topmost = headerValues.length > 0 ? parseAuthenticationResults(headerValues[0]!) : null;
  const ours = topmost?.authservId === trusted ? topmost : null;
  if (headerValues.length === 0) return { pass: false, reason: `no Authentication-Results from ${trustedAuthservId}` };
  if (!ours) return { pass: false, reason: `the topmost Authentication-Results is not from ${trustedAuthservId}` };
  // A DMARC pass vouches for the domain in the From header the server read; with two From headers
  // (or a server that reports another one) that need not be the domain we are judging.
  const from = bareDomain(fromDomain);
  const dmarc = ours.results.filter((r) => r.method === 'dmarc' && r.result === 'pass');
  if (dmarc.some((r) => bareDomain(r.props['header.from'] ?? '') === from)) return { pass: true, via: 'dmarc' };
  const dkim = ours.results.filter((r) => r.method === 'dkim' && r.result === 'pass');
  if (dkim.some((r) => isAligned(r.props['header.d'] ?? r.props['header.i']?.replace(/^.*@/, '') ?? '', fromDomain))) {
    return { pass: true, via: 'dkim' };
  }
  const seen = ours.results.map((r) => `${r.method}=${r.result}`).join(', ') || 'no results';
  return {
    pass: false,
    reason: dkim.length > 0
      ? `${trustedAuthservId} saw DKIM pass only for a domain not aligned with ${fromDomain} (${seen})`
      : dmarc.length > 0
        ? `${trustedAuthservId} saw DMARC pass only for a From domain other than ${fromDomain} (${seen})`
        : `${trustedAuthservId} saw neither DMARC nor aligned DKIM pass (${seen})`,
  };
}

function bareDomain(domain: string): string {
  return asciiLower(domain.trim()).replace(/\.$/, '');
}
