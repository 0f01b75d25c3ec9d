import { authenticate } from 'mailauth';
import { authenticationMode, type Config } from '../config.js';
import type { MailAuthentication, VerifyMail } from '../inbound/mail-authentication.js';

/**
 * The one mailauth call: DKIM, ARC, DMARC and (when asked) SPF of one raw mail, over DNS, mapped
 * to the plain MailAuthentication the pure rules read (inbound/mail-authentication.ts). mailauth
 * (postalsys, the authors of nodemailer and imapflow) is kept to this folder
 * (.dependency-cruiser.cjs).
 */

/** `dns.promises.resolve`'s shape: TXT answers as arrays of strings; a missing name rejects with ENOTFOUND/ENODATA. */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

export interface VerifyMailOptions {
  /** The DNS to ask; tests pass a table of records. Default: the system resolver. */
  resolver?: DnsResolver;
  /** Named in the results as the checking host (authserv-id). */
  authservId: string;
  /** SPF from the topmost Received header and Return-Path (config authentication.spfFromReceived). */
  spfFromReceived: boolean;
  /** All of one mail's lookups; past it the mail is `temperror`. */
  timeoutMs: number;
}

export function createMailVerifier(options: VerifyMailOptions): VerifyMail {
  return async (raw) => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), options.timeoutMs); });
    try {
      const result = await Promise.race([
        authenticate(raw, {
          ...(options.resolver ? { resolver: options.resolver as never } : {}),
          mta: options.authservId,
          trustReceived: options.spfFromReceived,
          // BIMI is a logo, not a verdict; it would only add lookups.
          disableBimi: true,
        }),
        timedOut,
      ]);
      if (result === 'timeout') return unchecked(`no verdict within ${options.timeoutMs} ms of DNS lookups`);
      const dkim = (result.dkim?.results ?? []) as { signingDomain?: string; status?: { result?: string } }[];
      const dkimPass = dkim.filter((r) => r.status?.result === 'pass' && r.signingDomain).map((r) => r.signingDomain!);
      const dmarc = result.dmarc as { status?: { result?: string; header?: { from?: string } }; domain?: string; policy?: string } | false | undefined;
      const dmarcResult = asDmarc(dmarc ? dmarc.status?.result : undefined);
      const spf = (result.spf as { status?: { result?: string } } | false | undefined) || undefined;
      const arc = (result.arc as { status?: { result?: string } } | undefined)?.status?.result ?? 'none';
      const fromDomain = (dmarc ? dmarc.status?.header?.from ?? dmarc.domain : undefined) ?? fromDomainOf(result.dkim?.headerFrom);
      const dkimText = dkim.length === 0 ? 'dkim=none' : dkim.map((r) => `dkim=${r.status?.result ?? 'none'}${r.signingDomain ? ` (d=${r.signingDomain})` : ''}`).join(' ');
      const policy = dmarc && typeof dmarc.policy === 'string' ? dmarc.policy : null;
      return {
        fromDomain, dmarc: dmarcResult, dmarcPolicy: policy, dkimPass,
        spf: spf?.status?.result ?? 'none', arc,
        summary: `${dkimText} spf=${spf?.status?.result ?? 'none'} dmarc=${dmarcResult}${policy ? ` (p=${policy})` : ''} arc=${arc}`,
      };
    } catch (err) {
      // mailauth reports DNS trouble in its results; a throw is a mail it cannot read at all.
      return unchecked(`the check failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  };
}

function unchecked(why: string): MailAuthentication {
  return { fromDomain: '', dmarc: 'temperror', dmarcPolicy: null, dkimPass: [], spf: 'none', arc: 'none', summary: why };
}

function asDmarc(result: string | undefined): MailAuthentication['dmarc'] {
  return result === 'pass' || result === 'fail' || result === 'temperror' || result === 'permerror' ? result : 'none';
}

function fromDomainOf(headerFrom: unknown): string {
  const first = Array.isArray(headerFrom) ? String(headerFrom[0] ?? '') : '';
  return first.slice(first.lastIndexOf('@') + 1).toLowerCase();
}

/** The gateway's verifier: only in authentication mode `verify`, else none (nothing is looked up). */
export function mailVerifierFor(config: Config, resolver?: DnsResolver): VerifyMail | undefined {
  if (authenticationMode(config) !== 'verify') return undefined;
  return createMailVerifier({
    ...(resolver ? { resolver } : {}),
    authservId: config.authentication.authservId ?? config.messageIdDomain,
    spfFromReceived: config.authentication.spfFromReceived,
    timeoutMs: config.authentication.dnsTimeoutMs,
  });
}
