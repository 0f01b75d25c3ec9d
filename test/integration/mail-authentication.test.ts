import { and, eq, inArray, lte } from 'drizzle-orm';
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { dkimSign } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/outbox.js';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { parseMail } from '../../src/inbound/parse-mail.js';
import type { ParsedMail } from '../../src/inbound/parsed-mail.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { eventually } from '../helpers/eventually.js';
import { buildMail } from '../helpers/mail-builder.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp-sink.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Issue 21, item 5, end to end (Dovecot, PostgreSQL, SMTP sink) with `authentication.mode:
 * "verify"`: slagate judges each mail itself with mailauth, over a DNS that is a table here (a
 * generated DKIM key, DMARC records), so no network is asked.
 */
const AYSE = 'ayse@sanarise.example';
const SELECTOR = 'mail2026';

describe('authentication mode verify: DKIM and DMARC judged by slagate', () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;
  let database: TestDatabase;
  let gateway: Gateway;
  let seq = 0;
  let appended = 0;
  const lookups: string[] = [];
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const records: Record<string, string[][]> = {
    // Our staff's domain signs its mail and publishes a reject policy.
    [`${SELECTOR}._domainkey.sanarise.example TXT`]: [[`v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`]],
    '_dmarc.sanarise.example TXT': [['v=DMARC1; p=reject; adkim=r; aspf=r']],
    // A client whose domain publishes a reject policy, and one that publishes none.
    '_dmarc.anadolu.example TXT': [['v=DMARC1; p=reject']],
  };
  const resolver = async (name: string, type: string) => {
    lookups.push(`${name} ${type}`);
    const found = records[`${name.toLowerCase()} ${type}`];
    if (found) return found;
    throw Object.assign(new Error(`query${type} ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
  const sign = async (raw: Buffer) => {
    // mailauth 4's typings name top-level keys, but its signer reads signatureData (top-level keys sign nothing).
    const signed = await dkimSign(raw, { signatureData: [{ signingDomain: 'sanarise.example', selector: SELECTOR, privateKey: privatePem }] } as never);
    expect(signed.errors).toEqual([]);
    expect(signed.signatures).toMatch(/^DKIM-Signature: /);
    return Buffer.concat([Buffer.from(signed.signatures), raw]);
  };

  const parsed = new Map<ReceivedMail, ParsedMail>();
  const read = async (m: ReceivedMail) => {
    if (!parsed.has(m)) parsed.set(m, await parseMail(Buffer.from(m.raw), { maxTextChars: 100_000 }));
    return parsed.get(m)!;
  };
  const kindOf = (m: ParsedMail) => /^<([a-z-]+)\./.exec(m.messageId ?? '')?.[1] ?? '';
  const mailTo = async (address: string, kind?: string) => {
    const found: ParsedMail[] = [];
    for (const m of sink.accepted) if (m.to.includes(address) && (!kind || kindOf(await read(m)) === kind)) found.push(await read(m));
    return found;
  };
  const settled = async () => {
    await eventually(async () => (await database.db.select().from(rawMail)).filter((r) => r.decision !== 'pending').length >= appended, 60_000, `${appended} mails ingested`);
    await eventually(async () => (await database.db.select({ id: outbox.id }).from(outbox)
      .where(and(inArray(outbox.status, ['pending', 'sending']), lte(outbox.notBefore, new Date())))).length === 0, 60_000, 'the outbox to drain');
  };
  const append = async (raw: Buffer) => {
    appended += 1;
    await dovecot.append('support', 'INBOX', [raw]);
    await settled();
  };
  const rawRowOf = async (messageId: string) => {
    const rows = await database.db.select().from(rawMail);
    const row = rows.find((r) => r.messageId === messageId);
    if (!row) throw new Error(`no raw mail ${messageId} among ${JSON.stringify(rows.map((r) => [r.messageId, r.decision, r.reason]))}`);
    return row;
  };
  /** A critical ticket (never held for business hours) from a client whose domain has no DMARC, and Ayşe's notice of it. */
  async function clientTicket(subject: string) {
    const messageId = `<client-${++seq}@musteri.example>`;
    await append(buildMail({ from: `Deniz Arslan <deniz@musteri.example>`, subject: `[Kritik] ${subject}`, messageId }));
    const [ticket] = await database.db.select().from(tickets).where(eq(tickets.subject, `[Kritik] ${subject}`));
    const notice = (await mailTo(AYSE, 'team-new-ticket')).find((m) => m.subject.includes(subject))!;
    return { ticket: ticket!, notice };
  }
  const reply = (notice: ParsedMail, body: string) => buildMail({
    from: `Ayşe Yılmaz <${AYSE}>`, to: notice.replyTo[0]!.address, subject: `Re: ${notice.subject}`,
    inReplyTo: notice.messageId!, references: notice.messageId!, messageId: `<staff-${++seq}@sanarise.example>`, body,
  });

  beforeAll(async () => {
    dovecot = await startDovecot({ users: ['support', 'management'] });
    sink = await startSmtpSink();
    database = await createTestDatabase();
    const imap = (user: string) => ({
      host: dovecot.host, port: dovecot.port, secure: false, user, password: dovecot.password(user),
      backoffInitialMs: 50, backoffMaxMs: 1000, socketTimeoutMs: 10_000, maxIdleTimeMs: 10_000,
    });
    gateway = await startGateway(testConfig(database.url, {
      mailboxes: {
        support: { address: 'support@sanarise.example', name: 'Sanarise Destek', imap: imap('support') },
        management: { address: 'management@sanarise.example', name: 'Sanarise Yönetim', imap: imap('management') },
      },
      smtp: { host: sink.host, port: sink.port, secure: false, tlsRejectUnauthorized: false },
      http: { port: 0 },
      outbox: { pollIntervalMs: 50, backoffInitialMs: 100, backoffMaxMs: 1000, leaseMs: 10_000 },
      authentication: { mode: 'verify' },
    }), { logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), dnsResolver: resolver });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await dovecot?.stop();
    await sink?.close();
    await database?.drop();
  });

  it('applies a staff reply DKIM-signed by the staff domain (DMARC pass): the client gets the answer', async () => {
    const { ticket, notice } = await clientTicket('Odoo açılmıyor');
    const raw = await sign(reply(notice, 'Merhaba, sunucuyu yeniden başlattık; tekrar dener misiniz?'));
    await append(raw);
    const row = await rawRowOf(`<staff-${seq}@sanarise.example>`);
    expect(row.decision).toBe('reply');
    const answers = await mailTo('deniz@musteri.example', 'agent-relay');
    expect(answers.map((m) => m.text).join('\n')).toContain('sunucuyu yeniden başlattık');
    expect((await database.db.select().from(tickets).where(eq(tickets.id, ticket.id)))[0]!.firstResponseAt).not.toBeNull();
    // The lookups went to the table, never to the network: the key and the policy were asked for.
    expect(lookups).toContain(`${SELECTOR}._domainkey.sanarise.example TXT`);
    expect(lookups).toContain('_dmarc.sanarise.example TXT');
  }, 180_000);

  it('refuses a staff reply that fails DMARC (unsigned, valid reply token): nothing applied, one private notice', async () => {
    const { ticket, notice } = await clientTicket('Fatura kesilemiyor');
    const before = sink.accepted.length;
    await append(reply(notice, '#status resolved\n\nÇözüldü, kapatıyorum.'));
    const row = await rawRowOf(`<staff-${seq}@sanarise.example>`);
    expect(row.decision).toBe('refused');
    expect(row.reason).toContain('not-authenticated');
    expect(row.reason).toContain('fails DMARC');
    const after = (await database.db.select().from(tickets).where(eq(tickets.id, ticket.id)))[0]!;
    expect(after).toMatchObject({ status: 'new', resolvedAt: null, firstResponseAt: null });
    const sent = await Promise.all(sink.accepted.slice(before).map(read));
    // Nothing to the client; to Ayşe, at her configured address, the one notice saying why.
    expect(sent.filter((m) => m.to.some((a) => a.address === 'deniz@musteri.example'))).toEqual([]);
    const notices = sent.filter((m) => kindOf(m) === 'staff-mail-refused');
    expect(notices.map((m) => m.to.map((a) => a.address))).toEqual([[AYSE]]);
    expect(notices[0]!.text).toContain('DMARC');
  }, 180_000);

  it('opens a ticket for a client mail failing DMARC but sends it no acknowledgement; a client without DMARC is acknowledged', async () => {
    const forgedId = `<forged-${++seq}@anadolu.example>`;
    await append(buildMail({ from: 'Müşteri <info@anadolu.example>', subject: '[Soru] Sahte gönderen', messageId: forgedId }));
    const forged = await rawRowOf(forgedId);
    expect(forged.decision).toBe('new-ticket');
    expect(forged.acknowledge).toBe(false);
    expect(forged.reason).toContain('fails DMARC for anadolu.example');
    const [ticket] = await database.db.select().from(tickets).where(eq(tickets.requesterAddress, 'info@anadolu.example'));
    expect(ticket).toBeDefined();
    expect(await mailTo('info@anadolu.example')).toEqual([]);
    expect((await database.db.select().from(outbox).where(and(eq(outbox.ticketId, ticket!.id), eq(outbox.kind, 'acknowledgement'))))).toEqual([]);

    const realId = `<real-${++seq}@musteri.example>`;
    await append(buildMail({ from: 'Deniz Arslan <deniz@musteri.example>', subject: '[Soru] Gerçek müşteri', messageId: realId }));
    expect((await rawRowOf(realId)).acknowledge).toBe(true);
    expect((await mailTo('deniz@musteri.example', 'acknowledgement')).some((m) => m.subject.includes('Gerçek müşteri'))).toBe(true);
  }, 180_000);
});
