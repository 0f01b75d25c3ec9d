import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../src/app/ingest/ingest-batch.js';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { messages, tickets } from '../../src/db/schema/tickets.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Monday 16 March 2026, 10:00 in Istanbul.
const MONDAY_10 = new Date('2026-03-16T07:00:00Z');
const FIXTURES = join(import.meta.dirname, '../fixtures/private');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
type Mailbox = 'support' | 'management';

/**
 * Issue 20's leak, reproduced: one client mail that reached the management mailbox (To, Cc, or a
 * Bcc copy) arrives in both mailboxes, in either order, one at a time or in a batch. Whatever the
 * order, it is one private ticket, one acknowledgement from management, and nothing for the team.
 */
describe('a mail that reached management never reaches the team', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => MONDAY_10 };
  });
  afterAll(async () => { await database.drop(); });

  const arrive = async (raw: Buffer, order: Mailbox[], batch: boolean) => {
    const outcomes = [];
    for (const mailbox of order) {
      const input = { raw, mailbox, receivedAt: MONDAY_10, source: 'imap' as const };
      outcomes.push(batch ? (await ingestBatch(deps, [input])).outcomes[0]! : await ingestMessage(deps, input));
    }
    return outcomes;
  };

  const checkOnePrivateTicket = async (messageId: string, canary: string) => {
    const withId = await database.db.select({ ticketId: messages.ticketId, direction: messages.direction }).from(messages).where(eq(messages.messageId, messageId));
    const ids = [...new Set(withId.map((r) => r.ticketId))];
    expect(ids, 'one ticket holds every copy').toHaveLength(1);
    const rows = await database.db.select().from(tickets).where(inArray(tickets.id, ids));
    expect(rows[0]).toMatchObject({ private: true, mailbox: 'management', type: 'complaint' });
    const mails = await database.db.select().from(outbox).where(inArray(outbox.ticketId, ids));
    const acks = mails.filter((r) => r.kind.startsWith('acknowledgement'));
    expect(acks, 'one acknowledgement in total').toHaveLength(1);
    expect(acks[0]).toMatchObject({ kind: 'acknowledgement-private' });
    expect(acks[0]!.fromAddress.address).toBe('management@sanarise.example');
    // Every manager is told at arrival, once, with the full text and a reply address of their own.
    const managers = deps.config.people.filter((p) => p.role === 'manager');
    expect(managers.length).toBeGreaterThan(0);
    const told = mails.filter((r) => r.kind === 'private-new-ticket');
    expect(told.map((r) => r.to[0]!.address).sort()).toEqual(managers.map((p) => p.address).sort());
    for (const row of told) {
      expect(row.text).toContain(canary);
      expect(row.fromAddress.address).toBe('management@sanarise.example');
      expect(row.replyTo!.address).toMatch(/^management\+[^@]+@sanarise\.example$/);
    }
    // Nothing anywhere in the outbox reaches a non-manager with the canary.
    const staff = new Set(deps.config.people.filter((p) => p.role !== 'manager').map((p) => p.address));
    const all = await database.db.select().from(outbox);
    for (const row of all.filter((r) => [...r.to, ...r.cc].some((a) => staff.has(a.address)))) {
      expect(JSON.stringify(row), row.kind).not.toContain(canary);
      expect(ids).not.toContain(row.ticketId);
    }
    return { ticket: rows[0]!, copies: withId };
  };

  const cases: { name: string; file: string; messageId: string; canary: string; orders: Mailbox[][] }[] = [
    { name: 'To management, Cc support', file: 'to-management-cc-support.eml', messageId: '<AM0PR10MB3011C0FFEE@AM0PR10MB3011.EURPRD10.PROD.OUTLOOK.COM>', canary: 'CANARY-FIXTURE-TO-CC',
      orders: [['support', 'management'], ['management', 'support']] },
    // A Bcc copy leaves no trace in the support copy: only the order management-first can be kept.
    { name: 'To support, Bcc management (management copy first)', file: 'bcc-management.eml', messageId: '<CAJ+bcc.complaint.1@mail.gmail.com>', canary: 'CANARY-FIXTURE-BCC',
      orders: [['management', 'support']] },
    { name: 'a complaint tag in second position', file: 'complaint-tag-second.eml', messageId: '<CAJ+tag.second.1@mail.gmail.com>', canary: 'CANARY-FIXTURE-TAG', orders: [['support']] },
    { name: 'a Şikayet: prefix', file: 'sikayet-prefix.eml', messageId: '<CAJ+prefix.1@mail.gmail.com>', canary: 'CANARY-FIXTURE-PREFIX', orders: [['support']] },
  ];
  it('numbers private tickets apart (YN-), so team numbers have no gaps; a reply naming YN- finds its ticket', async () => {
    const { buildMail } = await import('../helpers/mail-builder.js');
    const numbers = [];
    for (const [i, subject] of ['[Soru] bir', '[Şikayet] iki', '[Soru] üç', 'Complaint: dört', '[Soru] beş'].entries()) {
      const o = await ingestMessage(deps, { raw: buildMail({ from: `n${i}@numbers.example`, subject }), mailbox: 'support', receivedAt: MONDAY_10, source: 'cli' });
      numbers.push({ private: o.ticket!.private, number: (await database.db.select().from(tickets).where(eq(tickets.id, o.ticket!.id)))[0]!.number });
    }
    const team = numbers.filter((n) => !n.private).map((n) => Number(n.number.slice(3)));
    const hidden = numbers.filter((n) => n.private).map((n) => n.number);
    expect(numbers.filter((n) => !n.private).every((n) => n.number.startsWith('SR-'))).toBe(true);
    expect(team).toEqual([team[0], team[0]! + 1, team[0]! + 2]);
    expect(hidden.every((n) => /^YN-\d+$/.test(n))).toBe(true);
    // The complainant answers with the private token in the subject: it continues the private ticket.
    const reply = await ingestMessage(deps, { raw: buildMail({ from: 'n1@numbers.example', to: 'management@sanarise.example', subject: `Re: [#${hidden[0]}] iki` }), mailbox: 'management', receivedAt: MONDAY_10, source: 'cli' });
    expect(reply).toMatchObject({ decision: 'reply', ticket: { private: true } });
  });

  for (const c of cases) {
    for (const order of c.orders) {
      for (const batch of [false, true]) {
        it(`${c.name}: ${order.join(' then ')}${batch ? ' (batch)' : ''}`, async () => {
          // Each run its own Message-ID, so the runs do not see each other's copies.
          const tag = `${order.join('-')}-${batch ? 'b' : 'm'}`;
          const messageId = c.messageId.replace('@', `.${tag}@`);
          const raw = Buffer.from(fixture(c.file).toString('latin1').replace(c.messageId, messageId), 'latin1');
          const outcomes = await arrive(raw, order, batch);
          expect(outcomes[0]).toMatchObject({ decision: 'new-ticket', ticket: { private: true } });
          if (outcomes[1]) expect(outcomes[1]).toMatchObject({ decision: 'duplicate', ticket: null });
          // The duplicate's reason is shown by `ticket show <message-id>`: it names no private ticket.
          if (outcomes[1]) expect(outcomes[1].reason).not.toMatch(/YN-|SR-/);
          const { copies } = await checkOnePrivateTicket(messageId, c.canary);
          expect(copies.map((r) => r.direction).sort()).toEqual(order.length === 2 ? ['inbound', 'internal'] : ['inbound']);
        });
      }
    }
  }

  it('a manager works the complaint by mail: reply relays from management, commands run, #ekip hands it to the team once', async () => {
    const { buildMail } = await import('../helpers/mail-builder.js');
    const raw = buildMail({ from: 'Deniz <deniz@hand.example>', to: 'management@sanarise.example', subject: 'Fatura ekranı yavaş CANARY-HAND', messageId: '<hand@hand.example>', body: 'Fatura ekranı çok yavaş açılıyor. CANARY-HAND-BODY' });
    const opened = await ingestMessage(deps, { raw, mailbox: 'management', receivedAt: MONDAY_10, source: 'imap' });
    const privateId = opened.ticket!.id;
    const notice = (await database.db.select().from(outbox).where(eq(outbox.ticketId, privateId))).find((r) => r.kind === 'private-new-ticket')!;
    const reply = (body: string, id: string) => ingestMessage(deps, { raw: buildMail({
      from: 'Can Öztürk <manager@sanarise.example>', to: notice.replyTo!.address, subject: `Re: ${notice.subject}`, inReplyTo: notice.messageId, messageId: id, body,
    }), mailbox: 'management', receivedAt: MONDAY_10, source: 'imap' });

    await reply('#assign manager@sanarise.example\n#priority low\n\nSayın Deniz, konuyu inceliyoruz.', '<m1@sanarise.example>');
    const relay = (await database.db.select().from(outbox).where(eq(outbox.ticketId, privateId))).find((r) => r.kind === 'agent-relay')!;
    expect(relay.to[0]!.address).toBe('deniz@hand.example');
    expect(relay.fromAddress.address).toBe('management@sanarise.example');
    expect(relay.text).toContain('konuyu inceliyoruz');
    expect((await database.db.select().from(tickets).where(eq(tickets.id, privateId)))[0]).toMatchObject({ assignee: 'manager@sanarise.example', private: true });

    await reply('#ekip\n#note ekibe verildi', '<m2@sanarise.example>');
    const teamRows = await database.db.select().from(tickets).where(eq(tickets.requesterAddress, 'deniz@hand.example'));
    const team = teamRows.find((t) => !t.private)!;
    expect(team).toMatchObject({ mailbox: 'support', type: expect.any(String) });
    expect(team.number).toMatch(/^SR-/);
    const teamMails = await database.db.select().from(outbox).where(eq(outbox.ticketId, team.id));
    expect(teamMails.filter((r) => r.kind === 'team-new-ticket').length).toBeGreaterThan(0);
    expect(teamMails.some((r) => r.kind.startsWith('acknowledgement')), 'the client is not acknowledged twice').toBe(false);
    // The team sees the client's mail, and nothing of management's handling.
    for (const row of teamMails) {
      expect(JSON.stringify(row)).not.toMatch(/YN-|inceliyoruz|ekibe verildi/);
    }
    // Recorded on the private ticket with the actor; a second #team is refused.
    await reply('#team', '<m3@sanarise.example>');
    expect(teamRows.filter((t) => !t.private)).toHaveLength(1);
    const results = (await database.db.select().from(outbox).where(eq(outbox.ticketId, privateId))).filter((r) => r.kind === 'command-result');
    expect(results.some((r) => r.text.includes('already handed to the team'))).toBe(true);
    expect((await database.db.select().from(tickets).where(eq(tickets.requesterAddress, 'deniz@hand.example'))).filter((t) => !t.private)).toHaveLength(1);
    // To resolution and survey, by mail alone: the survey goes to the client from management.
    await reply('#status resolved\n\nKonu çözüldü, teşekkürler.', '<m4@sanarise.example>');
    const survey = (await database.db.select().from(outbox).where(eq(outbox.ticketId, privateId))).find((r) => r.kind === 'survey')!;
    expect(survey.to[0]!.address).toBe('deniz@hand.example');
    expect(survey.fromAddress.address).toBe('management@sanarise.example');
  });

  it('the team\'s acknowledgement cap counts team acknowledgements only; a capped complainant is told to managers only, from management', async () => {
    const { buildMail } = await import('../helpers/mail-builder.js');
    const capped: IngestDeps = { ...deps, config: testConfig(database.url, { limits: { ackPerSenderCap: 2 } }) };
    const send = (subject: string) => ingestMessage(capped, { raw: buildMail({ from: 'cap@capped.example', subject }), mailbox: 'support', receivedAt: MONDAY_10, source: 'imap' });
    await send('[Şikayet] bir CANARY-CAP');
    await send('Şikayet: iki CANARY-CAP');
    const team = await send('[Soru] takım');
    const teamMails = await database.db.select().from(outbox).where(eq(outbox.ticketId, team.ticket!.id));
    expect(teamMails.map((r) => r.kind)).toContain('acknowledgement');
    await send('[Şikayet] üç CANARY-CAP');
    const notices = (await database.db.select().from(outbox)).filter((r) => r.kind === 'sender-capped' && r.text.includes('cap@capped.example'));
    expect(notices.length).toBeGreaterThan(0);
    for (const n of notices) {
      expect(n.to.map((a) => a.address)).toEqual(['manager@sanarise.example']);
      expect(n.fromAddress.address).toBe('management@sanarise.example');
    }
  });
});
