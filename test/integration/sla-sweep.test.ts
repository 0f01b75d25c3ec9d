import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recomputeTicketSla } from '../../src/app/ingest/recompute-ticket-sla.js';
import { recordingNotify, sweepSla, type SweepSlaDeps } from '../../src/app/jobs/sweep-sla.js';
import type { Config } from '../../src/config.js';
import { slaAlerts, ticketEvents, ticketPauses, tickets } from '../../src/db/schema/tickets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testConfig } from '../helpers/test-config.js';

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);

let database: TestDatabase;
let config: Config;
let seq = 0;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  config = testConfig(database.url);
});
afterAll(async () => { await database.drop(); });
beforeEach(async () => {
  await database.db.execute(sql`truncate tickets, ticket_events, ticket_pauses, sla_alerts restart identity cascade`);
});

async function openTicket(over: Partial<typeof tickets.$inferInsert> & { receivedAt: Date }): Promise<number> {
  const [row] = await database.db.insert(tickets).values({
    number: `SR-${++seq}`, mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'medium',
    priorityReason: 'tag', requesterAddress: 'client@example.com', subject: 'broken', status: 'new', ...over,
  }).returning({ id: tickets.id });
  await database.db.transaction((tx) => recomputeTicketSla(tx, row!.id, config.policy, over.receivedAt));
  return row!.id;
}

function sweeper(now: { at: Date }) {
  const notify = recordingNotify();
  const deps: SweepSlaDeps = {
    db: database.db, policy: config.policy, config, clock: () => now.at, logger: pino({ level: 'silent' }), notify,
  };
  return { tick: () => sweepSla(deps, { limit: 100 }), notify };
}

const ticketRow = async (id: number) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;
const eventsOf = (id: number) => database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, id)).orderBy(ticketEvents.id);

describe('sweepSla on PostgreSQL', () => {
  it('walks a ticket up the ladder: reminder at 75%, breach at 100%, manager at 150%, each once', async () => {
    const id = await openTicket({ receivedAt: ist('2026-03-16 09:00') });
    expect(await ticketRow(id)).toMatchObject({ firstResponseDue: ist('2026-03-16 13:00'), nextSlaAt: ist('2026-03-16 12:00') });

    const now = { at: ist('2026-03-16 11:59') };
    const s = sweeper(now);
    expect(await s.tick()).toEqual({ claimed: 0, fired: 0 });

    now.at = ist('2026-03-16 12:00');
    expect(await s.tick()).toEqual({ claimed: 1, fired: 1 });
    expect(await s.tick()).toEqual({ claimed: 0, fired: 0 });
    expect(await ticketRow(id)).toMatchObject({ nextSlaAt: ist('2026-03-16 13:00'), breachedAt: null });

    now.at = ist('2026-03-16 13:00');
    expect(await s.tick()).toMatchObject({ fired: 1 });
    expect(await ticketRow(id)).toMatchObject({ breachedAt: ist('2026-03-16 13:00'), nextSlaAt: ist('2026-03-16 15:00') });
    // The ladder moves with the clock (issue 23): the breach puts the ticket at the team lead.
    expect((await ticketRow(id)).escalationLevel).toBe(2);

    now.at = ist('2026-03-16 15:00');
    expect(await s.tick()).toMatchObject({ fired: 1 });
    expect(await ticketRow(id)).toMatchObject({ nextSlaAt: null });
    expect((await ticketRow(id)).escalationLevel).toBe(3); // 150 %: the manager
    now.at = ist('2026-03-20 15:00');
    expect(await s.tick()).toEqual({ claimed: 0, fired: 0 });

    const events = await eventsOf(id);
    expect(events.map((e) => [e.kind, e.actor, e.data.recipients])).toEqual([
      ['sla-reminder', 'sla', 'assignee-or-team'], ['sla-breach', 'sla', 'lead'], ['sla-escalated-manager', 'sla', 'manager'],
    ]);
    expect(events[1]!.data.deadline).toBe(ist('2026-03-16 13:00').toISOString());
    expect(s.notify.records.map((n) => [n.recipients, n.notBefore])).toEqual([
      ['assignee-or-team', ist('2026-03-16 12:00')], ['lead', ist('2026-03-16 13:00')], ['manager', ist('2026-03-16 15:00')],
    ]);
  });

  it('fires each step exactly once with two sweepers ticking at the same time', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 60; i++) ids.push(await openTicket({ receivedAt: ist('2026-03-16 09:00'), priority: i % 2 ? 'high' : 'medium' }));
    const now = { at: ist('2026-03-17 17:00') };
    const a = sweeper(now);
    const b = sweeper(now);
    for (let round = 0; round < 3; round++) await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);

    // Each ticket's reminder is past its deadline at 17:00: recorded, not sent (the breach is).
    expect(a.notify.records.length + b.notify.records.length).toBe(120);
    const [alerts] = await database.db.select({ n: sql<number>`count(*)::int` }).from(slaAlerts);
    expect(alerts!.n).toBe(180);
    const perTicket = await database.db.select({ id: ticketEvents.ticketId, n: sql<number>`count(*)::int` })
      .from(ticketEvents).groupBy(ticketEvents.ticketId);
    expect(perTicket.every((r) => r.n === 3)).toBe(true);
    expect(perTicket).toHaveLength(60);
  });

  it('does not fire while the ticket waits on the client', async () => {
    const id = await openTicket({
      receivedAt: ist('2026-03-16 09:00'), priority: 'high', status: 'waiting',
      firstResponseAt: ist('2026-03-16 09:30'), qualifiedAt: ist('2026-03-16 10:00'),
    });
    await database.db.insert(ticketPauses).values({ ticketId: id, startedAt: ist('2026-03-16 11:00') });
    // A stale schedule (written before the pause) still reaches the sweeper, which fires nothing.
    await database.db.update(tickets).set({ nextSlaAt: ist('2026-03-17 10:00') }).where(eq(tickets.id, id));
    const s = sweeper({ at: ist('2026-03-25 12:00') });
    expect(await s.tick()).toEqual({ claimed: 1, fired: 0 });
    expect(await ticketRow(id)).toMatchObject({ nextSlaAt: null, breachedAt: null });

    await database.db.transaction((tx) => recomputeTicketSla(tx, id, config.policy, ist('2026-03-25 12:00')));
    expect(await ticketRow(id)).toMatchObject({ resolutionDue: null, nextSlaAt: null });
  });

  it('notifies at night for critical tickets and holds the others until the next opening', async () => {
    const critical = await openTicket({ receivedAt: ist('2026-03-21 02:00'), priority: 'critical' });
    const medium = await openTicket({ receivedAt: ist('2026-03-13 10:00') });
    const fridayNight = sweeper({ at: ist('2026-03-13 20:00') });
    await fridayNight.tick();
    const held = fridayNight.notify.records.filter((n) => n.ticketId === medium);
    expect(held.map((n) => n.event.level)).toEqual(['breach', 'manager']);
    expect(held.every((n) => n.notBefore.getTime() === ist('2026-03-16 09:00').getTime())).toBe(true);

    const nightOfCritical = sweeper({ at: ist('2026-03-21 02:45') });
    await nightOfCritical.tick();
    expect(nightOfCritical.notify.records).toMatchObject([{ ticketId: critical, recipients: 'assignee-or-team', notBefore: ist('2026-03-21 02:45') }]);
  });

  it('tells only managers about private tickets', async () => {
    await openTicket({ receivedAt: ist('2026-03-16 09:00'), private: true, type: 'complaint', priority: 'low', mailbox: 'management' });
    const s = sweeper({ at: ist('2026-03-18 12:00') });
    await s.tick();
    expect(s.notify.records.map((n) => n.recipients)).toEqual(['manager', 'manager']);
  });

  it('moves the schedule when a priority change makes a step overdue', async () => {
    const id = await openTicket({ receivedAt: ist('2026-03-16 09:00') });
    await database.db.update(tickets).set({ priority: 'high' }).where(eq(tickets.id, id));
    await database.db.transaction((tx) => recomputeTicketSla(tx, id, config.policy, ist('2026-03-16 10:45')));
    // High: 120 min -> reminder 10:30 is already due, so the sweeper must look now.
    expect(await ticketRow(id)).toMatchObject({ firstResponseDue: ist('2026-03-16 11:00'), nextSlaAt: ist('2026-03-16 10:30') });
  });
});
