import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig, type SmtpSettings } from '../../src/config.js';
import { SlagateError } from '../../src/errors.js';
import { createSmtpSender } from '../../src/smtp/create-smtp-sender.js';
import type { MailSender, SendableMail } from '../../src/smtp/mail-sender.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

/** The gateway's pooled SMTP sender: the mail as given, the server's answers and errors with their codes. */
let sink: SmtpSink;
let sender: MailSender;

const mail = (n: number): SendableMail => ({
  messageId: `<thread.${n}@slagate.test>`,
  fromAddress: { name: 'Sanarise Destek', address: 'support@sanarise.example' },
  replyTo: null,
  to: [{ name: 'Çağla Öztürk', address: 'cagla@client.example' }],
  cc: [{ name: '', address: 'copy@client.example' }],
  subject: `[#SR-${n}] Fatura hatası`,
  text: 'Merhaba Çağla,\n\nTalebiniz alındı.\n',
  html: '<p>Merhaba Çağla,</p>',
  headers: { 'Auto-Submitted': 'auto-replied', 'X-Slagate-Ticket': `SR-${n}` },
  attachments: [{ filename: 'rapor.txt', contentType: 'text/plain', contentBase64: Buffer.from('rapor').toString('base64') }],
});

function settings(): SmtpSettings {
  return parseConfig({ ...DEFAULT_CONFIG_INPUT, smtp: { host: sink.host, port: sink.port, maxConnections: 2, connectionTimeoutMs: 5_000 } }).smtp!;
}

beforeEach(async () => {
  sink = await startSmtpSink();
  sender = createSmtpSender(settings());
});
afterEach(async () => {
  await sender.close();
  await sink.close();
});

describe('the pooled SMTP sender', () => {
  it('delivers mails with their Message-IDs, recipients, headers and attachment', async () => {
    const results = await Promise.all([1, 2, 3].map((n) => sender.send(mail(n))));
    expect(results.map((r) => r.accepted.sort())).toEqual(Array(3).fill(['cagla@client.example', 'copy@client.example']));
    expect(sink.accepted.map((m) => m.messageId).sort()).toEqual(['<thread.1@slagate.test>', '<thread.2@slagate.test>', '<thread.3@slagate.test>']);
    const raw = sink.accepted[0]!.raw;
    expect(raw).toMatch(/^Auto-Submitted: auto-replied\r$/m);
    expect(raw).toMatch(/filename=rapor\.txt/);
    expect(sink.accepted[0]!.to.sort()).toEqual(['cagla@client.example', 'copy@client.example']); // the envelope: To and Cc
    expect(sender.concurrency).toBe(2);
  });

  it('reports a refused recipient beside the accepted one, with the server answer', async () => {
    sink.policy.rcpt = (address) => (address === 'copy@client.example' ? { code: 550, message: 'no such user' } : undefined);
    const result = await sender.send(mail(4));
    expect(result.accepted).toEqual(['cagla@client.example']);
    expect(result.rejected).toEqual([{ address: 'copy@client.example', response: expect.stringMatching(/^550/) }]);
  });

  it('gives a permanent refusal its code', async () => {
    sink.policy.data = () => ({ code: 554, message: 'content rejected' });
    const refused = await sender.send(mail(5)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SlagateError);
    expect(refused).toMatchObject({ code: 'SMTP_PERMANENT', retryable: false });
  });

  it('holds a mail while both connections are busy and refuses it unsent (SMTP_NOT_STARTED) once it waited past its maxWaitMs', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => { answer = resolve; });
    sink.policy.holdAnswer = () => answered;
    expect(sender.holdsOneMore).toBe(true);
    const busy = [7, 8].map((n) => sender.send(mail(n)));
    // Both connections hold a mail before the next two are handed over: under load connecting can
    // take longer than the wait allowed, and the wait is timed from the sender's receipt.
    while (sink.received.length < 2) await new Promise((r) => setTimeout(r, 10));
    const late = sender.send({ ...mail(9), maxWaitMs: 150 }).catch((e: unknown) => e);
    const patient = sender.send({ ...mail(10), maxWaitMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    answer();
    await Promise.all(busy);
    expect(await late).toMatchObject({ code: 'SMTP_NOT_STARTED', retryable: true });
    expect((await patient).accepted.length).toBe(2);
    // The refused one never reached the server; the patient one went once a connection freed.
    expect(sink.received.map((m) => m.messageId).sort()).toEqual(['<thread.10@slagate.test>', '<thread.7@slagate.test>', '<thread.8@slagate.test>']);
  });

  it('says SMTP_CONNECTION, retryable, when the server turns connections away', async () => {
    sink.policy.refuseConnections = true;
    const down = await sender.send(mail(6)).catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'SMTP_CONNECTION', retryable: true });
  });
});
