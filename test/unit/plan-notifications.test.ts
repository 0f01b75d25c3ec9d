import { describe, expect, it } from 'vitest';
import type { TicketView } from '../../src/outbound/ticket-view.js';
import { planManagerNotification } from '../../src/tickets/plan-manager-notification.js';
import { planStaffNotification } from '../../src/tickets/plan-staff-notification.js';
import { planSurvey, type SurveyedTicket } from '../../src/tickets/plan-survey.js';
import { planTeamNotification } from '../../src/tickets/plan-team-notification.js';
import { staffWithRole } from '../../src/tickets/staff-directory.js';
import { testConfig } from '../helpers/test-config.js';

const config = testConfig('postgres://unused');
// Monday 16 March 2026: 10:00 and 21:00 in Istanbul (business hours end at 18:00).
const monday10 = new Date('2026-03-16T07:00:00Z');
const monday21 = new Date('2026-03-16T18:00:00Z');
let n = 0;
const random = () => `r${++n}`;
const none = new Set<string>();

const ticket = (over: Partial<TicketView> = {}): TicketView => ({
  id: 7, number: 'SR-1007', subject: 'Stok ekranı', type: 'problem', typeName: 'Report a Problem/Bug', priority: 'medium',
  requestedPriority: null, priorityReason: 'type default', private: false, mailbox: 'support', requesterAddress: 'deniz@client.example',
  requesterName: 'Deniz', language: 'tr', firstResponseDue: new Date('2026-03-16T11:00:00Z'), resolutionDue: null, slaReview: false,
  assignee: null, ...over,
});

describe('who is told of a new team ticket, and what', () => {
  it('every agent not under suppression, with an excerpt of at most 2,000 characters', () => {
    const text = 'x'.repeat(2500);
    const plan = planTeamNotification(config, monday10, random, { ticket: ticket(), message: { text } }, new Set(['mert@sanarise.example']));
    expect(plan.mails.map((m) => m.to[0]!.address)).toEqual(['ayse@sanarise.example']);
    expect(plan.mails[0]).toMatchObject({ kind: 'team-new-ticket', dedupeKey: 'notify-new:7:ayse@sanarise.example' });
    expect(plan.mails[0]!.text).toContain(`${'x'.repeat(2000)}…`);
    expect(plan.mails[0]!.text).not.toContain('x'.repeat(2001));
    expect(plan.notBefore).toEqual(monday10);
  });

  it('outside business hours the team\'s mail waits for the next opening; a critical ticket\'s does not', () => {
    const evening = planTeamNotification(config, monday21, random, { ticket: ticket(), message: { text: 'hi' } }, none);
    expect(evening.notBefore).toEqual(new Date('2026-03-17T06:00:00Z'));
    const critical = planTeamNotification(config, monday21, random, { ticket: ticket({ priority: 'critical' }), message: { text: 'hi' } }, none);
    expect(critical.notBefore).toEqual(monday21);
  });

  it('refuses a private ticket: the team never hears of one', () => {
    expect(() => planTeamNotification(config, monday10, random, { ticket: ticket({ private: true }), message: { text: 'hi' } }, none))
      .toThrow(/team notification requested for private ticket/);
  });
});

describe('who is told of a new private ticket', () => {
  const forwarded = { attach: [], files: [] };
  const mail = { text: 'Temsilciden şikayetçiyim.', messageId: '<c@client.example>', references: [] };

  it('every manager not under suppression, in reply to the complaint, and nobody else', () => {
    const mails = planManagerNotification(config, monday10, random, {
      ticket: ticket({ private: true, mailbox: 'management', number: 'YN-1000' }), mail, forwarded, otherOpenTickets: ['SR-1001'], suppressed: none,
    });
    expect(mails.map((m) => m.to[0]!.address)).toEqual(staffWithRole(config, 'manager').map((p) => p.address));
    expect(mails[0]).toMatchObject({ kind: 'private-new-ticket', headers: expect.objectContaining({ 'In-Reply-To': '<c@client.example>' }) });
    expect(mails[0]!.text).toContain('SR-1001');
    expect(planManagerNotification(config, monday10, random, {
      ticket: ticket({ private: true }), mail, forwarded, otherOpenTickets: [], suppressed: new Set(['manager@sanarise.example']),
    })).toEqual([]);
  });

  it('refuses a team ticket', () => {
    expect(() => planManagerNotification(config, monday10, random, { ticket: ticket(), mail, forwarded, otherOpenTickets: [], suppressed: none }))
      .toThrow(/manager notification requested for team ticket/);
  });
});

describe('staff reminders and notices', () => {
  const input = { ticket: ticket(), kind: 'sla-reminder' as const, recipients: staffWithRole(config, 'agent'), notBefore: monday10,
    dedupeKey: 'sla:7:first-response:1:x', data: { clock: 'first-response', deadline: new Date('2026-03-16T11:00:00Z') } };

  it('one per recipient not under suppression, keyed by the cause and the address', () => {
    const mails = planStaffNotification(config, monday10, random, input, new Set(['ayse@sanarise.example']));
    expect(mails.map((m) => m.dedupeKey)).toEqual(['sla:7:first-response:1:x:mert@sanarise.example']);
  });

  it('carries the files it is given', () => {
    const file = { filename: 'a.png', contentType: 'image/png', contentBase64: 'AA==' };
    expect(planStaffNotification(config, monday10, random, { ...input, attachments: [file] }, none)[0]!.attachments).toEqual([file]);
  });

  it('refuses to tell anyone but managers of a private ticket', () => {
    expect(() => planStaffNotification(config, monday10, random, { ...input, ticket: ticket({ private: true }) }, none))
      .toThrow(/notification addressed to non-managers/);
  });
});

describe('the satisfaction survey', () => {
  const resolved: SurveyedTicket = {
    id: 7, number: 'SR-1007', subject: 'Stok ekranı', type: 'problem', priority: 'medium', requestedPriority: null, priorityReason: 'type default',
    private: false, mailbox: 'support', requesterAddress: 'deniz@client.example', requesterName: 'Deniz', requesterLanguage: 'tr',
    slaReview: false, assignee: null, resolvedAt: new Date('2026-03-16T09:30:00Z'), firstResponseDue: null, resolutionDue: null,
  };

  it('asks the client once per resolution, in the thread of their last mail', () => {
    const plan = planSurvey(config, random, resolved, { suppressed: false, thread: { inReplyTo: '<last@client.example>', references: [] } });
    expect(plan.mail).toMatchObject({ kind: 'survey', dedupeKey: 'survey:7:2026-03-16T09:30:00.000Z', to: [{ address: 'deniz@client.example' }] });
    expect(plan.mail!.headers['In-Reply-To']).toBe('<last@client.example>');
  });

  it('asks nothing of an unresolved ticket, nor of a suppressed address', () => {
    expect(planSurvey(config, random, { ...resolved, resolvedAt: null }, { suppressed: false })).toEqual({ mail: null, reason: 'SR-1007 is not resolved' });
    expect(planSurvey(config, random, resolved, { suppressed: true }))
      .toEqual({ mail: null, reason: 'deniz@client.example is suppressed after a hard bounce' });
  });
});
