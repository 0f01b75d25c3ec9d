import { and, asc, eq, like } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_JOB, sendManagerDigest } from '../../src/app/jobs/send-manager-digest.js';
import { scheduledRuns } from '../../src/db/schema/scheduled-runs.js';
import { DEFAULT_CONFIG_INPUT, type Config } from '../../src/config.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { slaAlerts, ticketEvents, tickets } from '../../src/db/schema/tickets.js';
import { createDigestWorker } from '../../src/workers/digest-worker.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { manualTimer } from '../helpers/manual-timer.js';

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);
const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

let database: TestDatabase;
let config: Config;
beforeAll(async () => {
  database = await createTestDatabase();
  config = testConfig(database.url, {
    people: [
      ...structuredClone(DEFAULT_CONFIG_INPUT.people),
      { address: 'eda@sanarise.example', name: 'Eda Şahin', role: 'manager', language: 'en' },
    ],
  });
});
afterAll(async () => { await database.drop(); });

let seq = 0;
async function insertTicket(over: Partial<typeof tickets.$inferInsert>): Promise<number> {
  seq++;
  const [row] = await database.db.insert(tickets).values({
    number: `SR-T${seq}`, mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'medium', priorityReason: 'tag',
    requesterAddress: 'client@acme.example', subject: `Subject ${seq}`, receivedAt: ist('2026-03-16 08:00'), status: 'open', ...over,
  }).returning({ id: tickets.id });
  return row!.id;
}

async function digestsOn(date: string) {
  return database.db.select().from(outbox)
    .where(and(eq(outbox.kind, 'manager-digest'), like(outbox.dedupeKey, `digest:${date}:%`))).orderBy(asc(outbox.dedupeKey));
}

// Each test works on its own days, in order, on one database: later digests see earlier ones.
describe('the manager digest', () => {
  it('sends nothing when there is nothing to say', async () => {
    // Low priority, answered and qualified: no clock runs, nothing is at risk.
    await insertTicket({ number: 'SR-CALM', priority: 'low', receivedAt: ist('2026-03-09 10:00'),
      firstResponseAt: ist('2026-03-09 11:00'), qualifiedAt: ist('2026-03-09 11:00') });
    const outcome = await sendManagerDigest({ db: database.db, config, clock: () => ist('2026-03-10 09:00') });
    expect(outcome).toEqual({ status: 'nothing-to-say', date: '2026-03-10' });
    expect(await database.db.select().from(outbox)).toEqual([]);
  });

  it('tells each manager, in their language, of breached and at-risk tickets by member and priority, escalations and flags since the last digest, and open private tickets', async () => {
    await insertTicket({ number: 'SR-BREACHED', assignee: 'ayse@sanarise.example', receivedAt: ist('2026-03-13 10:00') });
    await insertTicket({ number: 'SR-SOON', priority: 'high', receivedAt: ist('2026-03-16 08:30') });
    await insertTicket({ number: 'SR-SECRET', private: true, mailbox: 'management', type: 'complaint', priority: 'low',
      subject: 'Şikayet', firstResponseAt: ist('2026-03-12 10:00'), qualifiedAt: ist('2026-03-12 10:00') });
    const escalated = await insertTicket({ number: 'SR-ESCALATED', status: 'resolved', resolvedAt: ist('2026-03-13 17:00') });
    const stale = await insertTicket({ number: 'SR-STALE', status: 'resolved', resolvedAt: ist('2026-03-12 17:00') });
    const busy = await insertTicket({ number: 'SR-FOURTH', priority: 'low', slaReview: true, firstResponseAt: ist('2026-03-13 12:00'), qualifiedAt: ist('2026-03-13 12:00') });
    await database.db.insert(slaAlerts).values([
      { ticketId: escalated, clock: 'first-response', level: 'breach', deadline: ist('2026-03-13 14:00'), firedAt: ist('2026-03-13 14:00') },
      // Before the previous business day's digest time: reported then, not now.
      { ticketId: stale, clock: 'first-response', level: 'manager', deadline: ist('2026-03-12 14:00'), firedAt: ist('2026-03-12 16:00') },
    ]);
    await database.db.insert(ticketEvents).values([
      { ticketId: escalated, at: ist('2026-03-13 15:00'), actor: 'client', kind: 'client-escalated', data: { level: 2, step: 'lead' } },
      { ticketId: busy, at: ist('2026-03-13 11:00'), actor: 'system', kind: 'special-circumstances', data: { count: 4, day: '2026-03-13' } },
    ]);

    // The previous business day's digest was decided at its time (nothing to say, say): since then.
    await database.db.insert(scheduledRuns).values({ job: DIGEST_JOB, occurrence: '2026-03-13', outcome: 'nothing-to-say', decidedAt: ist('2026-03-13 09:00') });
    const outcome = await sendManagerDigest({ db: database.db, config, clock: () => ist('2026-03-16 09:00') });
    expect(outcome).toEqual({ status: 'sent', date: '2026-03-16', enqueued: 2 });
    const mails = await digestsOn('2026-03-16');
    expect(mails.map((m) => [m.dedupeKey, m.to[0]!.address, m.fromAddress.address])).toEqual([
      ['digest:2026-03-16:eda@sanarise.example', 'eda@sanarise.example', 'management@sanarise.example'],
      ['digest:2026-03-16:manager@sanarise.example', 'manager@sanarise.example', 'management@sanarise.example'],
    ]);
    const [en, tr] = [mails[0]!, mails[1]!];
    expect(en.subject).toBe('SLA digest 2026-03-16: 1 breached, 1 at risk');
    expect(tr.subject).toBe('SLA özeti 2026-03-16: 1 süresi aşılmış, 1 riskli');
    const text = en.text;
    const section = (from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to));
    const team = section('BREACHED AND AT-RISK', 'ESCALATIONS');
    expect(team).toMatch(/Ayşe Yılmaz <ayse@sanarise\.example>\n {2}Medium:\n {2}- SR-BREACHED BREACHED/);
    expect(team).toMatch(/Unassigned\n {2}High:\n {2}- SR-SOON at risk/);
    expect(team).not.toContain('SR-CALM');
    expect(team).not.toContain('SR-SECRET');
    const escalations = section('ESCALATIONS', 'SPECIAL CIRCUMSTANCES');
    expect(escalations).toContain('SR-ESCALATED (Medium): first response target missed, now with the team lead');
    expect(escalations).toContain('SR-ESCALATED (Medium): the client escalated, now with the team lead');
    expect(escalations).not.toContain('SR-STALE');
    expect(section('SPECIAL CIRCUMSTANCES', 'OPEN PRIVATE')).toContain('client@acme.example on 2026-03-13: SR-FOURTH flagged for SLA review');
    expect(section('OPEN PRIVATE', '-- ')).toContain('SR-SECRET open: Şikayet');
    expect(tr.text).toContain('AÇIK GİZLİ TALEPLER');
    expect(en.headers['Auto-Submitted']).toBe('auto-generated');
  });

  it('counts escalations from the previous digest on', async () => {
    const fresh = await insertTicket({ number: 'SR-FRESH', status: 'resolved', resolvedAt: ist('2026-03-16 17:00') });
    await database.db.insert(slaAlerts).values(
      { ticketId: fresh, clock: 'resolution', level: 'manager', deadline: ist('2026-03-16 11:00'), firedAt: ist('2026-03-16 12:00') },
    );
    await sendManagerDigest({ db: database.db, config, clock: () => ist('2026-03-17 09:00') });
    const [en] = await digestsOn('2026-03-17');
    const escalations = en!.text.slice(en!.text.indexOf('ESCALATIONS'), en!.text.indexOf('SPECIAL CIRCUMSTANCES'));
    expect(escalations).toContain('SR-FRESH');
    expect(escalations).not.toContain('SR-ESCALATED');
  });

  it('sends once a day across repeated ticks and several workers', async () => {
    const clock = () => ist('2026-03-18 09:00');
    const workers = [1, 2].map(() => createDigestWorker({ db: database.db, config, clock, logger }));
    const outcomes = await Promise.all([workers[0]!.tick(), workers[1]!.tick()]);
    // Both may build it at once; the dedupe keys let only one mail per manager in.
    expect(outcomes.reduce((n, o) => n + (o.status === 'sent' ? o.enqueued : 0), 0)).toBe(2);
    expect(await workers[0]!.tick()).toEqual({ status: 'already-sent', date: '2026-03-18' });
    expect(await digestsOn('2026-03-18')).toHaveLength(2);
  });

  it('skips weekends and holidays', async () => {
    for (const at of ['2026-03-14 09:00', '2026-03-15 12:00', '2026-03-20 09:00']) {
      const outcome = await sendManagerDigest({ db: database.db, config, clock: () => ist(at) });
      expect(outcome.status).toBe('not-due');
      expect(await digestsOn(at.slice(0, 10))).toEqual([]);
    }
  });

  it('sends when a process starts late the same day, then waits for the next business day', async () => {
    let now = ist('2026-03-19 15:00'); // Thursday, a half day before the Bayram: still a business day
    const timer = manualTimer();
    const worker = createDigestWorker({ db: database.db, config, clock: () => now, logger, wait: timer.wait, maxWaitMs: 7 * 86_400_000 });
    const firstWait = timer.nextWait();
    await worker.start();
    await firstWait;
    expect(await digestsOn('2026-03-19')).toHaveLength(2);
    // Friday 20 March is a holiday, then the weekend: Monday 09:00 is 90 hours away.
    expect(timer.waits[0]!.ms).toBe(90 * 3_600_000);

    now = ist('2026-03-23 09:00');
    const secondWait = timer.nextWait();
    timer.waits[0]!.release();
    await secondWait;
    expect(await digestsOn('2026-03-20')).toEqual([]);
    expect(await digestsOn('2026-03-23')).toHaveLength(2);
    await worker.close();
  });

  it('runs once per day in a process: a later wake-up the same day does not build it again', async () => {
    let now = ist('2026-03-24 09:00');
    const timer = manualTimer();
    const worker = createDigestWorker({ db: database.db, config, clock: () => now, logger, wait: timer.wait, maxWaitMs: 3_600_000 });
    const firstWait = timer.nextWait();
    await worker.start();
    await firstWait;
    expect(timer.waits[0]!.ms).toBe(3_600_000); // a long wait is cut to an hour, so a clock jump is noticed
    expect(await digestsOn('2026-03-24')).toHaveLength(2);
    // Were it to run again, the missing rows would come back.
    await database.db.delete(outbox).where(like(outbox.dedupeKey, 'digest:2026-03-24:%'));

    now = ist('2026-03-24 10:00');
    const secondWait = timer.nextWait();
    timer.waits[0]!.release();
    await secondWait;
    expect(await digestsOn('2026-03-24')).toEqual([]);
    await worker.close();
  });

  // Issue 24: a "nothing to say" morning was not recorded, so a restart later that day, when a
  // breach had come in meanwhile, sent the 09:00 digest in the afternoon.
  it('a restart later the same day sends nothing after a "nothing to say" morning, and the next digest counts from that morning', async () => {
    // Every ticket so far is resolved or calm: clear the open ones the earlier tests left.
    await database.db.update(tickets).set({ status: 'resolved', resolvedAt: ist('2026-03-24 12:00') });
    const morning = await sendManagerDigest({ db: database.db, config, clock: () => ist('2026-03-25 09:00') });
    expect(morning).toEqual({ status: 'nothing-to-say', date: '2026-03-25' });
    expect(await database.db.select().from(scheduledRuns).where(eq(scheduledRuns.occurrence, '2026-03-25')))
      .toMatchObject([{ job: DIGEST_JOB, outcome: 'nothing-to-say', decidedAt: ist('2026-03-25 09:00') }]);

    // At 11:00 a ticket breaches and its alert reaches the lead.
    const late = await insertTicket({ number: 'SR-NOON', status: 'resolved', receivedAt: ist('2026-03-25 08:00'), resolvedAt: ist('2026-03-25 16:00') });
    await database.db.insert(slaAlerts).values({ ticketId: late, clock: 'first-response', level: 'breach', deadline: ist('2026-03-25 11:00'), firedAt: ist('2026-03-25 11:00') });

    // A new process starts at 15:00 the same day: it decides nothing again and sends nothing.
    let now = ist('2026-03-25 15:00');
    const timer = manualTimer();
    const worker = createDigestWorker({ db: database.db, config, clock: () => now, logger, wait: timer.wait, maxWaitMs: 7 * 86_400_000 });
    const firstWait = timer.nextWait();
    await worker.start();
    await firstWait;
    expect(await digestsOn('2026-03-25')).toEqual([]);
    expect(await worker.tick()).toEqual({ status: 'already-sent', date: '2026-03-25' });

    // The next morning's digest reports the 11:00 breach: it counts from the recorded morning.
    now = ist('2026-03-26 09:00');
    const secondWait = timer.nextWait();
    timer.waits[0]!.release();
    await secondWait;
    const [en] = await digestsOn('2026-03-26');
    expect(en!.text).toContain('SR-NOON');
    await worker.close();
  });
});
