import { describe, expect, it } from 'vitest';
import type { TicketView } from '../../src/outbound/ticket-view.js';
import { planAcknowledgement, type AcknowledgementGate } from '../../src/tickets/plan-acknowledgement.js';
import { testConfig } from '../helpers/test-config.js';

const config = testConfig('postgres://unused', { limits: { ackPerSenderCap: 3, ackPerDomainCap: 5, ackGlobalPerHour: 50 } });
// Monday 16 March 2026, 10:00 in Istanbul.
const now = new Date('2026-03-16T07:00:00Z');
let n = 0;
const random = () => `r${++n}`;

const ticket = (over: Partial<TicketView> = {}): TicketView => ({
  id: 7, number: 'SR-1007', subject: 'Stok ekranı', type: 'problem', typeName: 'Report a Problem/Bug', priority: 'medium',
  requestedPriority: null, priorityReason: 'type default', private: false, mailbox: 'support', requesterAddress: 'deniz@client.example',
  requesterName: 'Deniz', language: 'tr', firstResponseDue: new Date('2026-03-16T11:00:00Z'), resolutionDue: null, slaReview: false,
  assignee: null, ...over,
});
const mail = { messageId: '<m1@client.example>', references: [], subject: 'Stok ekranı', fromAddress: 'deniz@client.example',
  fromName: 'Deniz', toAddress: 'support@sanarise.example', text: 'Stok ekranı açılmıyor.', attachmentCount: 0 };
const gate = (over: Partial<AcknowledgementGate> = {}): AcknowledgementGate => ({
  suppressed: false, sent: 0, domainSent: 0, globalSent: 0, recipient: 'deniz@client.example', domain: 'client.example', ...over,
});

describe('the acknowledgement of a new ticket, decided without a database', () => {
  it('acknowledges the requester once, keyed by the ticket', () => {
    const plan = planAcknowledgement(config, now, random, { ticket: ticket(), mail }, gate());
    expect(plan.enqueued).toBe(true);
    expect(plan.mails).toHaveLength(1);
    expect(plan.mails[0]).toMatchObject({ kind: 'acknowledgement', dedupeKey: 'ack:7', to: [{ address: 'deniz@client.example' }] });
    expect(plan.reason).toBe(`acknowledgement queued as ${plan.mails[0]!.messageId}`);
  });

  it('writes nothing to an address under suppression', () => {
    expect(planAcknowledgement(config, now, random, { ticket: ticket(), mail }, gate({ suppressed: true })))
      .toEqual({ enqueued: false, reason: 'deniz@client.example is suppressed after a hard bounce', mails: [] });
  });

  it('past the sender cap tells each agent once per window instead', () => {
    const plan = planAcknowledgement(config, now, random, { ticket: ticket(), mail }, gate({ sent: 3 }));
    expect(plan.enqueued).toBe(false);
    expect(plan.reason).toBe('3 acknowledgements to deniz@client.example in the last 180 minutes (cap 3)');
    expect(plan.mails.map((m) => m.kind)).toEqual(['sender-capped', 'sender-capped']);
    const bucket = Math.floor(now.getTime() / (180 * 60_000));
    expect(plan.mails.map((m) => m.dedupeKey)).toEqual([
      `sender-capped:deniz@client.example:${bucket}:ayse@sanarise.example`, `sender-capped:deniz@client.example:${bucket}:mert@sanarise.example`,
    ]);
  });

  it('names the widest limit passed: the hour\'s total before the domain, the domain before the sender', () => {
    const global = planAcknowledgement(config, now, random, { ticket: ticket(), mail }, gate({ sent: 9, domainSent: 9, globalSent: 50 }));
    expect(global.reason).toBe('50 acknowledgements to anyone in the last 60 minutes (cap 50)');
    const domain = planAcknowledgement(config, now, random, { ticket: ticket(), mail }, gate({ sent: 9, domainSent: 5 }));
    expect(domain.reason).toBe('5 acknowledgements to *@client.example in the last 180 minutes (cap 5)');
  });

  it('tells only the managers, from management, when the capped sender wrote a private ticket', () => {
    const plan = planAcknowledgement(config, now, random, { ticket: ticket({ private: true, mailbox: 'management', number: 'YN-1000' }), mail }, gate({ sent: 3 }));
    expect(plan.mails.map((m) => m.to[0]!.address)).toEqual(['manager@sanarise.example']);
    expect(plan.mails[0]!.from.address).toBe(config.mailboxes.management.address);
    expect(plan.mails[0]!.dedupeKey).toMatch(/^sender-capped:private:deniz@client\.example:/);
  });
});
