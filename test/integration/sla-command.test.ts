import { asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { showTicket } from '../../src/cli/show-ticket.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { ticketEvents, ticketPauses, tickets } from '../../src/db/schema/tickets.js';
import { ticketEventFigures } from '../../src/reports/ticket-event-figures.js';
import { buildMail, type TestMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Monday 16 March 2026, 10:00 in Istanbul: inside business hours.
const MONDAY_10 = new Date('2026-03-16T07:00:00Z');
const AYSE = 'ayse@sanarise.example';
const LEAD = 'lead@sanarise.example';

// Issue 24 item 6: a lead or manager adjusts a ticket's clocks by mail, with a reason; an agent cannot.
describe('#sla by signed staff reply, through the real ingest', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  let now = MONDAY_10;
  let seq = 0;
  const ingest = (raw: Buffer) => ingestMessage(deps, { raw, mailbox: 'support', receivedAt: now, source: 'cli' });
  const ticketRow = async (id: number) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;
  const outboxOf = (ticketId: number) => database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId)).orderBy(asc(outbox.id));
  const eventsOf = (ticketId: number) => database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(asc(ticketEvents.id));
  const pausesOf = (ticketId: number) => database.db.select().from(ticketPauses).where(eq(ticketPauses.ticketId, ticketId)).orderBy(asc(ticketPauses.id));

  /** A staff member answering a staff mail as Outlook in Turkish does: `YNT:`, To its signed Reply-To. */
  function reply(from: string, staffMail: { replyTo: { address: string } | null; messageId: string; subject: string }, m: TestMail): Buffer {
    return buildMail({
      from, to: staffMail.replyTo!.address, subject: `YNT: ${staffMail.subject}`,
      messageId: `<staff-${++seq}@sanarise.example>`, inReplyTo: staffMail.messageId, references: staffMail.messageId, ...m,
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => now };
  });
  afterAll(async () => { await database.drop(); });

  it('refuses an agent, lets the lead extend, pause and resume with reasons, and the reports count it', async () => {
    const opened = await ingest(buildMail({ subject: '[Hata] Fatura ekranı açılmıyor', messageId: '<client-sla-1@client.example>' }));
    const ticket = opened.ticket!;
    const aysesNotice = (await outboxOf(ticket.id)).find((r) => r.kind === 'team-new-ticket' && r.to[0]!.address === AYSE)!;

    // The agent qualifies and escalates (both hers to do) and tries #sla: refused, and told why.
    await ingest(reply(`Ayşe Yılmaz <${AYSE}>`, aysesNotice, { body: '#qualified\n#sla uzat çözüm 2sa müşteri bekletti\n#escalate\n' }));
    const qualified = await ticketRow(ticket.id);
    expect(qualified).toMatchObject({ resolutionExtraMinutes: 0, escalationLevel: 2 });
    expect(qualified.resolutionDue).not.toBeNull();
    const refusal = (await outboxOf(ticket.id)).filter((r) => r.kind === 'command-result' && r.to[0]!.address === AYSE);
    // Ayşe reads Turkish (issue 23).
    expect(refusal.map((r) => r.text).join('\n')).toContain('SLA sürelerini yalnızca bir ekip lideri veya yönetici değiştirebilir');
    expect((await eventsOf(ticket.id)).some((e) => e.kind === 'command-sla')).toBe(false);

    // The lead got the escalation with her own signed reply address; she extends the resolution target.
    const leadsMail = (await outboxOf(ticket.id)).find((r) => r.kind === 'client-escalation' && r.to[0]!.address === LEAD)!;
    now = new Date(MONDAY_10.getTime() + 30 * 60_000);
    await ingest(reply(`Zeynep Kaya <${LEAD}>`, leadsMail, { body: '#sla uzat çözüm 2sa üretici yaması bekleniyor\n' }));
    const extended = await ticketRow(ticket.id);
    expect(extended.resolutionExtraMinutes).toBe(120);
    // Two more working hours can only move the deadline later by two hours of wall time or more.
    expect(extended.resolutionDue!.getTime() - qualified.resolutionDue!.getTime()).toBeGreaterThanOrEqual(120 * 60_000);
    // `slagate ticket show` recomputes the deadlines from the row: the extension is in the due it
    // shows and its explanation says where the minutes came from (issue 24).
    const shown = await showTicket(database.db, extended.number, { policy: deps.config.policy, ticketPrefix: deps.config.ticketPrefix, includePrivate: false, now });
    const resolutionClock = shown.kind === 'ticket' ? shown.view.deadlines.find((c) => c.clock === 'resolution') : undefined;
    expect(resolutionClock?.due).toEqual(extended.resolutionDue);
    expect(resolutionClock?.text).toContain('(4320 + 120 added by #sla extend)');

    // Then pauses the resolution clock: no deadline while paused, and the pause starts at her mail.
    now = new Date(MONDAY_10.getTime() + 60 * 60_000);
    await ingest(reply(`Zeynep Kaya <${LEAD}>`, leadsMail, { body: '#sla duraklat müşterinin sunucusu bakımda\n' }));
    expect((await ticketRow(ticket.id)).resolutionDue).toBeNull();
    expect(await pausesOf(ticket.id)).toMatchObject([{ startedAt: now, endedAt: null }]);

    now = new Date(MONDAY_10.getTime() + 120 * 60_000);
    await ingest(reply(`Zeynep Kaya <${LEAD}>`, leadsMail, { body: '#sla devam\n' }));
    const resumed = await ticketRow(ticket.id);
    expect(await pausesOf(ticket.id)).toMatchObject([{ endedAt: now }]);
    // An hour paused inside working hours moves the deadline an hour (or more, across a closing) on.
    expect(resumed.resolutionDue!.getTime() - extended.resolutionDue!.getTime()).toBeGreaterThanOrEqual(60 * 60_000);

    const events = (await eventsOf(ticket.id)).filter((e) => e.kind === 'command-sla');
    expect(events.map((e) => [e.actor, e.data.action, e.data.reason])).toEqual([
      [LEAD, 'extend', 'üretici yaması bekleniyor'],
      [LEAD, 'pause', 'müşterinin sunucusu bakımda'],
      [LEAD, 'resume', undefined],
    ]);
    const figures = ticketEventFigures((await eventsOf(ticket.id)).map((e) => ({ ticketId: e.ticketId, at: e.at, kind: e.kind, data: e.data })));
    expect(figures).toMatchObject({ slaPauses: 1, slaExtensions: 1, slaExtendedMinutes: 120 });
  });
});
