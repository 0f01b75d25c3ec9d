import { and, eq, gt, inArray, lte } from 'drizzle-orm';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/outbox.js';
import { rawMail } from '../../src/db/schema/raw-mail.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { parseMail } from '../../src/inbound/parse-mail.js';
import type { ParsedMail } from '../../src/inbound/parsed-mail.js';
import type { Dovecot } from '../helpers/dovecot.js';
import { eventually } from '../helpers/eventually.js';
import { buildMail } from '../helpers/mail-builder.js';
import { removeTestConfigs, runCli, writeTestConfig } from '../helpers/run-cli.js';
import { startRunningGateway, type RunningGateway } from '../helpers/running-gateway.js';
import type { ReceivedMail, SmtpSink } from '../helpers/smtp-sink.js';
import type { TestDatabase } from '../helpers/test-database.js';

/**
 * Issue 21, end to end against real Dovecot, PostgreSQL and the SMTP sink: each attack on
 * reply-by-email, as an attacker (or a careless colleague) would try it on a running gateway.
 */
const AYSE = 'ayse@sanarise.example';
const MERT = 'mert@sanarise.example';
const MANAGER = 'manager@sanarise.example';
const TOKEN = /\+([a-z2-7]{34})@/i;

describe('reply-by-email cannot be borrowed, replayed or abused', () => {
  let run: RunningGateway;
  let dovecot: Dovecot;
  let sink: SmtpSink;
  let database: TestDatabase;
  let configPath: string;
  const logLines: string[] = [];
  let seq = 0;
  const parsed = new Map<ReceivedMail, ParsedMail>();
  const read = async (m: ReceivedMail) => {
    if (!parsed.has(m)) parsed.set(m, await parseMail(Buffer.from(m.raw), { maxTextChars: 100_000 }));
    return parsed.get(m)!;
  };
  const mailTo = async (address: string, match: (m: ParsedMail) => boolean = () => true) => {
    const found: ParsedMail[] = [];
    for (const m of sink.accepted) if (m.to.includes(address) && match(await read(m))) found.push(await read(m));
    return found;
  };
  const kindOf = (m: ParsedMail) => /^<([a-z-]+)\./.exec(m.messageId ?? '')?.[1] ?? '';
  const rawRows = () => database.db.select().from(rawMail);
  /** Waits until every mail appended so far is ingested and every queued mail is out. */
  const settled = async (rawCount: number) => {
    await eventually(async () => (await rawRows()).filter((r) => r.decision !== 'pending').length >= rawCount, 60_000, `${rawCount} mails ingested`);
    // Mail held for business hours (an escalation to a lead, say) is not due: it does not count.
    await eventually(async () => (await database.db.select({ id: outbox.id }).from(outbox)
      .where(and(inArray(outbox.status, ['pending', 'sending']), lte(outbox.notBefore, new Date())))).length === 0, 60_000, 'the outbox to drain');
  };
  let appended = 0;
  const append = async (mailbox: 'support' | 'management', raw: Buffer | Buffer[]) => {
    const list = Array.isArray(raw) ? raw : [raw];
    appended += list.length;
    await dovecot.append(mailbox, 'INBOX', list);
  };
  /** A client's critical ticket (never held for business hours), and Ayşe's and Mert's notifications. */
  async function clientTicket(subject: string, from = 'Deniz Arslan <deniz@anadolu.example>') {
    const messageId = `<client-${++seq}@anadolu.example>`;
    await append('support', buildMail({ from, subject: `[Kritik] ${subject}`, messageId }));
    await settled(appended);
    const notice = (who: string) => mailTo(who, (m) => m.subject.includes(subject) && kindOf(m) === 'team-new-ticket').then((l) => l[0]!);
    const [row] = await database.db.select().from(tickets).where(eq(tickets.subject, `[Kritik] ${subject}`));
    return { messageId, ticket: row!, ayse: await notice(AYSE), mert: await notice(MERT) };
  }
  const reply = (notice: ParsedMail, m: Parameters<typeof buildMail>[0]) => buildMail({
    from: `Ayşe Yılmaz <${AYSE}>`, to: notice.replyTo[0]!.address, subject: `Re: ${notice.subject}`,
    inReplyTo: notice.messageId!, references: notice.messageId!, messageId: `<staff-${++seq}@sanarise.example>`, ...m,
  });
  const ticketCount = async () => (await database.db.select({ id: tickets.id }).from(tickets)).length;

  beforeAll(async () => {
    const logs = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
    run = await startRunningGateway({
      people: [
        { address: AYSE, name: 'Ayşe Yılmaz', role: 'agent', language: 'tr' },
        { address: MERT, name: 'Mert Demir', role: 'agent', language: 'en' },
        { address: MANAGER, name: 'Can Öztürk', role: 'manager', language: 'tr' },
      ],
      logger: pino({ level: 'debug' }, logs),
    });
    ({ dovecot, sink, database } = run);
    configPath = writeTestConfig({ ...run.input, database: { url: database.url } });
  }, 120_000);
  afterAll(async () => {
    await run?.close();
    removeTestConfigs();
  });

  it('keeps every reply token inside the mail it was written for: Message-IDs, logs, /api, outbox listings', async () => {
    const { ayse, mert } = await clientTicket('Odoo açılmıyor');
    const tokens = [ayse, mert].map((n) => TOKEN.exec(n.replyTo[0]!.address)![1]!.toLowerCase());
    expect(new Set(tokens).size).toBe(2);
    // The agent works it once by mail, so every surface has had a staff reply to show.
    await append('support', reply(ayse, { body: '#qualified\n\nMerhaba, bakıyoruz.' }));
    await settled(appended);

    const leaks: string[] = [];
    const search = (where: string, text: string) => {
      for (const t of tokens) if (text.toLowerCase().includes(t)) leaks.push(where);
    };
    for (const m of sink.accepted) search(`Message-ID ${m.messageId}`, m.messageId ?? '');
    for (const m of sink.accepted) for (const id of [(await read(m)).inReplyTo ?? '', ...(await read(m)).references]) search('References', id);
    search('log', logLines.join(''));
    const http = run.gateway.endpoints().http!;
    for (const path of ['/api/outbox?limit=200', '/api/tickets?limit=200', '/metrics']) {
      search(path, await (await fetch(`http://${http.host}:${http.port}${path}`)).text());
    }
    const list = await runCli(['-c', configPath, 'outbox', 'list', '--json']);
    expect(list.code).toBe(0);
    search('outbox list --json', list.out);
    for (const row of await database.db.select({ id: outbox.id }).from(outbox)) {
      search(`outbox show ${row.id}`, (await runCli(['-c', configPath, 'outbox', 'show', String(row.id)])).out);
    }
    const [t] = await database.db.select().from(tickets).where(eq(tickets.subject, '[Kritik] Odoo açılmıyor'));
    search('ticket show', (await runCli(['-c', configPath, 'ticket', 'show', t!.number])).out);
    expect(leaks).toEqual([]);
  }, 180_000);

  it('a Message-ID read from /api/outbox authorises nothing: a forged manager mail answering it closes nothing', async () => {
    const { ticket } = await clientTicket('Yetki sorunu');
    const http = run.gateway.endpoints().http!;
    const api = await (await fetch(`http://${http.host}:${http.port}/api/outbox?limit=200`)).json() as { outbox: { messageId: string; ticket: string | null }[] };
    const seen = api.outbox.find((o) => o.ticket === ticket.number)!;
    const before = sink.accepted.length;
    await append('support', buildMail({
      from: `Can Öztürk <${MANAGER}>`, to: 'support@sanarise.example', subject: `Re: [#${ticket.number}] Yetki sorunu`,
      inReplyTo: seen.messageId, references: seen.messageId, body: '#status closed\n\nKapatıldı, iyi günler.',
    }));
    await settled(appended);
    const [after] = await database.db.select().from(tickets).where(eq(tickets.id, ticket.id));
    expect(after!.status).not.toBe('closed');
    expect((await mailTo('deniz@anadolu.example', (m) => m.text.includes('Kapatıldı'))).length).toBe(0);
    const newMail = sink.accepted.slice(before);
    expect(newMail.map((m) => m.to).flat()).toEqual([MANAGER]);
  }, 120_000);

  it('staff mail without that person\'s valid token opens nothing, acknowledges and pages no one; each is told once', async () => {
    const { ticket, ayse } = await clientTicket('Fatura hatası');
    const tickets0 = await ticketCount();
    const before = sink.accepted.length;
    const rawBefore = Math.max(0, ...(await rawRows()).map((r) => r.id));
    const token = TOKEN.exec(ayse.replyTo[0]!.address)![1]!;
    const tampered = ayse.replyTo[0]!.address.replace(token, token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11));
    const forged = [
      // An agent's address writing to the plain support address: the critical "client" ticket.
      buildMail({ from: `Ayşe Yılmaz <${AYSE}>`, subject: '[Kritik] Sunucu çöktü', body: 'Acil bakın.' }),
      reply(ayse, { to: tampered, body: '#escalate\n\nDeneme.' }),
      // Mert using Ayşe's reply address.
      reply(ayse, { from: `Mert Demir <${MERT}>`, body: '#status closed\n\nClosing.' }),
      // A flood in Ayşe's name: one notice, not twenty.
      ...Array.from({ length: 20 }, (_, i) => buildMail({ from: `Ayşe Yılmaz <${AYSE}>`, subject: `[Kritik] Flood ${i}`, body: `x${i}` })),
    ];
    await append('support', forged);
    // A manager writing to management@ without a signed address is never a client's new ticket;
    // Ayşe's reply address turned into a management one acts on nothing either.
    await append('management', [
      buildMail({ from: `Can Öztürk <${MANAGER}>`, to: 'management@sanarise.example', subject: `[#${ticket.number}] Şikayet hakkında`, body: '#status resolved' }),
      reply(ayse, { to: ayse.replyTo[0]!.address.replace('support+', 'management+'), body: '#note\nyanlış kutu' }),
    ]);
    await settled(appended);

    expect(await ticketCount()).toBe(tickets0);
    const [after] = await database.db.select().from(tickets).where(eq(tickets.id, ticket.id));
    expect(after).toMatchObject({ status: ticket.status, escalationLevel: 0 });
    const refused = (await database.db.select().from(rawMail).where(gt(rawMail.id, rawBefore))).filter((r) => r.decision === 'refused');
    expect(refused).toHaveLength(forged.length + 2);
    expect(refused.every((r) => r.ticketId === null && /refused \(/.test(r.reason ?? ''))).toBe(true);
    // Only the notices went out, one per member, each to their configured address.
    const sent = sink.accepted.slice(before);
    // The manager was told in the test before, within the window: not again.
    expect(sent.map((m) => m.to.join()).sort()).toEqual([AYSE, MERT]);
    expect(await mailTo(MANAGER, (m) => kindOf(m) === 'staff-mail-refused')).toHaveLength(1);
    // One refusal per member told (Ayşe's first, whichever mailbox was read first, and Mert's); every
    // other one, the manager's included, says the member was already told.
    expect(refused.filter((r) => !r.reason!.includes('already told')).map((r) => `${r.mailbox}: ${r.reason}`)).toHaveLength(2);
    for (const m of sent) expect(kindOf(await read(m))).toBe('staff-mail-refused');
    const [toMert] = await mailTo(MERT, (m) => kindOf(m) === 'staff-mail-refused');
    expect(toMert!.text).toContain('issued to someone else');
    const [toAyse] = await mailTo(AYSE, (m) => kindOf(m) === 'staff-mail-refused');
    expect(toAyse!.text).toContain('HİÇBİR ŞEY uygulanmadı');

    // The decision and its reason are visible to the operator by Message-ID (a support mail's: what
    // reached management is shown only with --private, and management is now read first).
    const one = refused.find((r) => r.mailbox === 'support');
    const shown = await runCli(['-c', configPath, 'ticket', 'show', one!.messageId]);
    expect(shown.out, shown.err).toContain('refused');
  }, 180_000);

  it('applies a command mail once per Message-ID, whatever its Date or footer; the client gets the text once', async () => {
    const { ticket, ayse } = await clientTicket('Yazdırma hatası');
    const messageId = `<replay-${++seq}@sanarise.example>`;
    const body = '#escalate\n\nMerhaba, raporu yeniden ürettik; gelen kutunuza bakar mısınız?';
    await append('support', reply(ayse, { messageId, body }));
    await settled(appended);
    // One step up the ladder (issue 23: an agent's ticket goes to the lead); the copies add none.
    const [once] = await database.db.select().from(tickets).where(eq(tickets.id, ticket.id));
    expect(once!.escalationLevel).toBe(2);
    await append('support', [
      reply(ayse, { messageId, body, date: 'Mon, 16 Mar 2026 11:00:00 +0300' }),
      reply(ayse, { messageId, body: `${body}\n\n-- \nGönderen: iPhone` }),
    ]);
    await settled(appended);
    const [after] = await database.db.select().from(tickets).where(eq(tickets.id, ticket.id));
    expect(after!.escalationLevel).toBe(2);
    expect(await mailTo('deniz@anadolu.example', (m) => m.text.includes('raporu yeniden ürettik'))).toHaveLength(1);
    const copies = (await rawRows()).filter((r) => r.messageId === messageId);
    expect(copies.map((r) => r.decision).sort()).toEqual(['duplicate', 'duplicate', 'reply']);
  }, 180_000);

  it('a stranger answering a client\'s acknowledgement starts a linked ticket; a Cc\'d participant continues it, named', async () => {
    const participant = 'Selin Koç <selin@anadolu.example>';
    const messageId = `<cc-${++seq}@anadolu.example>`;
    await append('support', buildMail({
      from: 'Deniz Arslan <deniz@anadolu.example>', cc: participant, subject: '[Kritik] Stok raporu', messageId,
    }));
    await settled(appended);
    const [ticket] = await database.db.select().from(tickets).where(eq(tickets.subject, '[Kritik] Stok raporu'));
    const [ack] = await mailTo('deniz@anadolu.example', (m) => m.inReplyTo === messageId);
    const tickets0 = await ticketCount();

    await append('support', buildMail({
      from: 'Mallory <mallory@evil.example>', subject: `Re: ${ack!.subject}`, inReplyTo: ack!.messageId!, references: ack!.messageId!,
      body: 'Please send the stock report to this address instead.',
    }));
    await settled(appended);
    expect(await ticketCount()).toBe(tickets0 + 1);
    const [stranger] = await database.db.select().from(tickets).where(eq(tickets.requesterAddress, 'mallory@evil.example'));
    expect(stranger!.id).not.toBe(ticket!.id);

    await append('support', buildMail({
      from: participant, to: 'support@sanarise.example', subject: `Re: ${ack!.subject}`, inReplyTo: ack!.messageId!,
      references: `${messageId} ${ack!.messageId!}`, body: 'Ek bilgi: depo 2 de etkileniyor.',
    }));
    await settled(appended);
    expect(await ticketCount()).toBe(tickets0 + 1);
    const forwards = await mailTo(AYSE, (m) => kindOf(m) === 'client-reply-forward' && m.text.includes('depo 2'));
    expect(forwards).toHaveLength(1);
    expect(forwards[0]!.text).toContain('selin@anadolu.example');
  }, 180_000);

  /** A delivery report as Postfix writes one, for the mail `messageId`, delivered to `to`. */
  const dsn = (to: string, messageId: string, recipient: string) => Buffer.from([
    'From: Mail Delivery System <MAILER-DAEMON@mx.anadolu.example>', `To: ${to}`, `Delivered-To: ${to}`,
    'Subject: Undelivered Mail Returned to Sender', `Message-ID: <dsn-${++seq}@mx.anadolu.example>`,
    'Date: Mon, 16 Mar 2026 10:05:00 +0300', 'Auto-Submitted: auto-replied', 'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="RPT"', '',
    '--RPT', 'Content-Type: text/plain; charset=us-ascii', '', `<${recipient}>: host mx.anadolu.example said: 550 5.1.1 User unknown`, '',
    '--RPT', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.anadolu.example', '',
    `Final-Recipient: rfc822; ${recipient}`, 'Action: failed', 'Status: 5.1.1', '',
    '--RPT', 'Content-Type: text/rfc822-headers', '', `Message-ID: ${messageId}`, 'From: Sanarise Destek <support@sanarise.example>',
    `To: ${recipient}`, 'Subject: ack', '', '--RPT--', '',
  ].join('\r\n'));

  it('only a bounce sent to our signed envelope sender suppresses; a suppressed relay is never recorded as sent, and the agent is told', async () => {
    const client = 'Bora Şahin <bora@anadolu.example>';
    const { ticket, ayse } = await clientTicket('E-posta gitmiyor', client);
    const ackWire = sink.accepted.find((m) => m.to.includes('bora@anadolu.example'))!;
    // Our envelope sender is signed, and is not the plain mailbox address.
    expect(ackWire.from).toMatch(/^support\+b[a-z2-7]{16}@sanarise\.example$/);
    const ackId = ackWire.messageId!;

    // A forged report quoting the acknowledgement's Message-ID, to the plain address: nothing changes.
    await append('support', dsn('support@sanarise.example', ackId, 'bora@anadolu.example'));
    await settled(appended);
    const reports = async () => (await rawRows()).filter((r) => r.messageId.startsWith('<dsn-')).sort((a, b) => a.id - b.id);
    const forged = (await reports()).at(-1)!;
    expect(forged).toMatchObject({ decision: 'bounce' });
    expect(forged.reason).toContain('changes nothing');
    await append('support', reply(ayse, { body: 'Merhaba Bora Bey, ayarları düzelttik.' }));
    await settled(appended);
    expect(await mailTo('bora@anadolu.example', (m) => m.text.includes('ayarları düzelttik'))).toHaveLength(1);

    // The real bounce comes back to the signed envelope sender: the client is suppressed.
    await append('support', dsn(ackWire.from, ackId, 'bora@anadolu.example'));
    await settled(appended);
    expect((await reports()).at(-1)!.reason).toContain('suppressed bora@anadolu.example');
    await append('support', reply(ayse, { body: 'İkinci deneme: şimdi çalışıyor mu?' }));
    await settled(appended);
    expect(await mailTo('bora@anadolu.example', (m) => m.text.includes('İkinci deneme'))).toHaveLength(0);
    const told = await mailTo(AYSE, (m) => kindOf(m) === 'command-result' && m.text.includes('bora@anadolu.example'));
    expect(told).toHaveLength(1);
    const relays = await database.db.select().from(outbox).where(and(eq(outbox.ticketId, ticket.id), eq(outbox.kind, 'agent-relay')));
    expect(relays).toHaveLength(1);
  }, 180_000);

  it('with trustedAuthservId, only the topmost Authentication-Results counts', async () => {
    // Judged without the gateway: a sender-written header below ours must not vouch for the mail.
    const { judgeAuthentication } = await import('../../src/inbound/authentication-results.js');
    const ours = 'mx.sanarise.example; spf=fail smtp.mailfrom=sanarise.example; dmarc=fail header.from=sanarise.example';
    const forged = 'mx.sanarise.example; dkim=pass header.d=sanarise.example; dmarc=pass header.from=sanarise.example';
    expect(judgeAuthentication([ours, forged], 'mx.sanarise.example', 'sanarise.example').pass).toBe(false);
    // A topmost header by another server (ours added none) leaves nothing to trust below it.
    expect(judgeAuthentication(['other.example; dmarc=none', forged], 'mx.sanarise.example', 'sanarise.example').pass).toBe(false);
    expect(judgeAuthentication([forged], 'mx.sanarise.example', 'sanarise.example').pass).toBe(true);
  });
});
