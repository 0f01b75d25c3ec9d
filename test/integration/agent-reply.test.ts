import { and, asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { slaStateOf, storedSlaOf } from '../../src/tickets/stored-sla.js';
import { getSlaInputs } from '../../src/db/repositories/sla-repository.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { messages, ticketEvents, ticketPauses, tickets } from '../../src/db/schema/tickets.js';
import { buildMail, type TestMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Monday 16 March 2026, 10:00 in Istanbul: inside business hours.
const MONDAY_10 = new Date('2026-03-16T07:00:00Z');
const AYSE = 'ayse@sanarise.example';
const MERT = 'mert@sanarise.example';

describe('agent replies by email', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  let now = MONDAY_10;
  let seq = 0;
  const ingest = (raw: Buffer, mailbox: 'support' | 'management' = 'support') =>
    ingestMessage(deps, { raw, mailbox, receivedAt: now, source: 'cli' });
  const ticketRow = async (id: number) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;
  const outboxOf = (ticketId: number) => database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(asc(outbox.id));
  const eventsOf = (ticketId: number) => database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(asc(ticketEvents.id));

  /** A client's new ticket and the notification one agent got about it. */
  async function clientTicket(subject = '[Hata] Fatura ekranı açılmıyor') {
    const clientMessageId = `<client-${++seq}@client.example>`;
    const opened = await ingest(buildMail({ subject, messageId: clientMessageId }));
    const ticket = opened.ticket!;
    const notice = (staffMail: string) => outboxOf(ticket.id).then((rows) =>
      rows.find((r) => r.kind === 'team-new-ticket' && r.to[0]!.address === staffMail)!);
    return { ticket, clientMessageId, notice };
  }

  /** The agent answering a staff mail the way a mail client does: To its Reply-To, In-Reply-To its Message-ID. */
  function replyTo(staffMail: { replyTo: { address: string } | null; messageId: string; subject: string }, m: TestMail = {}): Buffer {
    return buildMail({
      from: `Ayşe Yılmaz <${AYSE}>`, to: staffMail.replyTo!.address, subject: `Re: ${staffMail.subject}`,
      messageId: `<agent-${++seq}@sanarise.example>`, inReplyTo: staffMail.messageId, references: staffMail.messageId, ...m,
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => now };
  });
  afterAll(async () => { await database.drop(); });

  // Issue 21: the token is in the Reply-To only; Message-IDs are logged, listed and quoted.
  it('gives each agent their own signed reply address, and a Message-ID without the token', async () => {
    const { notice } = await clientTicket();
    const ayse = await notice(AYSE);
    const mert = await notice(MERT);
    expect(ayse.replyTo!.address).toMatch(/^support\+[a-z2-7]{34}@sanarise\.example$/);
    expect(mert.replyTo!.address).not.toBe(ayse.replyTo!.address);
    expect(ayse.messageId).not.toContain(ayse.replyTo!.address.slice(8, 42));
    expect(ayse.messageId).not.toContain('.rt-');
  });

  it('relays the new text to the client in their thread and records the first response', async () => {
    const { ticket, clientMessageId, notice } = await clientTicket();
    const staffMail = await notice(AYSE);
    const outcome = await ingest(replyTo(staffMail, {
      body: 'Merhaba,\n\nSorunu inceledik, düzeltme yayında.\n\nOn Mon, 16 Mar 2026 at 10:00, Sanarise Destek <support@sanarise.example> wrote:\n> Yeni bir kayıt açıldı\n',
    }));
    expect(outcome).toMatchObject({ decision: 'reply', ticket: { id: ticket.id } });
    const relay = (await outboxOf(ticket.id)).find((r) => r.kind === 'agent-relay')!;
    expect(relay.to).toEqual([{ name: 'Ayşe Kaya', address: 'ayse@client.example' }]);
    expect(relay.fromAddress.address).toBe('support@sanarise.example');
    expect(relay.headers['In-Reply-To']).toBe(clientMessageId);
    expect(relay.headers.References).toContain(clientMessageId);
    expect(relay.headers['Auto-Submitted']).toBeUndefined();
    expect(relay.text).toContain('Sorunu inceledik, düzeltme yayında.');
    expect(relay.text).toContain('Ayşe Yılmaz');
    expect(relay.text).not.toContain('Yeni bir kayıt açıldı');
    const row = await ticketRow(ticket.id);
    expect(row).toMatchObject({ status: 'open', firstResponseAt: now });
    const events = await eventsOf(ticket.id);
    expect(events.find((e) => e.kind === 'agent-replied')).toMatchObject({ actor: AYSE });
  });

  // Issue 21: In-Reply-To/References authorise nothing; the agent is told how to reply instead.
  it('refuses an agent reply whose plus tag was stripped, and tells the agent, although it answers our Message-ID', async () => {
    const { ticket, notice } = await clientTicket();
    const staffMail = await notice(AYSE);
    const outcome = await ingest(replyTo(staffMail, { to: 'support@sanarise.example', body: 'Kontrol ediyoruz.' }));
    expect(outcome).toMatchObject({ decision: 'refused', ticket: null, acknowledge: false });
    expect((await outboxOf(ticket.id)).some((r) => r.kind === 'agent-relay')).toBe(false);
    expect((await ticketRow(ticket.id)).firstResponseAt).toBeNull();
    const notices = await database.db.select().from(outbox).where(eq(outbox.kind, 'staff-mail-refused'));
    expect(notices.filter((n) => n.to[0]!.address === AYSE)).toHaveLength(1);
  });

  it('keeps a #note internal: nothing to the client, the agent gets a confirmation', async () => {
    const { ticket, notice } = await clientTicket();
    await ingest(replyTo(await notice(AYSE), { body: '#note\nMüşteri telefonda aradı, yarın tekrar deneyecek.' }));
    const rows = await outboxOf(ticket.id);
    expect(rows.some((r) => r.kind === 'agent-relay')).toBe(false);
    expect(rows.find((r) => r.kind === 'command-result')).toMatchObject({ to: [{ address: AYSE }] });
    const stored = await database.db.select().from(messages).where(and(eq(messages.ticketId, ticket.id), eq(messages.authorKind, 'agent')));
    expect(stored).toMatchObject([{ direction: 'internal' }]);
    expect((await ticketRow(ticket.id)).firstResponseAt).toBeNull();
    expect(rows.filter((r) => r.kind === 'command-result')).toHaveLength(1);
    expect((await eventsOf(ticket.id)).some((e) => e.kind === 'internal-note')).toBe(true);
  });

  it.each([
    ['a mistyped #notes', '#notes\nMüşteri telefonda aradı, yarın tekrar deneyecek.', 'unknown command #notes'],
    ['# note with a space', '# note\nMüşteri telefonda aradı, yarın tekrar deneyecek.', 'starts with # but is not a command'],
    ['a valid command beside a broken one', '#status waiting\n#durum bitti\n\nMüşteri telefonda aradı, yarın tekrar deneyecek.', 'unknown status'],
  ])('keeps the text internal after %s and tells the agent nothing was sent', async (_, body, why) => {
    const { ticket, notice } = await clientTicket();
    await ingest(replyTo(await notice(AYSE), { body }));
    const rows = await outboxOf(ticket.id);
    expect(rows.some((r) => r.kind === 'agent-relay')).toBe(false);
    const stored = await database.db.select().from(messages).where(and(eq(messages.ticketId, ticket.id), eq(messages.authorKind, 'agent')));
    expect(stored).toMatchObject([{ direction: 'internal' }]);
    expect(stored[0]!.text).toContain('Müşteri telefonda aradı');
    const withheld = rows.filter((r) => r.kind === 'command-result' && r.text.includes('NOT sent to the client'));
    expect(withheld).toHaveLength(1);
    expect(withheld[0]!.to).toEqual([expect.objectContaining({ address: AYSE })]);
    expect(withheld[0]!.text).toContain(why);
    expect((await ticketRow(ticket.id)).firstResponseAt).toBeNull();
    expect((await eventsOf(ticket.id)).find((e) => e.kind === 'agent-reply-withheld')).toMatchObject({ actor: AYSE });
  });

  it('pauses on #status waiting and resumes on #status open', async () => {
    const { ticket, notice } = await clientTicket();
    const staffMail = await notice(AYSE);
    await ingest(replyTo(staffMail, { body: '#status waiting\n\nEkran görüntüsü gönderebilir misiniz?' }));
    expect((await ticketRow(ticket.id)).status).toBe('waiting');
    const pauses = () => database.db.select().from(ticketPauses).where(eq(ticketPauses.ticketId, ticket.id));
    expect(await pauses()).toMatchObject([{ startedAt: now, endedAt: null }]);
    now = new Date(now.getTime() + 3_600_000);
    await ingest(replyTo(staffMail, { body: '#durum açık' }));
    expect((await ticketRow(ticket.id)).status).toBe('open');
    expect(await pauses()).toMatchObject([{ endedAt: now }]);
    now = MONDAY_10;
  });

  it('applies #priority clamped to the type, #type, #assign, #qualified and #escalate, each an event by the agent', async () => {
    const { ticket, notice } = await clientTicket('[Website] Ana sayfa yavaş');
    const before = await ticketRow(ticket.id);
    await ingest(replyTo(await notice(AYSE), {
      body: '#priority critical\n#assign mert\n#qualified\n#escalate\n\nÜzerinde çalışıyoruz.',
    }));
    const row = await ticketRow(ticket.id);
    // website allows high and medium: critical is clamped to high.
    // #escalate from the agent goes to the team lead (level 2), the ladder's next step.
    expect(row).toMatchObject({ priority: 'high', assignee: MERT, escalationLevel: 2, qualifiedAt: now });
    expect(row.firstResponseDue!.getTime()).toBeLessThan(before.firstResponseDue!.getTime());
    const events = await eventsOf(ticket.id);
    for (const kind of ['command-priority', 'command-assign', 'command-qualified', 'command-escalate']) {
      expect(events.find((e) => e.kind === kind), kind).toMatchObject({ actor: AYSE });
    }
    const rows = await outboxOf(ticket.id);
    expect(rows.filter((r) => r.kind === 'command-result')).toHaveLength(4);
    // One step above the assigned agent is the team lead (issue 23: it used to go to the agent
    // who already had it); the mail names who escalated, never the client.
    const escalation = rows.find((r) => r.kind === 'client-escalation')!;
    expect(escalation).toMatchObject({ to: [{ address: 'lead@sanarise.example' }] });
    expect(escalation.subject).not.toMatch(/Müşteri yükseltmesi|Client escalation/);
    expect(escalation.text).toContain(`<${AYSE}> ${ticket.number} numaralı talebi yükseltti. Talep artık ekip lideri seviyesinde`); // Zeynep reads Turkish
    expect(escalation.text).not.toContain('The client escalated');

    await ingest(replyTo(await notice(AYSE), { body: '#type problem' }));
    expect(await ticketRow(ticket.id)).toMatchObject({ type: 'problem', typeSource: 'agent', priority: 'high' });
  });

  it('resolves with #status resolved, sets resolvedAt and queues one survey; #status closed sets closedAt', async () => {
    const { ticket, notice } = await clientTicket();
    const staffMail = await notice(AYSE);
    await ingest(replyTo(staffMail, { body: '#status resolved\n\nDüzeltildi, iyi çalışmalar.' }));
    expect(await ticketRow(ticket.id)).toMatchObject({ status: 'resolved', resolvedAt: now });
    expect((await outboxOf(ticket.id)).filter((r) => r.kind === 'survey')).toHaveLength(1);
    await ingest(replyTo(staffMail, { body: '#status closed' }));
    expect(await ticketRow(ticket.id)).toMatchObject({ status: 'closed', closedAt: now, resolvedAt: now });
    expect((await outboxOf(ticket.id)).filter((r) => r.kind === 'survey')).toHaveLength(1);
  });

  it('echoes the alias the agent typed and answers a Turkish agent in Turkish (issue 23)', async () => {
    const { ticket, notice } = await clientTicket();
    await ingest(replyTo(await notice(AYSE), { body: '#durum beklemede\n#not Müşteri telefonda aradı.' }));
    const results = (await outboxOf(ticket.id)).filter((r) => r.kind === 'command-result');
    expect(results).toHaveLength(2);
    const all = results.map((r) => `${r.subject}\n${r.text}`).join('\n');
    expect(all).toContain('"#not"');
    expect(all).toContain('"#durum beklemede"');
    expect(all).not.toMatch(/#note\b|#status\b/);
    expect(all).toContain('iç not olarak saklandı; müşteriye hiçbir şey gönderilmedi');
    expect(all).not.toContain('kept as an internal note');
  });

  it('mails a command that fails back with the reason and runs the others', async () => {
    const { ticket, notice } = await clientTicket();
    await ingest(replyTo(await notice(AYSE), { body: '#assign nobody\n#status bitti\n#qualified' }));
    const results = (await outboxOf(ticket.id)).filter((r) => r.kind === 'command-result');
    expect(results).toHaveLength(3);
    expect(results.map((r) => r.subject).join('\n')).toMatch(/#assign nobody/);
    expect(results.some((r) => r.text.includes('nobody configured is called "nobody"'))).toBe(true);
    // Ayşe is a Turkish agent: the parser's error reaches her in Turkish (issue 23).
    expect(results.some((r) => r.text.includes('bilinmeyen durum "bitti"'))).toBe(true);
    expect(results.some((r) => r.text.includes('unknown status'))).toBe(false);
    expect(await ticketRow(ticket.id)).toMatchObject({ assignee: null, status: 'new' });
    expect((await ticketRow(ticket.id)).qualifiedAt).toEqual(now);
  });

  it('never runs a command quoted from history', async () => {
    const { ticket, notice } = await clientTicket();
    await ingest(replyTo(await notice(AYSE), {
      body: 'Tamam, bakıyorum.\n\nOn Mon, 16 Mar 2026 at 10:00, Mert <mert@sanarise.example> wrote:\n> #status closed\n',
    }));
    expect((await ticketRow(ticket.id)).status).toBe('open');
    expect((await eventsOf(ticket.id)).some((e) => e.kind.startsWith('command-'))).toBe(false);
  });

  it('applies a command mail delivered twice once', async () => {
    const { ticket, notice } = await clientTicket();
    const raw = replyTo(await notice(AYSE), { body: '#escalate\n\nEkibe ilettim.' });
    await ingest(raw);
    expect((await ingest(raw)).decision).toBe('duplicate');
    expect((await eventsOf(ticket.id)).filter((e) => e.kind === 'command-escalate')).toHaveLength(1);
    expect((await ticketRow(ticket.id)).escalationLevel).toBe(2);
    expect((await outboxOf(ticket.id)).filter((r) => r.kind === 'agent-relay')).toHaveLength(1);
  });

  describe('dates SLA instants by when a mail arrived, not when a backlog let us read it', () => {
    const TEN = MONDAY_10;
    const ELEVEN = new Date(MONDAY_10.getTime() + 3_600_000);
    const ONE_PM = new Date(MONDAY_10.getTime() + 3 * 3_600_000);
    const ingestLate = async (raw: Buffer, arrived: Date, ingested: Date) => {
      now = ingested;
      try {
        return await ingestMessage(deps, { raw, mailbox: 'support', receivedAt: arrived, source: 'imap' });
      } finally {
        now = MONDAY_10;
      }
    };
    const pauses = (ticketId: number) => database.db.select().from(ticketPauses).where(eq(ticketPauses.ticketId, ticketId));
    /** The deadlines and next look stored on the ticket are the ones its clock inputs give now. */
    const expectStoredSlaCurrent = async (ticketId: number) => {
      const inputs = (await getSlaInputs(database.db, ticketId))!;
      const row = await ticketRow(ticketId);
      expect({ firstResponseDue: row.firstResponseDue, resolutionDue: row.resolutionDue, nextSlaAt: row.nextSlaAt })
        .toEqual(storedSlaOf(slaStateOf(inputs.row, inputs.pauses, inputs.alerts), deps.config.policy, now));
    };

    it('an agent reply written at 10:00 and ingested at 13:00 is a first response at 10:00', async () => {
      const { ticket, notice } = await clientTicket();
      await ingestLate(replyTo(await notice(AYSE), { body: '#qualified\n#status waiting\n\nEkran görüntüsü gönderebilir misiniz?' }), TEN, ONE_PM);
      expect(await ticketRow(ticket.id)).toMatchObject({ firstResponseAt: TEN, qualifiedAt: TEN, status: 'waiting' });
      expect(await pauses(ticket.id)).toMatchObject([{ startedAt: TEN, endedAt: null }]);
      const events = await eventsOf(ticket.id);
      expect(events.find((e) => e.kind === 'agent-replied')).toMatchObject({ at: ONE_PM, data: { arrivedAt: TEN.toISOString() } });
      expect(events.find((e) => e.kind === 'command-qualified')).toMatchObject({ at: ONE_PM, data: { arrivedAt: TEN.toISOString() } });
    });

    it('a client reply that arrived at 11:00 and was ingested at 13:00 ends the waiting pause at 11:00', async () => {
      const { ticket, notice } = await clientTicket();
      await ingestLate(replyTo(await notice(AYSE), { body: '#status waiting\n\nEkran görüntüsü gönderebilir misiniz?' }), TEN, TEN);
      const { number } = await ticketRow(ticket.id);
      await ingestLate(buildMail({ subject: `Re: [#${number}] Fatura`, body: 'Ekran görüntüsü ektedir.' }), ELEVEN, ONE_PM);
      expect((await ticketRow(ticket.id)).status).toBe('open');
      expect(await pauses(ticket.id)).toMatchObject([{ startedAt: TEN, endedAt: ELEVEN }]);
      expect((await eventsOf(ticket.id)).find((e) => e.kind === 'resumed')).toMatchObject({ at: ONE_PM, data: { arrivedAt: ELEVEN.toISOString() } });
    });

    it('a client reply that ends a pause stores the deadlines anew; one that changes no clock input leaves them current', async () => {
      const { ticket, notice } = await clientTicket();
      await ingestLate(replyTo(await notice(AYSE), { body: '#qualified\n#status waiting\n\nEkran görüntüsü gönderebilir misiniz?' }), TEN, TEN);
      const waiting = await ticketRow(ticket.id);
      const { number } = waiting;
      await ingestLate(buildMail({ subject: `Re: [#${number}] Fatura`, body: 'Ekran görüntüsü ektedir.' }), ELEVEN, ELEVEN);
      const resumed = await ticketRow(ticket.id);
      expect(resumed.resolutionDue).not.toEqual(waiting.resolutionDue);
      await expectStoredSlaCurrent(ticket.id);
      await ingestLate(buildMail({ subject: `Re: [#${number}] Fatura`, body: 'Bir ekran görüntüsü daha.' }), ONE_PM, ONE_PM);
      await expectStoredSlaCurrent(ticket.id);
    });

    it('a client reply that arrived before the pause began, but was read after, ends it without a negative length', async () => {
      const { ticket, notice } = await clientTicket();
      await ingestLate(replyTo(await notice(AYSE), { body: '#status waiting' }), ELEVEN, ELEVEN);
      const { number } = await ticketRow(ticket.id);
      await ingestLate(buildMail({ subject: `Re: [#${number}] Fatura`, body: 'Bir şey daha.' }), TEN, ONE_PM);
      expect(await pauses(ticket.id)).toMatchObject([{ startedAt: ELEVEN, endedAt: ELEVEN }]);
    });

    it('#status resolved in a late-read mail resolves at its arrival; a mail server clock ahead of ours counts as now', async () => {
      const { ticket, notice } = await clientTicket();
      const staffMail = await notice(AYSE);
      await ingestLate(replyTo(staffMail, { body: '#status resolved' }), TEN, ONE_PM);
      expect(await ticketRow(ticket.id)).toMatchObject({ resolvedAt: TEN });
      const future = new Date(ONE_PM.getTime() + 3_600_000);
      await ingestLate(replyTo(staffMail, { body: '#status closed' }), future, ONE_PM);
      expect(await ticketRow(ticket.id)).toMatchObject({ resolvedAt: TEN, closedAt: ONE_PM });
    });
  });

  describe('runs nothing for', () => {
    const untouched = async (ticketId: number) => {
      const row = await ticketRow(ticketId);
      expect(row).toMatchObject({ status: 'new', escalationLevel: 0, firstResponseAt: null });
      expect((await eventsOf(ticketId)).some((e) => e.kind.startsWith('command-') || e.kind === 'agent-replied')).toBe(false);
      expect((await outboxOf(ticketId)).some((r) => r.kind === 'agent-relay' || r.kind === 'command-result')).toBe(false);
    };

    it('a forged From', async () => {
      const { ticket, notice } = await clientTicket();
      await ingest(replyTo(await notice(AYSE), { from: `Ayşe <attacker@evil.example>`, body: '#escalate\n#status closed' }));
      await untouched(ticket.id);
    });

    it('a From with a second mailbox', async () => {
      const { ticket, notice } = await clientTicket();
      await ingest(replyTo(await notice(AYSE), { from: `${AYSE}, attacker@evil.example`, body: '#escalate' }));
      await untouched(ticket.id);
    });

    it('a second From header', async () => {
      const { ticket, notice } = await clientTicket();
      await ingest(replyTo(await notice(AYSE), { headers: { From: 'attacker@evil.example' }, body: '#escalate' }));
      await untouched(ticket.id);
    });

    it('a second From header whose domain our server saw pass DMARC', async () => {
      const strict = { ...deps, config: testConfig(database.url, { trustedAuthservId: 'mx.sanarise.example' }) };
      const opened = await ingestMessage(strict, { raw: buildMail({ subject: '[Hata] Rapor' }), mailbox: 'support', receivedAt: now, source: 'cli' });
      const staffMail = (await outboxOf(opened.ticket!.id)).find((r) => r.kind === 'team-new-ticket' && r.to[0]!.address === AYSE)!;
      const forged = replyTo(staffMail, {
        body: '#escalate\n\nÇözüldü.',
        headers: { From: 'attacker@evil.example', 'Authentication-Results': 'mx.sanarise.example; spf=pass smtp.mailfrom=evil.example; dmarc=pass header.from=evil.example' },
      });
      await ingestMessage(strict, { raw: forged, mailbox: 'support', receivedAt: now, source: 'cli' });
      await untouched(opened.ticket!.id);
    });

    it('a tampered token', async () => {
      const { ticket, notice } = await clientTicket();
      const staffMail = await notice(AYSE);
      const address = staffMail.replyTo!.address;
      const i = 'support+'.length + 5;
      const tampered = address.slice(0, i) + (address[i] === 'a' ? 'b' : 'a') + address.slice(i + 1);
      await ingest(replyTo({ ...staffMail, replyTo: { address: tampered } }, { inReplyTo: '<x@elsewhere.example>', references: '<x@elsewhere.example>', body: '#escalate' }));
      await untouched(ticket.id);
    });

    it('an expired token', async () => {
      const { ticket, notice } = await clientTicket();
      const staffMail = await notice(AYSE);
      now = new Date(MONDAY_10.getTime() + 31 * 86_400_000);
      try {
        await ingest(replyTo(staffMail, { body: '#escalate' }));
      } finally {
        now = MONDAY_10;
      }
      expect((await eventsOf(ticket.id)).some((e) => e.kind === 'command-escalate')).toBe(false);
      expect((await ticketRow(ticket.id)).escalationLevel).toBe(0);
    });

    it("another agent's token", async () => {
      const { ticket, notice } = await clientTicket();
      await ingest(replyTo(await notice(MERT), { body: '#escalate' }));
      await untouched(ticket.id);
    });

    it('a client writing a command', async () => {
      const { ticket } = await clientTicket();
      const row = await ticketRow(ticket.id);
      await ingest(buildMail({ subject: `Re: [#${row.number}] Fatura`, body: '#status closed\n\nBu arada bir şey daha var.' }));
      const after = await ticketRow(ticket.id);
      expect(after.status).toBe('new');
      expect(after.closedAt).toBeNull();
      expect((await outboxOf(ticket.id)).find((r) => r.kind === 'client-reply-forward')!.text).toContain('#status closed');
    });
  });

  it('keeps an agent mail internal and tells the agent when our server did not vouch for it', async () => {
    const strict = { ...deps, config: testConfig(database.url, { trustedAuthservId: 'mx.sanarise.example' }) };
    const opened = await ingestMessage(strict, { raw: buildMail({ subject: '[Hata] Rapor' }), mailbox: 'support', receivedAt: now, source: 'cli' });
    const staffMail = (await outboxOf(opened.ticket!.id)).find((r) => r.kind === 'team-new-ticket' && r.to[0]!.address === AYSE)!;
    const unsigned = replyTo(staffMail, { body: '#status resolved\n\nÇözüldü.', headers: { 'Authentication-Results': 'mx.sanarise.example; dmarc=fail' } });
    await ingestMessage(strict, { raw: unsigned, mailbox: 'support', receivedAt: now, source: 'cli' });
    const row = await ticketRow(opened.ticket!.id);
    expect(row).toMatchObject({ status: 'new', resolvedAt: null, firstResponseAt: null });
    const rows = await outboxOf(row.id);
    expect(rows.some((r) => r.kind === 'agent-relay' || r.kind === 'survey')).toBe(false);
    expect(rows.find((r) => r.kind === 'command-result')!.text).toContain('neither DMARC nor aligned DKIM');
    const signed = replyTo(staffMail, { body: 'Bakıyoruz.', headers: { 'Authentication-Results': 'mx.sanarise.example; dkim=pass header.d=sanarise.example; dmarc=pass' } });
    await ingestMessage(strict, { raw: signed, mailbox: 'support', receivedAt: now, source: 'cli' });
    expect((await outboxOf(row.id)).some((r) => r.kind === 'agent-relay')).toBe(true);
  });
});
