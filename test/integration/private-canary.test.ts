import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { parseMail } from '../../src/inbound/parse-mail.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { eventually } from '../helpers/eventually.js';
import { buildMail } from '../helpers/mail-builder.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const MANAGER = 'manager@sanarise.example';
const AGENT = 'ayse@sanarise.example';
const LEAD = 'lead@sanarise.example';
const SUPPORT = 'support@sanarise.example';
const MANAGEMENT = 'management@sanarise.example';

/**
 * Issue 20's canary: complaints in every addressing arrangement, each carrying a unique canary in
 * its subject and body, go through real Dovecot, PostgreSQL and the SMTP sink. Then every surface
 * the team can see is searched for any canary: every mail to a non-manager, the gateway's log
 * lines, every CLI listing without --private, /api/*, /metrics, and the monthly report. Managers
 * must have received them (the check is not vacuous), and team mail must exist too.
 */
describe('nothing of the management channel reaches the team (canary, end to end)', () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;
  let database: TestDatabase;
  let gateway: Gateway;
  let dir: string;
  let configPath: string;
  const logLines: string[] = [];
  const canaries: string[] = [];
  const canary = (name: string) => {
    const c = `CANARY-${name}-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    canaries.push(c);
    return c;
  };

  beforeAll(async () => {
    dovecot = await startDovecot({ users: ['support', 'management'] });
    sink = await startSmtpSink();
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'slagate-canary-'));
    const imap = (user: string) => ({
      host: dovecot.host, port: dovecot.port, secure: false, user, password: dovecot.password(user),
      backoffInitialMs: 50, backoffMaxMs: 1000, socketTimeoutMs: 10_000, maxIdleTimeMs: 10_000,
    });
    const input = {
      mailboxes: {
        support: { address: SUPPORT, name: 'Sanarise Destek', imap: imap('support') },
        management: { address: MANAGEMENT, name: 'Sanarise Yönetim', imap: imap('management') },
      },
      people: [
        { address: AGENT, name: 'Ayşe Yılmaz', role: 'agent', language: 'tr' },
        { address: LEAD, name: 'Zeynep Kaya', role: 'lead', language: 'tr' },
        { address: MANAGER, name: 'Can Öztürk', role: 'manager', language: 'tr' },
      ],
      smtp: { host: sink.host, port: sink.port, secure: false, tlsRejectUnauthorized: false },
      http: { port: 0 },
      outbox: { pollIntervalMs: 50, backoffInitialMs: 100, backoffMaxMs: 1000, leaseMs: 10_000 },
    };
    const config = testConfig(database.url, input);
    configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ ...DEFAULT_CONFIG_INPUT, ...input, database: { url: database.url }, tokenSecret: config.tokenSecret }));
    // The gateway's log, as it would go to stderr, at info level.
    const stream = new PassThrough();
    stream.on('data', (d: Buffer) => logLines.push(...d.toString('utf8').split('\n').filter(Boolean)));
    gateway = await startGateway(config, { logger: pino({ level: 'info' }, stream) });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await dovecot?.stop();
    await sink?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    err.on('data', (c: Buffer) => chunks.push(c));
    await main(['node', 'slagate', '--config', configPath, ...args], { out, err });
    return Buffer.concat(chunks).toString('utf8');
  };
  const rawCount = async () => (await database.db.select({ id: rawMail.id }).from(rawMail)).length;
  let appended = 0;
  const append = async (mailbox: 'support' | 'management', raw: Buffer) => {
    await dovecot.append(mailbox, 'INBOX', raw);
    appended += 1;
    // One copy at a time, so the arrival order is the one written here.
    await eventually(async () => (await rawCount()) >= appended, 30_000, `mail ${appended} to be ingested`);
  };

  it('every arrangement stays with management; no team surface shows a canary or a complaint subject', async () => {
    const client = 'Deniz Arslan <deniz@anadolu.example>';
    const subjects: string[] = [];
    const complaint = (name: string, extra: Parameters<typeof buildMail>[0]) => {
      const c = canary(name);
      const subject = (extra.subject ?? 'Temsilci hakkında {c}').replace('{c}', c);
      subjects.push(subject.replace(/^(Şikayet:|\[Hata\] \[Şikayet\])\s*/, ''));
      return buildMail({ from: client, ...extra, subject, body: `Merhaba,\n\nMehmet Bey toplantıya gelmedi. ${c}\n\nDeniz` });
    };

    // A team ticket too, so the team does get mail and the search below is not vacuous.
    await append('support', buildMail({ from: 'Ali Veli <ali@musteri.example>', subject: '[Kritik] Stok ekranı açılmıyor', messageId: '<team-1@musteri.example>' }));

    // To management, Cc support; the support copy first, then the other way round.
    const toCc1 = complaint('TOCC-SUPPORT-FIRST', { to: MANAGEMENT, cc: SUPPORT, messageId: '<tocc-1@anadolu.example>' });
    await append('support', toCc1);
    await append('management', toCc1);
    const toCc2 = complaint('TOCC-MGMT-FIRST', { to: MANAGEMENT, cc: SUPPORT, messageId: '<tocc-2@anadolu.example>' });
    await append('management', toCc2);
    await append('support', toCc2);
    // Cc management on a mail to support.
    const ccMgmt = complaint('CC-MGMT', { to: SUPPORT, cc: MANAGEMENT, messageId: '<ccm-1@anadolu.example>' });
    await append('support', ccMgmt);
    await append('management', ccMgmt);
    // Bcc management: the management copy first (the support copy carries no trace of it).
    const bcc = complaint('BCC', { to: SUPPORT, messageId: '<bcc-1@anadolu.example>' });
    await append('management', bcc);
    await append('support', bcc);
    // Tags in any position, and the Turkish prefix, to support alone.
    await append('support', complaint('TAG-SECOND', { subject: '[Hata] [Şikayet] Fatura ekibi {c}', messageId: '<tag-1@anadolu.example>' }));
    // The prefixed complaint and the client's reply below each carry a screenshot: the managers get
    // the files themselves; no team mail carries their bytes or names (the names hold a canary).
    const screenshot = (name: string) => {
      const c = canary(name);
      return { filename: `ekran-${c}.png`, contentType: 'image/png', content: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(`PNG-BYTES-${c}`.repeat(40))]) };
    };
    const complaintShot = screenshot('SHOT-COMPLAINT');
    await append('support', complaint('PREFIX', { subject: 'Şikayet: destek ekibi {c}', messageId: '<prefix-1@anadolu.example>', attachments: [complaintShot] }));

    // The client answers the private acknowledgement with the team Cc'd, both copies arriving.
    await eventually(async () => sink.accepted.some((m) => m.to.includes('deniz@anadolu.example') && m.raw.includes('tocc-1@anadolu.example')), 30_000, 'the private acknowledgement');
    const ack = await parseMail(Buffer.from(sink.accepted.find((m) => m.to.includes('deniz@anadolu.example') && m.raw.includes('tocc-1@anadolu.example'))!.raw), { maxTextChars: 100_000 });
    const replyCanary = canary('REPLY-CC-TEAM');
    const replyShot = screenshot('SHOT-REPLY');
    const reply = buildMail({ from: client, to: MANAGEMENT, cc: SUPPORT, subject: `Re: ${ack.subject}`, inReplyTo: ack.messageId!, references: ack.messageId!,
      messageId: '<reply-1@anadolu.example>', body: `Bir şey daha: ${replyCanary}\n`, attachments: [replyShot] });
    await append('management', reply);
    await append('support', reply);

    // An agent forwards something into the private thread (plain management address, no token).
    const privateNumber = (await database.db.select().from(tickets).where(eq(tickets.private, true)))[0]!.number;
    const forwardCanary = canary('AGENT-FORWARD');
    await append('management', buildMail({ from: `Ayşe Yılmaz <${AGENT}>`, to: MANAGEMENT, subject: `Fwd: [#${privateNumber}] bilgi ${forwardCanary}`, body: `İletiyorum: ${forwardCanary}` }));

    // Everything due sent (staff mail may be held for business hours: those rows are searched below).
    await eventually(async () => {
      const rows = await database.db.select().from(outbox);
      return rows.filter((r) => r.notBefore.getTime() <= Date.now()).every((r) => r.status !== 'pending' && r.status !== 'sending')
        && sink.accepted.length === rows.filter((r) => r.status === 'sent').length;
    }, 60_000, 'the outbox to drain');

    const hidden = [...canaries, ...subjects];
    const leaks: string[] = [];
    const check = (surface: string, text: string) => {
      for (const needle of hidden) if (text.includes(needle)) leaks.push(`${surface}: ${needle}`);
      if (/\bYN-\d+/.test(text)) leaks.push(`${surface}: a private number`);
    };

    // Every mail to anyone but the manager (the team, and the client's own mail is theirs anyway).
    const teamAddresses = new Set([AGENT, LEAD]);
    let teamMails = 0;
    for (const m of sink.accepted) {
      const mail = await parseMail(Buffer.from(m.raw), { maxTextChars: 1_000_000 });
      const decoded = JSON.stringify([mail.subject, mail.text, mail.html, mail.headers]);
      if (m.to.some((a) => teamAddresses.has(a))) {
        teamMails += 1;
        check(`mail to ${m.to.join(',')} "${mail.subject}"`, decoded + m.raw);
      }
    }
    expect(teamMails, 'the team got mail (the team ticket)').toBeGreaterThan(0);
    // Mail to the team still held for business hours, as it would go out.
    for (const row of await database.db.select().from(outbox)) {
      if (row.status !== 'sent' && [...row.to, ...row.cc].some((a) => teamAddresses.has(a.address))) {
        check(`held ${row.kind} to ${row.to[0]!.address}`, JSON.stringify([row.subject, row.text, row.html, row.headers]));
      }
    }
    // Managers did get every complaint, at arrival.
    const toManager = (await Promise.all(sink.accepted.filter((m) => m.to.includes(MANAGER)).map((m) => parseMail(Buffer.from(m.raw), { maxTextChars: 1_000_000 }))))
      .map((m) => m.text).join('\n');
    for (const c of canaries.filter((c) => !c.includes('AGENT-FORWARD') && !c.includes('REPLY') && !c.includes('SHOT'))) expect(toManager, c).toContain(c);
    // The complaint's screenshot travels with the managers' notice at arrival: the same bytes the
    // client attached (sha256), under the client's own file name, at the sink.
    const sha = (content: Buffer) => createHash('sha256').update(content).digest('hex');
    const managerFiles = (await Promise.all(sink.accepted.filter((m) => m.to.includes(MANAGER)).map((m) => parseMail(Buffer.from(m.raw), { maxTextChars: 1_000_000 }))))
      .flatMap((m) => m.attachments.map((a) => `${a.filename} ${a.sha256}`));
    expect(managerFiles, complaintShot.filename).toContain(`${complaintShot.filename} ${sha(complaintShot.content)}`);
    // The reply's forward to the managers may wait for business hours: it carries the file too (a
    // stored reference the outbox worker turns into those bytes when it sends).
    const replyForward = (await database.db.select().from(outbox))
      .filter((r) => r.kind === 'client-reply-forward' && r.to.some((a) => a.address === MANAGER))
      .flatMap((r) => (r.attachments ?? []).map((a) => `${a.filename} ${'stored' in a ? a.stored.sha256 : sha(Buffer.from((a as { contentBase64: string }).contentBase64, 'base64'))}`));
    expect(replyForward, replyShot.filename).toContain(`${replyShot.filename} ${sha(replyShot.content)}`);
    // Exactly one acknowledgement per complaint, all from management.
    const acks = (await database.db.select().from(outbox)).filter((r) => r.kind.startsWith('acknowledgement') && r.to.some((a) => a.address === 'deniz@anadolu.example'));
    expect(acks).toHaveLength(6);
    expect(acks.every((a) => a.fromAddress.address === MANAGEMENT)).toBe(true);

    check('gateway log', logLines.join('\n'));

    const ids = (await database.db.select({ id: outbox.id }).from(outbox)).map((r) => r.id);
    check('outbox list', await cli('outbox', 'list', '--limit', '500'));
    check('outbox list --json', await cli('outbox', 'list', '--limit', '500', '--json'));
    for (const id of ids) check(`outbox show ${id}`, await cli('outbox', 'show', String(id)));
    check('quarantine list', await cli('quarantine', 'list'));
    check('tickets list', await cli('tickets', 'list', '--limit', '500'));
    check('tickets list --json', await cli('tickets', 'list', '--limit', '500', '--json'));
    for (const t of await database.db.select().from(tickets)) {
      const shown = await cli('ticket', 'show', t.number);
      // A private number is answered exactly like one that does not exist (the number echoed is the operator's own).
      if (t.private) expect(shown).toContain(`no ticket or mail ${t.number} `);
      check(`ticket show ${t.number}`, shown.replaceAll(t.number, '<asked>'));
    }
    for (const id of ['<tocc-1@anadolu.example>', '<tocc-2@anadolu.example>', '<ccm-1@anadolu.example>', '<bcc-1@anadolu.example>', '<tag-1@anadolu.example>', '<prefix-1@anadolu.example>', '<reply-1@anadolu.example>']) {
      check(`ticket show ${id}`, await cli('ticket', 'show', id));
    }
    check('report monthly', await cli('report', 'monthly', '--month', new Date().toISOString().slice(0, 7), '--format', 'md'));

    const http = gateway.endpoints().http!;
    for (const path of ['/api/tickets?limit=500', '/api/outbox?limit=500', '/metrics']) {
      const body = await (await fetch(`http://${http.host}:${http.port}${path}`)).text();
      check(path, body);
      // A series of management's own would count the complaints for the team.
      if (body.includes('mailbox="management"')) leaks.push(`${path}: a management mailbox series`);
    }
    expect(leaks).toEqual([]);

    // With --private the operator does see them: the search above would find them if shown.
    expect(await cli('outbox', 'list', '--limit', '500', '--private')).toContain(subjects[0]!.slice(0, 20));
  }, 300_000);
});
