import { isAligned, parseAuthenticationResults, type AuthVerdict } from './authentication-results.js';

/**
 * What slagate's own check of a mail (authentication mode `verify`, mail-auth/verify-mail.ts)
 * found, as plain values: the rules below decide on it, the raw mail's decision records `summary`.
 */
export interface MailAuthentication {
  /** The From domain DMARC was evaluated for ('' when the mail has no usable From). */
  fromDomain: string;
  /** RFC 7489 result; `temperror` also when the lookups ran out of time. */
  dmarc: 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';
  /** The domain's published policy when there is one (`none`, `quarantine`, `reject`). */
  dmarcPolicy: string | null;
  /** Signing domains of the DKIM signatures that verified. */
  dkimPass: readonly string[];
  spf: string;
  arc: string;
  /** One line for the record: `dkim=pass (d=...) spf=none dmarc=pass (p=reject) arc=none`. */
  summary: string;
}

/** Checks one raw mail's origin (authentication mode `verify`); main.ts wires mail-auth/verify-mail.ts. */
export type VerifyMail = (raw: Buffer) => Promise<MailAuthentication>;

/**
 * Staff mail under `verify`: vouched for by a DMARC pass, or, for a domain that publishes no DMARC
 * record, by a DKIM signature aligned with the From domain (the rule trusted-authserv applies to
 * our server's results, authentication-results.ts). Anything else is refused: a DNS failure too,
 * since a refused member of staff is told and can send again, and a forger must not ride an outage.
 */
export function judgeVerifiedMail(auth: MailAuthentication | null, fromDomain: string): AuthVerdict {
  if (!auth) return { pass: false, reason: 'the mail could not be checked (no DKIM/DMARC verdict)' };
  if (auth.fromDomain !== '' && !sameDomain(auth.fromDomain, fromDomain)) {
    return { pass: false, reason: `DMARC was evaluated for ${auth.fromDomain}, not the sender's domain ${fromDomain} (${auth.summary})` };
  }
  if (auth.dmarc === 'pass') return { pass: true, via: 'dmarc' };
  if (auth.dmarc === 'none' && auth.dkimPass.some((d) => isAligned(d, fromDomain))) return { pass: true, via: 'dkim' };
  return {
    pass: false,
    reason: auth.dmarc === 'fail' ? `the mail fails DMARC for ${fromDomain} (${auth.summary})`
      : auth.dmarc === 'none' ? `${fromDomain} publishes no DMARC record and no DKIM signature aligned with it verified (${auth.summary})`
        : `DMARC for ${fromDomain} could not be evaluated: ${auth.dmarc} (${auth.summary})`,
  };
}

/**
 * Why a client's mail gets no acknowledgement, or null: only a DMARC `fail` (the domain publishes a
 * policy and neither SPF nor DKIM aligned) counts. An acknowledgement to a forged From is
 * backscatter at a stranger; a domain without DMARC, or a DNS failure, proves nothing either way,
 * and a real client must not lose the acknowledgement to it. The ticket is opened regardless.
 */
export function clientAuthenticationFailure(auth: MailAuthentication | null): string | null {
  if (!auth || auth.dmarc !== 'fail') return null;
  return `no acknowledgement: the mail fails DMARC for ${auth.fromDomain}${auth.dmarcPolicy ? ` (p=${auth.dmarcPolicy})` : ''}, so its From may be forged (${auth.summary})`;
}

/**
 * clientAuthenticationFailure under either mode: slagate's own check (`verify`), or the DMARC
 * result in our mail server's topmost Authentication-Results (`trusted-authserv`; one below it, or
 * another server's, may be the sender's own and proves nothing).
 */
export function clientAuthenticationFailureOf(
  mode: 'off' | 'trusted-authserv' | 'verify', input: { trustedAuthservId?: string | undefined; headers: readonly string[]; authentication: MailAuthentication | null },
): string | null {
  if (mode === 'verify') return clientAuthenticationFailure(input.authentication);
  if (mode !== 'trusted-authserv' || !input.trustedAuthservId || input.headers.length === 0) return null;
  const topmost = parseAuthenticationResults(input.headers[0]!);
  if (!topmost || topmost.authservId !== input.trustedAuthservId.replace(/[A-Z]/g, (c) => c.toLowerCase())) return null;
  const fail = topmost.results.find((r) => r.method === 'dmarc' && r.result === 'fail');
  return fail ? `no acknowledgement: ${input.trustedAuthservId} saw the mail fail DMARC${fail.props['header.from'] ? ` for ${fail.props['header.from']}` : ''}, so its From may be forged` : null;
}

function sameDomain(a: string, b: string): boolean {
  const bare = (d: string) => d.trim().replace(/\.$/, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
  return bare(a) === bare(b);
}
