import { describe, expect, it } from 'vitest';
import { classify } from '../../src/inbound/classify.js';
import { decidePrivacy } from '../../src/inbound/decide-privacy.js';
import { readSubjectTags } from '../../src/inbound/subject-tags.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';

const MANAGEMENT = 'management@sanarise.example';
const support = (subject: string, recipients: string[] = ['support@sanarise.example']) =>
  decidePrivacy({ mailbox: 'support', recipients, cleanSubject: readSubjectTags(subject, DEFAULT_POLICY, 'SR').cleanSubject, managementAddress: MANAGEMENT }, DEFAULT_POLICY);

describe('decidePrivacy: the one rule of the management channel', () => {
  it('is private when read from the management mailbox, whatever it says', () => {
    expect(decidePrivacy({ mailbox: 'management', recipients: [], cleanSubject: '[Bug] x', managementAddress: MANAGEMENT }, DEFAULT_POLICY))
      .toEqual({ private: true, reason: 'mailbox', type: null });
  });

  it('is private when the support copy names management in To, Cc or an envelope header, in any case or sub-address', () => {
    for (const r of ['management@sanarise.example', 'MANAGEMENT@Sanarise.Example', 'management+abc@sanarise.example', 'Yönetim <management@sanarise.example>']) {
      expect(support('Fatura', ['support@sanarise.example', r]), r).toMatchObject({ private: true, reason: 'addressed' });
    }
    // Look-alikes are not management.
    for (const r of ['management@sanarise.example.evil', 'xmanagement@sanarise.example', 'management@other.example']) {
      expect(support('Fatura', [r]).private, r).toBe(false);
    }
  });

  it('is private for a complaint tag in any position among the tags, after reply prefixes', () => {
    for (const subject of ['[Complaint] x', '[Bug] [Complaint] x', '[Hata][Acil][ŞİKAYET] x', 'Re: YNT: [Bug] x [şikayet]', '［Complaint］ x']) {
      expect(support(subject), subject).toMatchObject({ private: true, reason: 'tag', type: 'complaint' });
    }
  });

  it('is private for a Complaint: or Şikayet: prefix, after reply prefixes', () => {
    for (const subject of ['Complaint: the agent', 'Şikayet: destek', 'ŞİKAYET : destek', 'YNT: Şikayet：destek', 'Fwd: Re: complaint: x', 'sikayet: x']) {
      expect(support(subject), subject).toMatchObject({ private: true, reason: 'prefix', type: 'complaint' });
    }
  });

  it('leaves ordinary team mail to the team', () => {
    for (const subject of ['[Bug] Fatura', 'Fatura: ödeme', 'Re: complaint about the invoice layout', 'My complaint: later in the subject? no: Re', '[Critical] down']) {
      expect(support(subject).private, subject).toBe(false);
    }
  });
});

describe('classify with the privacy rule', () => {
  const c = (subject: string, recipients: string[] = []) => classify({ subject, text: '', mailbox: 'support', recipients, managementAddress: MANAGEMENT }, DEFAULT_POLICY, 'SR');
  it('makes a private mail a complaint whatever its first tag', () => {
    expect(c('[Bug] [Complaint] x')).toMatchObject({ private: true, type: 'complaint', typeSource: 'tag' });
    expect(c('Şikayet: x')).toMatchObject({ private: true, type: 'complaint', typeSource: 'tag' });
    expect(c('[Bug] x', [MANAGEMENT])).toMatchObject({ private: true, type: 'complaint', typeSource: 'mailbox' });
    expect(c('[Bug] x')).toMatchObject({ private: false, type: 'problem' });
  });
});
