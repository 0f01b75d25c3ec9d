import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ingestMessage } from '../../src/app/ingest/ingest-message.js';
import { outboxSlaNotify } from '../../src/app/jobs/notify-sla-event.js';
import { sweepSla } from '../../src/app/jobs/sweep-sla.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recomputeTicketSla } from '../../src/app/ingest/recompute-ticket-sla.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { createFileSender } from '../../src/smtp/create-file-sender.js';
import { createOutboxWorker } from '../../src/workers/outbox-worker.js';
import { buildMail } from '../helpers/mail-builder.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Monday 16 March 2026, 10:00 Istanbul (07:00Z).
const MONDAY_10 = new Date('2026-03-16T07:00:00Z');
const at = (iso: string) => new Date(iso);

describe('SLA steps become staff mail', () => {
  let database: TestDatabase;
  let now = MONDAY_10;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => { database = await createTestDatabase(); });
  afterAll(async () => { await database.drop(); });

  it('queues the reminder to the team, the breach to the lead and the 150% step to the manager, each once', async () => {
    const config = testConfig(database.url);
    const clock = () => now;
    const outcome = await ingestMessage({ db: database.db, config, logger, clock }, {
      raw: buildMail({ subject: '[High][Bug] Kasa ekranı donuyor', from: 'Kasa <kasa@client.example>' }),
      mailbox: 'support', receivedAt: MONDAY_10, source: 'cli',
    });
    const ticketId = outcome.ticket!.id;
    const deps = { db: database.db, policy: config.policy, config, clock, logger, notify: outboxSlaNotify(config, clock) };
    const staffMail = async (kind: string) => (await database.db.select().from(outbox)
      .where(and(eq(outbox.ticketId, ticketId), eq(outbox.kind, kind)))).map((r) => r.to[0]!.address).sort();

    // High: 2 working hours for first response, due 12:00; 75% at 11:30, 150% at 13:00.
    for (const iso of ['2026-03-16T08:29:00Z', '2026-03-16T08:30:00Z', '2026-03-16T08:45:00Z']) {
      now = at(iso);
      await sweepSla(deps, { limit: 100 });
    }
    expect(await staffMail('sla-reminder')).toEqual(['ayse@sanarise.example', 'mert@sanarise.example']);
    expect(await staffMail('sla-breach')).toEqual([]);
    now = at('2026-03-16T09:00:00Z');
    await sweepSla(deps, { limit: 100 });
    await sweepSla(deps, { limit: 100 });
    expect(await staffMail('sla-breach')).toEqual(['lead@sanarise.example']);
    now = at('2026-03-16T10:00:00Z');
    await sweepSla(deps, { limit: 100 });
    expect(await staffMail('sla-manager-escalation')).toEqual(['manager@sanarise.example']);
    expect(await staffMail('sla-reminder')).toHaveLength(2);
  });

  it('tells managers of a critical breach at once, at night too', async () => {
    const config = testConfig(database.url);
    // Saturday 02:00 Istanbul: critical runs on the 24/7 calendar.
    now = at('2026-03-21T23:00:00Z');
    const clock = () => now;
    const outcome = await ingestMessage({ db: database.db, config, logger, clock }, {
      raw: buildMail({ subject: '[Kritik][Erişim] Sistem çöktü', from: 'Gece <gece@client.example>' }),
      mailbox: 'support', receivedAt: now, source: 'cli',
    });
    now = at('2026-03-22T00:00:00Z');
    await sweepSla({ db: database.db, policy: config.policy, config, clock, logger, notify: outboxSlaNotify(config, clock) }, { limit: 100 });
    const breach = await database.db.select().from(outbox)
      .where(and(eq(outbox.ticketId, outcome.ticket!.id), eq(outbox.kind, 'sla-breach')));
    expect(breach.map((r) => r.to[0]!.address).sort()).toEqual(['lead@sanarise.example', 'manager@sanarise.example']);
    expect(breach.every((r) => r.notBefore.getTime() <= now.getTime())).toBe(true);
  });

  it('drops a queued reminder whose deadline has moved or whose ticket now waits on the client', async () => {
    const config = testConfig(database.url);
    now = MONDAY_10;
    const clock = () => now;
    const outcome = await ingestMessage({ db: database.db, config, logger, clock }, {
      raw: buildMail({ subject: '[High][Bug] Stok sayımı hatalı', from: 'Stok <stok@client.example>' }), mailbox: 'support', receivedAt: now, source: 'cli',
    });
    const ticketId = outcome.ticket!.id;
    now = at('2026-03-16T08:30:00Z');
    await sweepSla({ db: database.db, policy: config.policy, config, clock, logger, notify: outboxSlaNotify(config, clock) }, { limit: 100 });
    // A lead lowers the priority: every deadline is recomputed, the queued reminder is about nothing.
    await database.db.transaction(async (tx) => {
      await tx.update(tickets).set({ priority: 'medium' }).where(eq(tickets.id, ticketId));
      await recomputeTicketSla(tx, ticketId, config.policy, now);
    });
    const dir = mkdtempSync(join(tmpdir(), 'slagate-stale-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const worker = createOutboxWorker({ db: database.db, config, sender: createFileSender(dir), clock, logger, owner: 'stale-test' });
    while (await worker.tick() > 0);
    const reminders = await database.db.select().from(outbox).where(and(eq(outbox.ticketId, ticketId), eq(outbox.kind, 'sla-reminder')));
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((r) => r.status === 'suppressed' && r.lastError === 'the deadline it was about has moved')).toBe(true);
  });
});
