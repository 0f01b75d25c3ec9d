import { describe, expect, it } from 'vitest';
import { isAligned, judgeAuthentication, parseAuthenticationResults } from '../../src/inbound/authentication-results.js';

const OURS = 'mx.sanarise.example';

describe('Authentication-Results', () => {
  it('parses the authserv-id, methods, results and properties, ignoring comments and the version', () => {
    const parsed = parseAuthenticationResults(
      'MX.Sanarise.Example 1; dkim=pass (2048-bit key) header.d=sanarise.example header.s=s1;\r\n spf=pass smtp.mailfrom=ayse@sanarise.example; dmarc=pass (p=REJECT) header.from=sanarise.example',
    );
    expect(parsed).toEqual({
      authservId: 'mx.sanarise.example',
      results: [
        { method: 'dkim', result: 'pass', props: { 'header.d': 'sanarise.example', 'header.s': 's1' } },
        { method: 'spf', result: 'pass', props: { 'smtp.mailfrom': 'ayse@sanarise.example' } },
        { method: 'dmarc', result: 'pass', props: { 'header.from': 'sanarise.example' } },
      ],
    });
  });

  it.each([
    ['sanarise.example', 'sanarise.example', true],
    ['sanarise.example', 'mail.sanarise.example', true],
    ['mail.sanarise.example', 'sanarise.example', false],
    ['evil-sanarise.example', 'sanarise.example', false],
    ['example', 'notsanarise.example', true],
    ['', 'sanarise.example', false],
  ])('d=%s is aligned with From domain %s: %s', (d, from, aligned) => {
    expect(isAligned(d, from)).toBe(aligned);
  });

  it.each([
    ['dmarc pass', [`${OURS}; dmarc=pass header.from=sanarise.example`], true],
    ['aligned dkim pass', [`${OURS}; dkim=pass header.d=sanarise.example; dmarc=none`], true],
    ['dkim pass for another domain', [`${OURS}; dkim=pass header.d=mailer.example; dmarc=fail`], false],
    ['dmarc fail', [`${OURS}; dkim=fail header.d=sanarise.example; dmarc=fail`], false],
    ['spf pass alone', [`${OURS}; spf=pass smtp.mailfrom=sanarise.example`], false],
    ['a pass from someone else\'s server', ['mx.attacker.example; dmarc=pass header.from=sanarise.example'], false],
    ['no header at all', [], false],
    ['a forged pass below our own fail', [`${OURS}; dmarc=fail`, `${OURS}; dmarc=pass`], false],
    ['none', [`${OURS}; none`], false],
    ['dmarc pass for the From domain written in capitals', [`${OURS}; dmarc=pass header.from=Sanarise.EXAMPLE`], true],
    // Two From headers: the server judged the attacker's, the application reads ours.
    ['dmarc pass for another From domain', [`${OURS}; dmarc=pass header.from=evil.example`], false],
    ['dmarc pass for a subdomain of the From domain', [`${OURS}; dmarc=pass header.from=mail.sanarise.example`], false],
    ['dmarc pass that names no From domain', [`${OURS}; dmarc=pass`], false],
  ])('%s → pass %s', (_, headers, pass) => {
    expect(judgeAuthentication(headers, OURS, 'sanarise.example').pass).toBe(pass);
  });

  it('says why a mail did not pass', () => {
    expect(judgeAuthentication([`${OURS}; dkim=pass header.d=mailer.example`], OURS, 'sanarise.example'))
      .toEqual({ pass: false, reason: expect.stringContaining('not aligned with sanarise.example') });
    expect(judgeAuthentication([`${OURS}; dmarc=pass header.from=evil.example`], OURS, 'sanarise.example'))
      .toEqual({ pass: false, reason: expect.stringContaining('DMARC pass only for a From domain other than sanarise.example') });
    expect(judgeAuthentication([], OURS, 'sanarise.example'))
      .toEqual({ pass: false, reason: `no Authentication-Results from ${OURS}` });
  });
});
