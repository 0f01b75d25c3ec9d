import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeTicketSla } from '../../src/app/ingest/recompute-ticket-sla.js';
import { recordingNotify } from '../../src/app/jobs/sweep-sla.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { createSlaWorker } from '../../src/workers/sla-worker.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testConfig } from '../helpers/test-config.js';
import { manualTimer } from '../helpers/manual-timer.js';

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);

let database: TestDatabase;
beforeAll(async () => { database = await createTestDatabase(); });
afterAll(async () => { await database.drop(); });

describe('the SLA worker', () => {
  it('sweeps once per interval on its injected clock and stops cleanly', async () => {
    const config = testConfig(database.url, { sla: { sweepIntervalMs: 30_000 } });
    const [row] = await database.db.insert(tickets).values({
      number: 'SR-1', mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'medium', priorityReason: 'tag',
      requesterAddress: 'c@example.com', subject: 's', receivedAt: ist('2026-03-16 09:00'),
    }).returning({ id: tickets.id });
    await database.db.transaction((tx) => recomputeTicketSla(tx, row!.id, config.policy, ist('2026-03-16 09:00')));

    let now = ist('2026-03-16 11:00');
    const timer = manualTimer();
    const notify = recordingNotify();
    const worker = createSlaWorker({
      db: database.db, policy: config.policy, config, clock: () => now, logger: pino({ level: 'silent' }), notify, wait: timer.wait,
    });
    const firstWait = timer.nextWait();
    await worker.start();
    await firstWait;
    expect(notify.records).toHaveLength(0);
    expect(timer.waits[0]!.ms).toBe(30_000);

    now = ist('2026-03-16 12:00');
    const secondWait = timer.nextWait();
    timer.waits[0]!.release();
    await secondWait;
    expect(notify.records.map((n) => n.event.level)).toEqual(['reminder']);
    expect(worker.ticks).toBe(2);

    await worker.close();
    const after = (await database.db.select().from(tickets).where(eq(tickets.id, row!.id)))[0]!;
    expect(after.nextSlaAt).toEqual(ist('2026-03-16 13:00'));
  });
});
