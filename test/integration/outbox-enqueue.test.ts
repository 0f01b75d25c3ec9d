import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueueAcknowledgement } from '../../src/app/notify/enqueue-acknowledgement.js';
import { enqueueStaffNotification } from '../../src/app/notify/enqueue-staff-notification.js';
import { enqueueTeamNotification } from '../../src/app/notify/enqueue-team-notification.js';
import { recordBounce } from '../../src/app/ingest/record-bounce.js';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../src/config.js';
import { isSuppressed, listOutbox } from '../../src/db/repositories/outbox-repository.js';
import { outbox, suppressions } from '../../src/db/schema/outbox.js';
import { SlagateError } from '../../src/errors.js';
import type { TicketView } from '../../src/outbound/ticket-view.js';
import { createFileSender } from '../../src/smtp/create-file-sender.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let now: Date;
let ids = 0;
const config = parseConfig({ ...DEFAULT_CONFIG_INPUT, limits: { ackPerSenderCap: 2, ackPerSenderWindowMinutes: 60, bounceSuppressionDays: 7 } });
const deps = () => ({ config, clock: () => now, random: () => `r${++ids}` });

function ticket(id: number, overrides: Partial<TicketView> = {}): TicketView {
  return {
    id, number: `SR-${1000 + id}`, subject: 'Fatura açılmıyor', type: 'problem', typeName: 'Report a Problem/Bug',
    priority: 'medium', requestedPriority: null, priorityReason: 'default for type', private: false, mailbox: 'support',
    requesterAddress: 'deniz@client.example', requesterName: 'Deniz', language: 'tr',
    firstResponseDue: new Date('2026-03-16T12:00:00Z'), resolutionDue: null, slaReview: false, assignee: null, ...overrides,
  };
}
const clientMail = (id: number) => ({
  messageId: `<m${id}@client.example>`, references: [], subject: 'Fatura açılmıyor', fromAddress: 'deniz@client.example',
  fromName: 'Deniz', toAddress: 'support@sanarise.example', text: 'Fatura ekranı açılmıyor.', attachmentCount: 0,
});

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  now = new Date('2026-03-16T09:00:00Z');
  await database.db.delete(outbox);
  await database.db.delete(suppressions);
});

describe('enqueueAcknowledgement', () => {
  it('queues one acknowledgement per ticket however often it is asked', async () => {
    const first = await enqueueAcknowledgement(database.db, deps(), { ticket: ticket(1), mail: clientMail(1) });
    const again = await enqueueAcknowledgement(database.db, deps(), { ticket: ticket(1), mail: clientMail(1) });
    expect(first.enqueued).toBe(true);
    expect(again).toEqual({ enqueued: false, reason: 'ticket already acknowledged' });
    const rows = await listOutbox(database.db);
    expect(rows.map((r) => r.dedupeKey)).toEqual(['ack:1']);
  });

  it('stops at the per-sender cap and tells the team once per window', async () => {
    const results = [];
    for (let id = 1; id <= 4; id++) results.push(await enqueueAcknowledgement(database.db, deps(), { ticket: ticket(id), mail: clientMail(id) }));
    expect(results.map((r) => r.enqueued)).toEqual([true, true, false, false]);
    const rows = await listOutbox(database.db, { limit: 100 });
    const capped = rows.filter((r) => r.kind === 'sender-capped');
    const agents = config.people.filter((p) => p.role === 'agent').map((p) => p.address).sort();
    expect(capped.map((r) => r.to[0]!.address).sort()).toEqual(agents);
    // A new window allows acknowledgements again.
    now = new Date(now.getTime() + 61 * 60_000);
    expect((await enqueueAcknowledgement(database.db, deps(), { ticket: ticket(5), mail: clientMail(5) })).enqueued).toBe(true);
  });

  it('sends nothing to an address that hard-bounced, and a soft bounce changes nothing', async () => {
    await enqueueAcknowledgement(database.db, deps(), { ticket: ticket(1), mail: clientMail(1) });
    const [ack] = await listOutbox(database.db);
    // A report about a mail that was never sent proves nothing and changes nothing.
    expect(await recordBounce(database.db, deps(), { originalMessageId: ack!.messageId, recipients: [{ address: 'deniz@client.example', status: '5.1.1' }] }))
      .toMatchObject({ matched: false, suppressed: [] });
    await database.db.update(outbox).set({ status: 'sent' }).where(eq(outbox.id, ack!.id));
    await recordBounce(database.db, deps(), { originalMessageId: ack!.messageId, recipients: [{ address: 'deniz@client.example', status: '4.2.2' }] });
    expect(await isSuppressed(database.db, 'deniz@client.example', now)).toBe(false);
    const hard = await recordBounce(database.db, deps(), { originalMessageId: ack!.messageId, recipients: [{ address: 'Deniz@client.example', status: '5.1.1' }] });
    expect(hard).toMatchObject({ matched: true, suppressed: ['deniz@client.example'] });
    expect((await listOutbox(database.db))[0]).toMatchObject({ status: 'bounced' });
    const next = await enqueueAcknowledgement(database.db, deps(), { ticket: ticket(2), mail: clientMail(2) });
    expect(next.enqueued).toBe(false);
    expect(next.reason).toMatch(/suppressed/);
    // The suppression ends after bounceSuppressionDays.
    now = new Date(now.getTime() + 8 * 86_400_000);
    expect(await isSuppressed(database.db, 'deniz@client.example', now)).toBe(false);
  });
});

describe('forged delivery reports', () => {
  it('never suppress staff, nor an address the bounced mail was not sent to', async () => {
    await enqueueAcknowledgement(database.db, deps(), { ticket: ticket(1), mail: clientMail(1) });
    const [ack] = await listOutbox(database.db);
    await database.db.update(outbox).set({ status: 'sent' }).where(eq(outbox.id, ack!.id));
    const forged = await recordBounce(database.db, deps(), {
      originalMessageId: ack!.messageId,
      recipients: [
        { address: 'manager@sanarise.example', status: '5.1.1' },
        { address: 'someone-else@client.example', status: '5.1.1' },
      ],
    });
    expect(forged).toMatchObject({ matched: true, suppressed: [] });
    expect(await isSuppressed(database.db, 'manager@sanarise.example', now)).toBe(false);
    expect(await isSuppressed(database.db, 'someone-else@client.example', now)).toBe(false);
  });
});

describe('staff notifications', () => {
  it('tell every agent about a team ticket, and refuse a private one outright', async () => {
    expect(await enqueueTeamNotification(database.db, deps(), { ticket: ticket(1), message: { text: 'hello' } })).toEqual({ enqueued: 2 });
    await expect(enqueueTeamNotification(database.db, deps(), { ticket: ticket(2, { private: true }), message: { text: 'x' } }))
      .rejects.toBeInstanceOf(SlagateError);
  });

  it('hold reminders until notBefore and key them per recipient', async () => {
    const lead = config.people.filter((p) => p.role === 'lead');
    const input = { ticket: ticket(1), kind: 'sla-breach' as const, recipients: lead, notBefore: new Date('2026-03-17T06:00:00Z'),
      dedupeKey: 'sla:1:first-response:breach:2026-03-16T12:00:00Z', data: { clock: 'first-response', deadline: new Date('2026-03-16T12:00:00Z') } };
    expect(await enqueueStaffNotification(database.db, deps(), input)).toEqual({ enqueued: 1 });
    expect(await enqueueStaffNotification(database.db, deps(), input)).toEqual({ enqueued: 0 });
    const [row] = await listOutbox(database.db);
    expect(row?.notBefore.toISOString()).toBe('2026-03-17T06:00:00.000Z');
    expect(row?.dedupeKey).toBe(`sla:1:first-response:breach:2026-03-16T12:00:00Z:${lead[0]!.address}`);
    await expect(enqueueStaffNotification(database.db, deps(), { ...input, ticket: ticket(2, { private: true }) })).rejects.toBeInstanceOf(SlagateError);
  });
});

describe('the file sender (local mail mode)', () => {
  it('writes each mail as an .eml file with its Message-ID and no Bcc', async () => {
    const dir = join(tmpdir(), `slagate-eml-${process.pid}-${Date.now()}`);
    try {
      await enqueueAcknowledgement(database.db, deps(), { ticket: ticket(1), mail: clientMail(1) });
      const [row] = await listOutbox(database.db);
      const result = await createFileSender(dir, { clock: () => now }).send(row!);
      expect(result.accepted).toEqual(['deniz@client.example']);
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      const raw = await readFile(join(dir, files[0]!), 'utf8');
      expect(raw).toContain(`Message-ID: ${row!.messageId}`);
      expect(raw).toMatch(/^Auto-Submitted: auto-replied$/m);
      expect(raw).not.toMatch(/^Bcc:/im);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
