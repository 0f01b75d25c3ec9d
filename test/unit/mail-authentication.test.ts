import { describe, expect, it } from 'vitest';
import { clientAuthenticationFailure, clientAuthenticationFailureOf, judgeVerifiedMail, type MailAuthentication } from '../../src/inbound/mail-authentication.js';
import { testConfig } from '../helpers/test-config.js';
import { authenticationMode } from '../../src/config.js';

const auth = (over: Partial<MailAuthentication>): MailAuthentication => ({
  fromDomain: 'sanarise.example', dmarc: 'none', dmarcPolicy: null, dkimPass: [], spf: 'none', arc: 'none', summary: 'test', ...over,
});

describe('judgeVerifiedMail (staff mail under authentication mode verify)', () => {
  it.each([
    ['DMARC pass', auth({ dmarc: 'pass', dmarcPolicy: 'reject' }), true],
    ['no DMARC record, DKIM aligned (parent domain)', auth({ fromDomain: 'mail.sanarise.example', dkimPass: ['sanarise.example'] }), true],
    ['no DMARC record, DKIM of another domain', auth({ dkimPass: ['mailer.example'] }), false],
    ['DMARC fail even with an unaligned DKIM pass', auth({ dmarc: 'fail', dkimPass: ['mailer.example'] }), false],
    ['DNS trouble', auth({ dmarc: 'temperror' }), false],
    ['checked for another From domain', auth({ fromDomain: 'evil.example', dmarc: 'pass' }), false],
  ])('%s', (_name, a, pass) => {
    const from = a.fromDomain === 'mail.sanarise.example' ? 'mail.sanarise.example' : 'sanarise.example';
    expect(judgeVerifiedMail(a, from).pass).toBe(pass);
  });

  it('refuses a mail that was not checked at all', () => {
    expect(judgeVerifiedMail(null, 'sanarise.example')).toMatchObject({ pass: false });
  });
});

describe('clientAuthenticationFailure (acknowledgements)', () => {
  it('withholds the acknowledgement only on a DMARC fail', () => {
    expect(clientAuthenticationFailure(auth({ dmarc: 'fail', dmarcPolicy: 'reject' }))).toContain('fails DMARC for sanarise.example (p=reject)');
    for (const dmarc of ['pass', 'none', 'temperror', 'permerror'] as const) expect(clientAuthenticationFailure(auth({ dmarc }))).toBeNull();
    expect(clientAuthenticationFailure(null)).toBeNull();
  });

  it('under trusted-authserv reads only our server\'s topmost header', () => {
    const ours = 'mx.sanarise.example; dmarc=fail header.from=anadolu.example';
    const input = (headers: string[]) => ({ trustedAuthservId: 'mx.sanarise.example', headers, authentication: null });
    expect(clientAuthenticationFailureOf('trusted-authserv', input([ours]))).toContain('anadolu.example');
    expect(clientAuthenticationFailureOf('trusted-authserv', input(['other.example; dmarc=fail', ours]))).toBeNull();
    expect(clientAuthenticationFailureOf('trusted-authserv', input(['mx.sanarise.example; dmarc=pass header.from=anadolu.example']))).toBeNull();
    expect(clientAuthenticationFailureOf('off', input([ours]))).toBeNull();
  });
});

describe('authentication config', () => {
  it('derives the mode from trustedAuthservId and refuses contradictions', () => {
    expect(authenticationMode(testConfig('postgres://unused', {}))).toBe('off');
    expect(authenticationMode(testConfig('postgres://unused', { trustedAuthservId: 'mx.sanarise.example' }))).toBe('trusted-authserv');
    expect(authenticationMode(testConfig('postgres://unused', { authentication: { mode: 'verify' } }))).toBe('verify');
    expect(() => testConfig('postgres://unused', { authentication: { mode: 'trusted-authserv' } })).toThrow(/needs trustedAuthservId/);
    expect(() => testConfig('postgres://unused', { authentication: { mode: 'verify' }, trustedAuthservId: 'mx.sanarise.example' })).toThrow(/remove one of them/);
    expect(() => testConfig('postgres://unused', { authentication: { mode: 'verify', spfFromRecieved: true } as never })).toThrow();
  });
});
