import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import type { IngestDeps } from '../../src/app/ingest/ingest-batch.js';
import { outboxSlaNotify } from '../../src/app/jobs/notify-sla-event.js';
import { sweepSla } from '../../src/app/jobs/sweep-sla.js';
import { main } from '../../src/cli.js';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { tickets } from '../../src/db/schema/tickets.js';
import type { Policy } from '../../src/policy/default-policy.js';
import { createReplyToken, tokenAddress } from '../../src/security/reply-token.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Monday 16 March 2026, 10:00 in Istanbul.
const MONDAY_10 = new Date('2026-03-16T07:00:00Z');
const CANARIES = ['CANARY-MGMT-7731', 'CANARY-MGMT-BODY-2208', 'CANARY-SIKAYET-4412', 'CANARY-SIKAYET-BODY-9150', 'CANARY-REPLY-6604', 'CANARY-CC-3391'];

describe('the private management channel', () => {
  let database: TestDatabase;
  let deps: IngestDeps;
  let now = MONDAY_10;
  let dir: string;
  const ingest = (raw: Buffer, mailbox: 'support' | 'management' = 'support') =>
    ingestMessage(deps, { raw, mailbox, receivedAt: now, source: 'cli' });
  const ticketRow = async (id: number) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;

  beforeAll(async () => {
    database = await createTestDatabase();
    deps = { db: database.db, config: testConfig(database.url), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), clock: () => now };
    dir = mkdtempSync(join(tmpdir(), 'slagate-private-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  });

  it('keeps every canary of private tickets out of team mail, team notifications and the team report', async () => {
    const { config } = deps;
    // A team ticket alongside, so the team does get mail in this run and the check is not vacuous.
    const team = await ingest(buildMail({ subject: '[Hata] Stok ekranı', messageId: '<team@client.example>' }));
    const toManagement = await ingest(buildMail({
      to: 'management@sanarise.example', subject: `Destek ekibi hakkında ${CANARIES[0]}`, body: `Merhaba,\n${CANARIES[1]}\n`,
      messageId: '<mgmt@client.example>',
    }), 'management');
    const complaint = await ingest(buildMail({ subject: `[Şikayet] ${CANARIES[2]}`, body: `Şikayetim: ${CANARIES[3]}`, messageId: '<sikayet@client.example>' }));
    expect(toManagement.ticket).toMatchObject({ private: true, type: 'complaint' });
    expect(complaint.ticket).toMatchObject({ private: true, type: 'complaint' });

    // The client follows up on the complaint; managers get it, with their management reply address.
    const complaintRow = await ticketRow(complaint.ticket!.id);
    // Its acknowledgement came from management, so that is where the answer arrives.
    await ingest(buildMail({
      to: 'management@sanarise.example', subject: `Re: [#${complaintRow.number}] ${CANARIES[2]}`, body: `Ek bilgi ${CANARIES[4]}`,
      inReplyTo: '<sikayet@client.example>',
    }), 'management');
    const forwards = await database.db.select().from(outbox).where(eq(outbox.kind, 'client-reply-forward'));
    const complaintForward = forwards.find((r) => r.ticketId === complaint.ticket!.id)!;
    expect(complaintForward.to).toEqual([expect.objectContaining({ address: 'manager@sanarise.example' })]);
    expect(complaintForward.replyTo!.address).toMatch(/^management\+/);

    // An agent's signed token for the private ticket acts neither through support nor management.
    const agent = config.people.find((p) => p.role === 'agent')!;
    const agentToken = createReplyToken(config.tokenSecret!, agent, complaint.ticket!.id, new Date(now.getTime() + 86_400_000));
    for (const mailbox of ['support', 'management'] as const) {
      await ingest(buildMail({
        from: `${agent.name} <${agent.address}>`, to: tokenAddress(config.mailboxes[mailbox].address, agentToken),
        subject: 'Re: durum', body: '#status closed\n#assign ayse@sanarise.example\n\nTamam.',
      }), mailbox);
    }
    expect(await ticketRow(complaint.ticket!.id)).toMatchObject({ status: 'new', assignee: null });

    // A client writing to support and copying management: the mail reached management, so both
    // copies are one private ticket (issue 20; this was two independent tickets before).
    const cc = buildMail({ to: 'support@sanarise.example', cc: 'management@sanarise.example', subject: `Fatura sorunu ${CANARIES[5]}`, messageId: '<both@client.example>' });
    const supportCopy = await ingest(cc, 'support');
    const managementCopy = await ingest(cc, 'management');
    expect(supportCopy.decision).toBe('new-ticket');
    expect(supportCopy.ticket!.private).toBe(true);
    expect(managementCopy).toMatchObject({ decision: 'duplicate', ticket: null });

    // Let every clock run out: reminders, breaches and manager escalations are queued.
    const sweep = { db: database.db, policy: config.policy as Policy, config, logger: deps.logger, notify: outboxSlaNotify(config, () => now) };
    for (const days of [0.2, 1, 3, 8]) {
      now = new Date(MONDAY_10.getTime() + days * 86_400_000);
      await sweepSla({ ...sweep, clock: () => now }, { limit: 100 });
    }
    now = MONDAY_10;

    const rows = await database.db.select().from(outbox);
    const teamAddresses = new Set(config.people.filter((p) => p.role !== 'manager').map((p) => p.address));
    const teamRows = rows.filter((r) => [...r.to, ...r.cc].some((a) => teamAddresses.has(a.address)));
    expect(teamRows.some((r) => r.ticketId === team.ticket!.id && r.kind === 'team-new-ticket')).toBe(true);
    expect(teamRows.some((r) => r.kind === 'sla-breach')).toBe(true);
    const privateIds = new Set([toManagement.ticket!.id, complaint.ticket!.id, supportCopy.ticket!.id]);
    const privateNumbers = await Promise.all([...privateIds].map(async (id) => (await ticketRow(id)).number));
    for (const row of teamRows) {
      const visible = JSON.stringify([row.subject, row.text, row.html, row.headers, row.replyTo]);
      for (const canary of [...CANARIES, ...privateNumbers]) {
        expect(visible, `${row.kind} to ${row.to[0]!.address}`).not.toContain(canary);
      }
      expect(privateIds.has(row.ticketId ?? -1)).toBe(false);
    }
    expect(rows.some((r) => r.kind === 'team-new-ticket' && privateIds.has(r.ticketId ?? -1))).toBe(false);
    // Managers do hear about the private tickets.
    expect(rows.some((r) => privateIds.has(r.ticketId ?? -1) && r.to.some((a) => a.address === 'manager@sanarise.example'))).toBe(true);

    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url } }));
    for (const format of ['md', 'json', 'html']) {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const code = await main(['node', 'slagate', '--config', configPath, 'report', 'monthly', '--month', '2026-03', '--format', format], { out, err: new PassThrough() });
      const report = Buffer.concat(chunks).toString('utf8');
      expect(code).toBe(0);
      expect(report.length).toBeGreaterThan(0);
      for (const canary of [...CANARIES, ...privateNumbers]) expect(report, format).not.toContain(canary);
    }
  });
});
