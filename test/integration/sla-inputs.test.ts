import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { getSlaInputs, listPauses, listSlaAlerts } from '../../src/db/repositories/sla-repository.js';
import { slaAlerts, ticketPauses, tickets } from '../../src/db/schema/tickets.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase } from '../helpers/test-database.js';

/** A ticket's clock inputs in one statement, read as the three statements they replaced read them. */
describe('getSlaInputs', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => { for (const close of closers) await close(); });

  async function open(engine: 'postgres' | 'embedded'): Promise<Db> {
    if (engine === 'postgres') {
      const database = await createTestDatabase({ poolMax: 1 });
      closers.push(() => database.drop());
      return database.db;
    }
    const database = await openDatabase({ ...testConfig('postgres://unused').database, url: undefined }, { dataDir: 'memory://' });
    closers.push(() => database.close());
    await migrate(database);
    return database.db;
  }

  it.each(['postgres', 'embedded'] as const)('returns the row, pauses and fired steps listPauses and listSlaAlerts return (%s)', async (engine) => {
    const db = await open(engine);
    const ticket = async (number: string) => (await db.insert(tickets).values({
      number, mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'high', priorityReason: 'tag',
      requesterAddress: 'client@example.com', subject: 'broken', status: 'waiting', receivedAt: new Date('2026-03-16T06:00:00.123Z'),
    }).returning({ id: tickets.id }))[0]!.id;
    const busy = await ticket('SR-1');
    const quiet = await ticket('SR-2');
    await db.insert(ticketPauses).values([
      { ticketId: busy, startedAt: new Date('2026-03-16T07:00:00.001Z'), endedAt: new Date('2026-03-16T08:30:00Z') },
      { ticketId: busy, startedAt: new Date('2026-03-17T09:15:00.5Z'), endedAt: null },
    ]);
    await db.insert(slaAlerts).values([
      { ticketId: busy, clock: 'first-response', level: 'reminder', deadline: new Date('2026-03-16T10:00:00Z'), firedAt: new Date('2026-03-16T09:15:00Z') },
      { ticketId: busy, clock: 'resolution', level: 'breach', deadline: new Date('2026-03-18T15:00:00.999Z'), firedAt: new Date('2026-03-18T15:00:01Z') },
    ]);

    const inputs = await getSlaInputs(db, busy);
    const [row] = await db.select().from(tickets).where(eq(tickets.id, busy));
    expect(inputs!.row).toEqual({
      id: busy, private: false, priority: 'high', status: 'waiting', assignee: null, receivedAt: row!.receivedAt,
      firstResponseAt: null, qualifiedAt: null, resolvedAt: null, escalationLevel: 0,
    });
    const byStart = (a: { start: Date }, b: { start: Date }) => a.start.getTime() - b.start.getTime();
    expect(inputs!.pauses.sort(byStart)).toEqual((await listPauses(db, [busy])).sort(byStart));
    expect(inputs!.pauses.map((p) => p.end?.toISOString() ?? null)).toEqual(['2026-03-16T08:30:00.000Z', null]);
    const byClock = (a: { clock: string }, b: { clock: string }) => a.clock.localeCompare(b.clock);
    expect(inputs!.alerts.sort(byClock)).toEqual((await listSlaAlerts(db, [busy])).sort(byClock));
    expect(inputs!.alerts.map((a) => a.deadline.toISOString())).toEqual(['2026-03-16T10:00:00.000Z', '2026-03-18T15:00:00.999Z']);

    expect(await getSlaInputs(db, quiet)).toMatchObject({ row: { id: quiet }, pauses: [], alerts: [] });
    expect(await getSlaInputs(db, 999_999)).toBeNull();
  });
});
