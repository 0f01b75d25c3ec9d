import { describe, expect, it } from 'vitest';
import { detectNoise } from '../../src/inbound/detect-noise.js';
import { parsedMail, type ParsedMailOverrides } from '../helpers/parsed-mail-factory.js';

const ours = { addresses: ['support@sanarise.example', 'Management@Sanarise.example'], messageIdDomain: 'slagate.sanarise.example' };
const detect = (overrides: ParsedMailOverrides) => detectNoise(parsedMail(overrides), ours);
/** The routing part of a verdict; the machine verdict itself is tested in machine-mail.test.ts. */
const brief = (v: ReturnType<typeof detectNoise>) => ({ kind: v.kind, acknowledge: v.acknowledge, reasons: v.reasons });

describe('detectNoise: ordinary mail', () => {
  it('acknowledges a person writing to support', () => {
    expect(brief(detect({}))).toEqual({ kind: null, acknowledge: true, reasons: [] });
  });

  it('acknowledges Auto-Submitted: no', () => {
    expect(brief(detect({ headers: { 'Auto-Submitted': 'no' } }))).toEqual({ kind: null, acknowledge: true, reasons: [] });
  });

  it('does not take X-Auto-Response-Suppress alone for an auto-reply (Outlook sets it on ordinary mail)', () => {
    expect(brief(detect({ headers: { 'X-Auto-Response-Suppress': 'DR, OOF, AutoReply' } }))).toEqual({ kind: null, acknowledge: true, reasons: [] });
  });

  it('does not take a request about out-of-office settings for an auto-reply', () => {
    expect(detect({ subject: 'Out of office settings do not save' }).acknowledge).toBe(true);
  });

  it('does not take a person mentioning a failed delivery for a bounce', () => {
    expect(brief(detect({ subject: 'Undelivered Mail Returned to Sender' }))).toEqual({ kind: null, acknowledge: true, reasons: [] });
  });
});

describe('detectNoise: weak hints stop the acknowledgement only (the mail stays a ticket)', () => {
  it.each<[string, ParsedMailOverrides, string]>([
    ['bulk alone', { headers: { Precedence: 'bulk' } }, 'precedence: bulk'],
    ['junk alone', { headers: { Precedence: 'JUNK' } }, 'precedence: junk'],
    ['a List-Id that is no RFC 2919 list identifier', { headers: { 'List-Id': 'abuser@client.example Mailing List' } }, 'malformed list-id'],
    ['postmaster writing words', { from: 'Postmaster <postmaster@client.example>', subject: 'Policy notice' }, 'from postmaster'],
  ])('%s', (_name, overrides, reason) => {
    expect(brief(detect(overrides))).toEqual({ kind: null, acknowledge: false, reasons: [reason] });
  });
});

describe('detectNoise: machine mail, recorded with no ticket (issue 22)', () => {
  it.each<[string, ParsedMailOverrides, string, string]>([
    ['auto-generated', { headers: { 'Auto-Submitted': 'auto-generated' } }, 'auto-generated', 'auto-submitted: auto-generated'],
    ['auto-notified with parameters', { headers: { 'Auto-Submitted': 'Auto-Notified; owner-email="x@y"' } }, 'auto-generated', 'auto-submitted: auto-notified'],
    ['Precedence: list', { headers: { Precedence: 'list' } }, 'list', 'precedence: list'],
    ['List-Id', { headers: { 'List-Id': '<news.vendor.example>' } }, 'list', 'list-id <news.vendor.example>'],
    ['List-Unsubscribe', { headers: { 'List-Unsubscribe': '<mailto:u@vendor.example>' } }, 'bulk', 'list-unsubscribe header'],
    ['List-Post', { headers: { 'List-Post': '<mailto:l@vendor.example>' } }, 'list', 'list-post header'],
    ['null return path', { returnPath: '' }, 'auto-generated', 'null return path'],
    ['MAILER-DAEMON without a bounce subject', { from: 'MAILER-DAEMON@mx.client.example', subject: 'Warning', text: 'Hello' }, 'auto-generated', 'from mailer-daemon'],
  ])('%s', (_name, overrides, kind, reason) => {
    const v = detect(overrides);
    expect(brief(v)).toEqual({ kind: 'machine', acknowledge: false, reasons: [reason] });
    expect(v.machine.kind).toBe(kind);
  });

  it('gives every signal that applies', () => {
    const verdict = detect({ returnPath: '', headers: { Precedence: 'bulk', 'List-Id': '<l.example>', 'Auto-Submitted': 'auto-generated' } });
    expect(verdict.reasons).toEqual(['null return path', 'auto-submitted: auto-generated', 'precedence: bulk', 'list-id <l.example>']);
    expect(verdict.machine.kind).toBe('list');
  });

  it('lets a list named in policy.allowedLists through as a ticket, never acknowledged', () => {
    const v = detectNoise(parsedMail({ headers: { 'List-Id': 'Odoo users <odoo-users.lists.example>' } }), { ...ours, allowedLists: ['odoo-users.lists.example'] });
    expect(brief(v)).toEqual({ kind: null, acknowledge: false, reasons: ['list-id <odoo-users.lists.example>', 'allowed list odoo-users.lists.example'] });
  });
});

describe('detectNoise: bounces', () => {
  it('recognises a DSN by its content type', () => {
    const v = detect({ contentType: 'multipart/report; report-type=delivery-status; boundary="b"', from: 'MAILER-DAEMON@mx.example', returnPath: '' });
    expect(v).toMatchObject({ kind: 'bounce', acknowledge: false });
    expect(v.reasons).toContain('multipart/report; report-type=delivery-status');
    expect(v.machine.kind).toBe('delivery-failure');
  });

  it('recognises a DSN the parser read, from the mail system', () => {
    const v = detect({ returnPath: '', deliveryReport: { originalMessageId: '<a@slagate.sanarise.example>', recipients: [] } });
    expect(brief(v)).toMatchObject({ kind: 'bounce', acknowledge: false });
    expect(v.reasons).toContain('message/delivery-status part');
    expect(v.machine.reportedMessageId).toBe('<a@slagate.sanarise.example>');
  });

  it('leaves a person who forwards a delivery report (the DSN inside their own mail) a person (issue 22)', () => {
    const v = detect({ subject: 'Fwd: Undelivered Mail Returned to Sender', deliveryReport: { originalMessageId: '<a@x.example>', recipients: [] } });
    expect(brief(v)).toEqual({ kind: null, acknowledge: true, reasons: [] });
  });

  it.each([
    ['Undelivered Mail Returned to Sender'],
    ['Delivery Status Notification (Failure)'],
    ['Mail delivery failed: returning message to sender'],
    ['Returned mail: see transcript for details'],
    ['Undeliverable: [#SR-1042] Fatura'],
    ['failure notice'],
    ['Teslim Edilemedi: Fatura'],
  ])('recognises a bounce without a DSN from mailer-daemon: %j', (subject) => {
    const v = detect({ from: 'Mail Delivery System <MAILER-DAEMON@mx.client.example>', subject });
    expect(brief(v)).toEqual({ kind: 'bounce', acknowledge: false, reasons: ['from mailer-daemon', 'bounce subject'] });
  });

  it('recognises a bounce without a DSN from postmaster', () => {
    const v = detect({ from: 'postmaster@client.example', subject: 'Undeliverable: Fatura' });
    expect(v).toMatchObject({ kind: 'bounce', acknowledge: false });
  });

  it('calls a bounce of our own mail a bounce, so the failed address is recorded', () => {
    const v = detect({ contentType: 'multipart/report; report-type=delivery-status', headers: { 'X-Slagate-Loop': '1' } });
    expect(v.kind).toBe('bounce');
  });
});

describe('detectNoise: auto-replies', () => {
  it.each<[string, ParsedMailOverrides, string]>([
    ['Auto-Submitted: auto-replied', { headers: { 'Auto-Submitted': 'auto-replied' } }, 'auto-submitted: auto-replied'],
    ['X-Autoreply', { headers: { 'X-Autoreply': 'yes' } }, 'x-autoreply header'],
    ['X-Autorespond', { headers: { 'X-Autorespond': 'Out of office' } }, 'x-autorespond header'],
    ['Precedence: auto_reply', { headers: { Precedence: 'auto_reply' } }, 'precedence: auto_reply'],
    ['X-Autogenerated: Reply', { headers: { 'X-Autogenerated': 'Reply' } }, 'x-autogenerated: reply'],
    ['a read receipt', { contentType: 'multipart/report; report-type=disposition-notification' }, 'disposition-notification'],
  ])('%s', (_name, overrides, reason) => {
    expect(brief(detect(overrides))).toEqual({ kind: 'auto-reply', acknowledge: false, reasons: [reason] });
  });

  it.each([
    ['Out of Office: [#SR-1042] Fatura'],
    ['Out of office'],
    ['Automatic reply: [#SR-1042] Fatura'],
    ['Autoreply: Fatura'],
    ['Auto-Reply: Fatura'],
    ['Otomatik yanıt: [#SR-1042] Fatura'],
    ['Otomatik Yanıt: Fatura'],
    ['OTOMATİK YANIT: Fatura'],
    ['Abwesenheitsnotiz: Fatura'],
  ])('recognises the subject %j', (subject) => {
    expect(brief(detect({ subject }))).toEqual({ kind: 'auto-reply', acknowledge: false, reasons: ['auto-reply subject'] });
  });
});

describe('detectNoise: loops', () => {
  it('recognises our own mailbox as sender, compared ASCII-lowercased', () => {
    expect(brief(detect({ from: 'SUPPORT@Sanarise.example' }))).toEqual({ kind: 'loop', acknowledge: false, reasons: ['from our own address'] });
    expect(detect({ from: 'management@sanarise.example' }).kind).toBe('loop');
  });

  it('recognises a Message-ID in our domain', () => {
    expect(brief(detect({ messageId: '<ack.42@SLAGATE.sanarise.example>' }))).toEqual({ kind: 'loop', acknowledge: false, reasons: ['our message-id'] });
  });

  it('does not take a Message-ID whose domain merely ends like ours for ours', () => {
    expect(detect({ messageId: '<x@evil-slagate.sanarise.example>' }).kind).toBeNull();
  });

  it('recognises our loop header', () => {
    expect(brief(detect({ headers: { 'X-Slagate-Loop': 'support' } }))).toEqual({ kind: 'loop', acknowledge: false, reasons: ['x-slagate-loop header'] });
  });

  it('calls our own acknowledgement coming back a loop, not an auto-reply', () => {
    const v = detect({ messageId: '<ack.1@slagate.sanarise.example>', headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(v.kind).toBe('loop');
    expect(v.reasons).toEqual(['auto-submitted: auto-replied', 'our message-id']);
  });
});
