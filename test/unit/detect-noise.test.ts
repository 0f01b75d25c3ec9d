import { describe, expect, it } from 'vitest';
import { detectNoise } from '../../src/inbound/detect-noise.js';
import { parsedMail, type ParsedMailOverrides } from '../helpers/parsed-mail-factory.js';

const ours = { addresses: ['support@sanarise.example', 'Management@Sanarise.example'], messageIdDomain: 'slagate.sanarise.example' };
const detect = (overrides: ParsedMailOverrides) => detectNoise(parsedMail(overrides), ours);

describe('detectNoise: ordinary mail', () => {
  it('acknowledges a person writing to support', () => {
    expect(detect({})).toEqual({ kind: null, acknowledge: true, reasons: [] });
  });

  it('acknowledges Auto-Submitted: no', () => {
    expect(detect({ headers: { 'Auto-Submitted': 'no' } })).toEqual({ kind: null, acknowledge: true, reasons: [] });
  });

  it('does not take X-Auto-Response-Suppress alone for an auto-reply (Outlook sets it on ordinary mail)', () => {
    expect(detect({ headers: { 'X-Auto-Response-Suppress': 'DR, OOF, AutoReply' } })).toEqual({ kind: null, acknowledge: true, reasons: [] });
  });

  it('does not take a request about out-of-office settings for an auto-reply', () => {
    expect(detect({ subject: 'Out of office settings do not save' }).acknowledge).toBe(true);
  });

  it('does not take a person mentioning a failed delivery for a bounce', () => {
    expect(detect({ subject: 'Undelivered Mail Returned to Sender' })).toEqual({ kind: null, acknowledge: true, reasons: [] });
  });
});

describe('detectNoise: never acknowledged, may still be a ticket', () => {
  it.each<[string, ParsedMailOverrides, string]>([
    ['auto-generated', { headers: { 'Auto-Submitted': 'auto-generated' } }, 'auto-submitted: auto-generated'],
    ['auto-notified with parameters', { headers: { 'Auto-Submitted': 'Auto-Notified; owner-email="x@y"' } }, 'auto-submitted: auto-notified'],
    ['bulk', { headers: { Precedence: 'bulk' } }, 'precedence: bulk'],
    ['list', { headers: { Precedence: 'list' } }, 'precedence: list'],
    ['junk', { headers: { Precedence: 'JUNK' } }, 'precedence: junk'],
    ['List-Id', { headers: { 'List-Id': '<news.vendor.example>' } }, 'list-id header'],
    ['List-Unsubscribe', { headers: { 'List-Unsubscribe': '<mailto:u@vendor.example>' } }, 'list-unsubscribe header'],
    ['List-Post', { headers: { 'List-Post': '<mailto:l@vendor.example>' } }, 'list-post header'],
    ['null return path', { returnPath: '' }, 'null return path'],
    ['MAILER-DAEMON without a bounce subject', { from: 'MAILER-DAEMON@mx.client.example', subject: 'Warning' }, 'from mailer-daemon'],
    ['postmaster without a bounce subject', { from: 'Postmaster <postmaster@client.example>', subject: 'Policy notice' }, 'from postmaster'],
  ])('%s', (_name, overrides, reason) => {
    expect(detect(overrides)).toEqual({ kind: null, acknowledge: false, reasons: [reason] });
  });

  it('gives every reason that applies', () => {
    const verdict = detect({ returnPath: '', headers: { Precedence: 'bulk', 'List-Id': '<l>', 'Auto-Submitted': 'auto-generated' } });
    expect(verdict.reasons).toEqual(['auto-submitted: auto-generated', 'precedence: bulk', 'list-id header', 'null return path']);
  });
});

describe('detectNoise: bounces', () => {
  it('recognises a DSN by its content type', () => {
    const v = detect({ contentType: 'multipart/report; report-type=delivery-status; boundary="b"', from: 'MAILER-DAEMON@mx.example', returnPath: '' });
    expect(v).toMatchObject({ kind: 'bounce', acknowledge: false });
    expect(v.reasons).toContain('delivery status notification');
  });

  it('recognises a DSN the parser read', () => {
    const v = detect({ deliveryReport: { originalMessageId: '<a@slagate.sanarise.example>', recipients: [] } });
    expect(v).toEqual({ kind: 'bounce', acknowledge: false, reasons: ['delivery status notification'] });
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
    expect(v).toEqual({ kind: 'bounce', acknowledge: false, reasons: ['from mailer-daemon', 'bounce subject'] });
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
    ['a read receipt', { contentType: 'multipart/report; report-type=disposition-notification' }, 'read receipt'],
  ])('%s', (_name, overrides, reason) => {
    expect(detect(overrides)).toEqual({ kind: 'auto-reply', acknowledge: false, reasons: [reason] });
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
    expect(detect({ subject })).toEqual({ kind: 'auto-reply', acknowledge: false, reasons: ['auto-reply subject'] });
  });
});

describe('detectNoise: loops', () => {
  it('recognises our own mailbox as sender, compared ASCII-lowercased', () => {
    expect(detect({ from: 'SUPPORT@Sanarise.example' })).toEqual({ kind: 'loop', acknowledge: false, reasons: ['from our own address'] });
    expect(detect({ from: 'management@sanarise.example' }).kind).toBe('loop');
  });

  it('recognises a Message-ID in our domain', () => {
    expect(detect({ messageId: '<ack.42@SLAGATE.sanarise.example>' })).toEqual({ kind: 'loop', acknowledge: false, reasons: ['our message-id'] });
  });

  it('does not take a Message-ID whose domain merely ends like ours for ours', () => {
    expect(detect({ messageId: '<x@evil-slagate.sanarise.example>' }).kind).toBeNull();
  });

  it('recognises our loop header', () => {
    expect(detect({ headers: { 'X-Slagate-Loop': 'support' } })).toEqual({ kind: 'loop', acknowledge: false, reasons: ['x-slagate-loop header'] });
  });

  it('calls our own acknowledgement coming back a loop, not an auto-reply', () => {
    const v = detect({ messageId: '<ack.1@slagate.sanarise.example>', headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(v.kind).toBe('loop');
    expect(v.reasons).toEqual(['auto-submitted: auto-replied', 'our message-id']);
  });
});
