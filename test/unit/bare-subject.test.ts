import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';
import { bareSubject } from '../../src/outbound/bare-subject.js';
import { buildClientMail } from '../../src/outbound/build-client-mail.js';
import type { TicketView } from '../../src/outbound/ticket-view.js';

const config = parseConfig(DEFAULT_CONFIG_INPUT);
const prefixes = config.policy.replyPrefixes;

describe('one token and one reply prefix in every subject we send', () => {
  it.each([
    ['Re: [#SR-1002] Re: Fatura ekranı açılmıyor', 'Fatura ekranı açılmıyor'],
    ['YNT: İLT: Fwd: Re[2]: [#SR-1002] Fatura', 'Fatura'],
    ['ILT：Fatura [#sr-1002]', 'Fatura'],
    ['[Kritik][Hata] Fatura ekranı', '[Kritik][Hata] Fatura ekranı'],
    ['Ynt: Konu: toplantı', 'Konu: toplantı'],
    ['Re:', 'Re:'],
  ])('%s -> %s', (subject, bare) => {
    expect(bareSubject(subject, prefixes, 'SR')).toBe(bare);
  });

  it('a ticket opened by a reply carrying another ticket\'s token answers as [#SR-1019] Re: ..., never [#SR-1019] Re: [#SR-1002] Re: ...', () => {
    const ticket: TicketView = {
      id: 19, number: 'SR-1019', subject: 'Re: [#SR-1002] Re: Fatura ekranı açılmıyor', type: 'bug', typeName: 'Report a Problem/Bug',
      priority: 'high', requestedPriority: null, priorityReason: 'default', private: false, mailbox: 'support',
      requesterAddress: 'deniz@client.example', requesterName: 'Deniz', language: 'tr', firstResponseDue: null, resolutionDue: null,
      slaReview: false, assignee: null,
    };
    const mail = buildClientMail(config, {
      kind: 'agent-relay', ticket, to: { name: 'Deniz', address: 'deniz@client.example' }, lang: 'tr', dedupeKey: 'k',
      data: { body: 'Merhaba', agentName: 'Ayşe' }, random: 'r',
    });
    expect(mail.subject).toBe('[#SR-1019] Re: Fatura ekranı açılmıyor');
  });
});
