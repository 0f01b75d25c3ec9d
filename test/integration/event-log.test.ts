import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, listEvents } from '../../src/db/repositories/event-repository.js';
import type { TicketEvent } from '../../src/tickets/ticket-event.js';
import { insertSlaAlerts } from '../../src/db/repositories/sla-repository.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** The event log and the SLA alerts are written as one array per column (unnest): what goes in comes out, in order. */
describe('batched writes of events and SLA alerts', () => {
  let database: TestDatabase;
  let ticketId: number;
  const at = new Date('2026-03-16T07:00:00.123Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    const [row] = await database.db.insert(tickets).values({
      number: 'SR-7001', mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'medium', priorityReason: 'default',
      status: 'new', requesterAddress: 'deniz@client.example', subject: 's', receivedAt: at,
    }).returning({ id: tickets.id });
    ticketId = row!.id;
  });
  afterAll(async () => { await database.drop(); });

  it('keeps 300 events of one instant in the order given, with their reasons and data intact', async () => {
    const events: TicketEvent[] = Array.from({ length: 300 }, (_, i) => ({
      ticketId, at, actor: i % 2 ? 'sla' : 'system', kind: `step-${i}`,
      reason: i % 3 === 0 ? null : `reason "${i}", with a comma, a \\ and İstanbul`,
      data: i % 5 === 0 ? undefined : { n: i, quote: 'say "hi"', nested: { list: [1, 'two', null] } },
    }));
    await appendEvents(database.db, events);
    const stored = await listEvents(database.db, ticketId);
    expect(stored.map((e) => e.kind)).toEqual(events.map((e) => e.kind));
    expect(stored.map((e) => ({ actor: e.actor, reason: e.reason, data: e.data, at: e.at.toISOString() }))).toEqual(
      events.map((e) => ({ actor: e.actor, reason: e.reason ?? null, data: e.data ?? {}, at: at.toISOString() })));
  });

  it('records each SLA step once and answers only the new ones, as Dates', async () => {
    const deadline = new Date('2026-03-16T11:00:00.500Z');
    const first = await insertSlaAlerts(database.db, [
      { ticketId, clock: 'first-response', level: 'reminder', deadline },
      { ticketId, clock: 'first-response', level: 'breach', deadline },
    ], at);
    expect(first).toEqual([
      { ticketId, clock: 'first-response', level: 'reminder', deadline },
      { ticketId, clock: 'first-response', level: 'breach', deadline },
    ]);
    const again = await insertSlaAlerts(database.db, [
      { ticketId, clock: 'first-response', level: 'breach', deadline },
      { ticketId, clock: 'first-response', level: 'manager', deadline },
    ], at);
    expect(again).toEqual([{ ticketId, clock: 'first-response', level: 'manager', deadline }]);
  });
});
