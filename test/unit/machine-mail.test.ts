import { describe, expect, it } from 'vitest';
import { failedRecipientsInText } from '../../src/inbound/bounce-text.js';
import { classifyMachineMail, type MachineMailContext } from '../../src/inbound/machine-mail.js';
import { parsedMail, type ParsedMailOverrides } from '../helpers/parsed-mail-factory.js';

const ctx: MachineMailContext = { ownAddresses: ['support@sanarise.example'], messageIdDomain: 'slagate.sanarise.example', allowedLists: [] };
const classify = (o: ParsedMailOverrides) => classifyMachineMail(parsedMail(o), ctx);
const daemon = { from: 'Mail Delivery System <MAILER-DAEMON@mx.client.example>', returnPath: '' } as const;

describe('classifyMachineMail: auto-replies, in both languages', () => {
  it.each([
    'Otomatik yanıt: [#SR-1042] Fatura', 'OTOMATİK YANIT: Fatura', 'Otomatik Cevap: Fatura', 'Ofis Dışında: Fatura', 'İzindeyim',
    'İzindeyim: 20 Mart\'a kadar', 'Automatic reply: Invoice', 'Out of Office: Invoice', 'Auto-Reply: Invoice', 'Vacation: back on Monday',
  ])('reads the subject %j as an auto-reply', (subject) => {
    expect(classify({ subject })).toMatchObject({ kind: 'auto-reply', acknowledge: false, signals: ['auto-reply subject'] });
  });

  it.each([
    'İzindeyim ama fatura ekranı acil', 'Out of office settings do not save', 'Otomatik yanıt kuralı nasıl kurulur?', 'Ofis dışında VPN çalışmıyor',
  ])('leaves a person writing %j a person', (subject) => {
    expect(classify({ subject })).toMatchObject({ kind: 'person', acknowledge: true, signals: [] });
  });

  it('reads a read receipt (RFC 8098) as an auto-reply naming the mail it is about', () => {
    const v = classify({
      subject: 'Okundu: Fatura', contentType: 'multipart/report; report-type=disposition-notification',
      dispositionNotification: { disposition: 'manual-action/mdn-sent-manually; displayed', originalMessageId: '<ack.1@slagate.sanarise.example>' },
    });
    expect(v).toMatchObject({ kind: 'auto-reply', reportedMessageId: '<ack.1@slagate.sanarise.example>' });
  });

  it('reads a challenge from an automatic sender as challenge-response, and the same words from a person as a person', () => {
    const text = 'Your message is being held. Please verify that you are a human by clicking the link below.';
    expect(classify({ subject: 'Please confirm your message', text, headers: { 'Auto-Submitted': 'auto-replied' } }).kind).toBe('challenge-response');
    expect(classify({ subject: 'Please confirm your message', text }).kind).toBe('person');
  });
});

describe('classifyMachineMail: lists, bulk and noreply', () => {
  it('reads a newsletter from noreply@ with List-Unsubscribe (RFC 8058 one-click) as bulk', () => {
    const v = classify({ from: 'Vendor <noreply@news.vendor.example>', headers: { 'List-Unsubscribe': '<https://u.example/1>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
    expect(v).toMatchObject({ kind: 'bulk', acknowledge: false });
    expect(v.signals).toEqual(['list-unsubscribe header', 'noreply sender']);
  });

  it('reads noreply@ with Precedence: bulk as noreply mail, and noreply@ alone (a forum relaying a person) as a person', () => {
    expect(classify({ from: 'no-reply@crm.example', headers: { Precedence: 'bulk', 'Auto-Submitted': 'auto-generated' } }).kind).toBe('bulk');
    expect(classify({ from: 'do-not-reply@crm.example', headers: { 'List-Id': 'Bad list id' } }).kind).toBe('noreply');
    expect(classify({ from: 'Sandy M. <noreply@forum.example>' })).toMatchObject({ kind: 'person', acknowledge: true, signals: ['noreply sender'] });
  });

  it('lets a list named by List-Id or list address through, never acknowledged', () => {
    const allowed = { ...ctx, allowedLists: ['odoo-tr@lists.example'] };
    const v = classifyMachineMail(parsedMail({ to: [{ name: '', address: 'odoo-tr@lists.example' }], headers: { 'List-Id': '<odoo-tr.lists.example>' } }), allowed);
    expect(v).toMatchObject({ kind: 'person', acknowledge: false, allowedList: 'odoo-tr@lists.example' });
  });
});

describe('classifyMachineMail: delivery reports', () => {
  it('reads a DSN: failed recipients, status code without its comment, permanence', () => {
    const v = classify({
      ...daemon, subject: 'Undelivered Mail Returned to Sender', contentType: 'multipart/report; report-type=delivery-status',
      deliveryReport: { originalMessageId: '<ack.7@slagate.sanarise.example>', recipients: [
        { address: 'gone@client.example', status: '5.1.1 (user unknown)', action: 'failed', diagnostic: null },
        { address: 'full@client.example', status: '4.2.2', action: 'failed', diagnostic: null },
        { address: 'late@client.example', status: '4.4.7', action: 'delayed', diagnostic: null },
      ] },
    });
    expect(v).toMatchObject({ kind: 'delivery-failure', reportedMessageId: '<ack.7@slagate.sanarise.example>' });
    expect(v.failed).toEqual([
      { address: 'gone@client.example', status: '5.1.1', permanent: true },
      { address: 'full@client.example', status: '4.2.2', permanent: false },
    ]);
  });

  it('reads a DSN whose recipients were all delayed as delivery-delayed', () => {
    const v = classify({ ...daemon, contentType: 'multipart/report; report-type=delivery-status', deliveryReport: { originalMessageId: null, recipients: [{ address: 'a@b.example', status: '4.4.7', action: 'delayed', diagnostic: null }] } });
    expect(v.kind).toBe('delivery-delayed');
  });

  it('reads an Exim bounce in prose, and finds our Message-ID in the returned copy', () => {
    const text = [
      'This message was created automatically by mail delivery software.', '',
      'A message that you sent could not be delivered to one or more of its', 'recipients. This is a permanent error. The following address(es) failed:', '',
      '  musteri@example.com', '    SMTP error from remote mail server after RCPT TO:<musteri@example.com>:', '    host mx.example.com [192.0.2.1]: 550 5.1.1 User unknown', '',
      '------ This is a copy of the message, including all the headers. ------', '',
      'Received: from slagate by mx.sanarise.example', 'Message-ID: <ack.9@slagate.sanarise.example>', 'To: musteri@example.com',
    ].join('\n');
    const v = classify({ ...daemon, subject: 'Mail delivery failed: returning message to sender', text });
    expect(v).toMatchObject({ kind: 'delivery-failure', reportedMessageId: '<ack.9@slagate.sanarise.example>', failed: [{ address: 'musteri@example.com', status: '5.1.1', permanent: true }] });
    expect(v.signals).toEqual(expect.arrayContaining(['null return path', 'from mailer-daemon', 'bounce subject', 'status 5.1.1, 550']));
  });

  it('reads a Turkish bounce subject from the mail system', () => {
    expect(classify({ ...daemon, subject: 'Teslim Edilemedi: Fatura', text: 'İleti şu alıcılara teslim edilemedi:\n\n  musteri@example.com\n' }).kind).toBe('delivery-failure');
  });

  it('takes qmail\'s "I\'ve given up" after a 4xx for a failure that is not permanent', () => {
    const text = "Hi. This is the qmail-send program at mx.example.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<x@y.example>:\nRemote host said: 421 4.7.0 temporarily deferred\n\n--- Below this line is a copy of the message.\n";
    const v = classify({ ...daemon, subject: 'failure notice', text });
    expect(v).toMatchObject({ kind: 'delivery-failure', failed: [{ address: 'x@y.example', status: '4.7.0', permanent: false }] });
  });

  it('reads a delay warning as delivery-delayed, but one that says the server gave up as a failure', () => {
    const subject = 'Warning: could not send message for past 4 hours';
    expect(classify({ ...daemon, subject, text: '**********************************************\n**  THIS IS A WARNING MESSAGE ONLY  **\nThe original message was received at Mon.\nWill keep trying until the message is 5 days old.\n' }).kind).toBe('delivery-delayed');
    expect(classify({ ...daemon, subject, text: 'The message to <x@y.example> is still queued.\nI\'m not going to try again; this message has been in the queue too long.\n' }).kind).toBe('delivery-failure');
  });

  it('leaves a person who forwards or pastes a bounce a person', () => {
    const text = 'This message was created automatically by mail delivery software.\n550 5.1.1 <musteri@example.com>: User unknown';
    expect(classify({ subject: 'Fwd: Mail delivery failed: returning message to sender', text })).toMatchObject({ kind: 'person', acknowledge: true });
    expect(classify({ subject: 'İLT: Teslim edilemedi', text })).toMatchObject({ kind: 'person', acknowledge: true });
  });

  it('reads an abuse feedback report (RFC 5965) with who complained', () => {
    const v = classify({
      from: 'feedbackloop@isp.example', subject: 'FW: Fatura', contentType: 'multipart/report; report-type=feedback-report',
      feedbackReport: { feedbackType: 'abuse', originalRcptTo: ['musteri@example.com'], originalMailFrom: 'support@sanarise.example' },
      returnedMessageIds: ['<ack.3@slagate.sanarise.example>'],
    });
    expect(v).toMatchObject({ kind: 'feedback-report', reportedMessageId: '<ack.3@slagate.sanarise.example>', failed: [{ address: 'musteri@example.com', permanent: false }] });
    expect(v.signals).toContain('feedback-type: abuse');
  });
});

describe('failedRecipientsInText', () => {
  it('does not take the sender an Exim report names first for a failed recipient', () => {
    const text = 'A message sent by\n\n  <shironeko@example.com>\n\ncould not be delivered to one or more of its recipients. The following\naddress(es) failed:\n\n  kijitora@example.org\n    all hosts have been failing\n';
    expect(failedRecipientsInText(text, new Set()).map((r) => r.address)).toEqual(['kijitora@example.org']);
  });

  it('never names our own mailbox as failed', () => {
    expect(failedRecipientsInText('<support@sanarise.example>:\n550 5.1.1 unknown\n<x@y.example>:\n550 5.1.1 unknown\n', new Set(['support@sanarise.example'])).map((r) => r.address)).toEqual(['x@y.example']);
  });
});
