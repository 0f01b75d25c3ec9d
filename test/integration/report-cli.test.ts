import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { DEFAULT_CONFIG_INPUT } from '../../src/config.js';
import { slaAlerts, ticketEvents, ticketPauses, tickets } from '../../src/db/schema/tickets.js';
import type { Report } from '../../src/reports/report-model.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let dir: string;
let configPath: string;

async function slagate(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await main(['node', 'slagate', '--config', configPath, ...args], { out, err });
  return { code, out: Buffer.concat(chunks.out).toString('utf8'), err: Buffer.concat(chunks.err).toString('utf8') };
}

let seq = 0;
function ticket(values: Partial<typeof tickets.$inferInsert> & { receivedAt: Date }): typeof tickets.$inferInsert {
  seq += 1;
  return {
    number: `SR-${seq}`, mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'high', priorityReason: 'tag',
    requesterAddress: 'ops@acme.example', subject: `ticket ${seq}`, ...values,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'slagate-report-'));
  configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...DEFAULT_CONFIG_INPUT, database: { url: database.url } }));

  const inserted = await database.db.insert(tickets).values([
    // Monday 2 March 10:00 local; answered in 30 minutes, resolved in 3 working hours with an hour paused.
    ticket({
      receivedAt: new Date('2026-03-02T07:00:00Z'), firstResponseAt: new Date('2026-03-02T07:30:00Z'),
      firstResponseDue: new Date('2026-03-02T09:00:00Z'), qualifiedAt: new Date('2026-03-02T08:00:00Z'),
      resolvedAt: new Date('2026-03-02T12:00:00Z'), resolutionDue: new Date('2026-03-03T11:00:00Z'), satisfactionScore: 5,
    }),
    // Answered late, escalated to the team lead.
    ticket({
      receivedAt: new Date('2026-03-03T07:00:00Z'), firstResponseAt: new Date('2026-03-03T11:00:00Z'),
      firstResponseDue: new Date('2026-03-03T09:00:00Z'), breachedAt: new Date('2026-03-03T09:00:00Z'), escalationLevel: 1,
      requesterAddress: 'boss@other.example', satisfactionScore: 2,
    }),
    // A complaint to management: only management's report may know about it.
    ticket({
      receivedAt: new Date('2026-03-04T07:00:00Z'), mailbox: 'management', private: true, type: 'complaint',
      typeSource: 'mailbox', priority: 'low', requesterAddress: 'whistle@hidden.example', satisfactionScore: 1,
    }),
    // April: outside the month.
    ticket({ receivedAt: new Date('2026-04-01T07:00:00Z') }),
  ]).returning({ id: tickets.id });
  const [first, late, complaint] = inserted.map((r) => r.id) as [number, number, number];
  await database.db.insert(ticketPauses).values({
    ticketId: first, startedAt: new Date('2026-03-02T09:00:00Z'), endedAt: new Date('2026-03-02T10:00:00Z'),
  });
  await database.db.insert(slaAlerts).values([
    { ticketId: late, clock: 'first-response', level: 'breach', deadline: new Date('2026-03-03T09:00:00Z'), firedAt: new Date('2026-03-03T09:00:00Z') },
    { ticketId: complaint, clock: 'first-response', level: 'breach', deadline: new Date('2026-03-04T15:00:00Z'), firedAt: new Date('2026-03-04T15:00:00Z') },
  ]);
  // The sweep writes an event beside each alert: the reports read the events.
  await database.db.insert(ticketEvents).values([
    { ticketId: late, at: new Date('2026-03-03T09:00:00Z'), actor: 'sla', kind: 'sla-breach', data: { clock: 'first-response', level: 'breach' } },
    { ticketId: complaint, at: new Date('2026-03-04T15:00:00Z'), actor: 'sla', kind: 'sla-breach', data: { clock: 'first-response', level: 'breach' } },
  ]);
});

afterAll(async () => {
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('slagate report monthly', () => {
  it('reports the month\'s team tickets from the database in working time', async () => {
    const { code, out, err } = await slagate('report', 'monthly', '--month', '2026-03', '--format', 'json');
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out) as Report;
    expect(report.totals.tickets).toBe(2);
    expect(report.firstResponse.byPriority.high).toEqual({ count: 2, medianMinutes: 135, p90Minutes: 219 });
    expect(report.resolution.byPriority.high.medianMinutes).toBe(180);
    expect(report.attainment.byPriority.find((r) => r.key === 'high')!.firstResponse).toEqual({ met: 1, total: 2, rate: 0.5 });
    expect(report.breaches).toEqual({ breachedTickets: 1, alerts: 1, byClock: { 'first-response': 1 } });
    // Issue 24: the breach alert told the team lead (was byLevel {1: 1}, level 1 being the agent).
    expect(report.escalations).toMatchObject({ escalatedTickets: 1, reachedLead: 1, reachedManager: 0, clientEscalations: 0 });
    expect(report.satisfaction.distribution).toEqual({ 1: 0, 2: 1, 3: 0, 4: 0, 5: 1 });
    expect(out).not.toMatch(/hidden\.example|complaint/);
  });

  it('includes private tickets only in management\'s report', async () => {
    const { code, out } = await slagate('report', 'monthly', '--month', '2026-03', '--format', 'json', '--private');
    expect(code).toBe(0);
    const report = JSON.parse(out) as Report;
    expect(report.includesPrivate).toBe(true);
    expect(report.totals.tickets).toBe(3);
    expect(report.breaches.alerts).toBe(2);
    expect(report.clients.map((c) => c.client)).toContain('hidden.example');
  });

  it('narrows to one client and groups by address when given an address', async () => {
    const { out } = await slagate('report', 'monthly', '--month', '2026-03', '--client', 'Boss@Other.example', '--format', 'json');
    const report = JSON.parse(out) as Report;
    expect(report.clients).toEqual([expect.objectContaining({ client: 'boss@other.example', tickets: 1 })]);
  });

  it('prints Markdown by default and HTML on request', async () => {
    const md = await slagate('report', 'monthly', '--month', '2026-03');
    expect(md.out).toMatch(/^# Monthly SLA report March 2026/);
    const html = await slagate('report', 'monthly', '--month', '2026-03', '--format', 'html');
    expect(html.out).toMatch(/^<!doctype html>/);
    expect(html.out.match(/<svg class="chart"/g)).toHaveLength(3);
  });

  it('refuses a malformed month with a usage error', async () => {
    const { code, err } = await slagate('report', 'monthly', '--month', '2026-3');
    expect(code).toBe(64);
    expect(err).toContain('"2026-3" is not YYYY-MM');
  });
});

describe('slagate report quarterly', () => {
  it('covers the three months of the quarter', async () => {
    const { out } = await slagate('report', 'quarterly', '--quarter', '2026-Q2', '--format', 'json');
    const report = JSON.parse(out) as Report;
    expect([report.period.label, report.totals.tickets, report.daily.length]).toEqual(['2026-Q2', 1, 91]);
  });
});
