import { and, asc, eq, like } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUARTERLY_REVIEW_JOB, quarterlySchedule, sendQuarterlyReview } from '../../src/app/jobs/send-quarterly-review.js';
import { DEFAULT_CONFIG_INPUT, type Config } from '../../src/config.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { scheduledRuns } from '../../src/db/schema/scheduled-runs.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { createQuarterlyReviewWorker } from '../../src/workers/quarterly-review-worker.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { manualTimer } from '../helpers/manual-timer.js';

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);
const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

let database: TestDatabase;
let config: Config;

/**
 * A quarter of tickets: acme.example's medium bugs miss their first response in October and
 * November and make it in December; beta.example's high website tickets are on time; one private
 * complaint (managers read the review, so it counts); one ticket either side of the quarter.
 */
beforeAll(async () => {
  database = await createTestDatabase();
  config = testConfig(database.url, {
    people: [
      ...structuredClone(DEFAULT_CONFIG_INPUT.people),
      { address: 'eda@sanarise.example', name: 'Eda Şahin', role: 'manager', language: 'en' },
    ],
  });
  let n = 0;
  // Received on a Monday 10:00; first response at `answeredAt` against the stored due.
  const ticket = (received: string, answered: string, due: string, over: Partial<typeof tickets.$inferInsert> = {}) => ({
    number: `SR-${++n}`, mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'medium', priorityReason: 'tag',
    requesterAddress: 'ali@acme.example', subject: `s${n}`, status: 'open', receivedAt: ist(received),
    firstResponseAt: ist(answered), firstResponseDue: ist(due), ...over,
  });
  await database.db.insert(tickets).values([
    ticket('2026-10-05 10:00', '2026-10-05 16:00', '2026-10-05 14:00'),
    ticket('2026-10-12 10:00', '2026-10-12 17:00', '2026-10-12 14:00', { requesterAddress: 'veli@acme.example' }),
    ticket('2026-11-02 10:00', '2026-11-02 15:00', '2026-11-02 14:00'),
    ticket('2026-12-07 10:00', '2026-12-07 11:00', '2026-12-07 14:00'),
    ticket('2026-10-19 10:00', '2026-10-19 10:30', '2026-10-19 12:00', { requesterAddress: 'it@beta.example', type: 'website', priority: 'high' }),
    ticket('2026-11-16 10:00', '2026-11-16 10:30', '2026-11-16 12:00', { requesterAddress: 'it@beta.example', type: 'website', priority: 'high' }),
    ticket('2026-11-09 10:00', '2026-11-09 12:00', '2026-11-10 10:00', {
      requesterAddress: 'angry@acme.example', private: true, mailbox: 'management', type: 'complaint', priority: 'low', number: 'YN-1',
    }),
    // Outside the quarter: neither counts.
    ticket('2026-09-28 10:00', '2026-09-28 18:00', '2026-09-28 14:00', { requesterAddress: 'old@gamma.example' }),
    ticket('2027-01-04 10:00', '2027-01-04 18:00', '2027-01-04 14:00', { requesterAddress: 'new@gamma.example' }),
  ]);
});
afterAll(async () => { await database.drop(); });

const reviewsOf = (quarter: string) => database.db.select().from(outbox)
  .where(and(eq(outbox.kind, 'quarterly-review'), like(outbox.dedupeKey, `quarterly-review:${quarter}:%`))).orderBy(asc(outbox.dedupeKey));

// The tests run in order on one database and one moving clock.
describe('the quarterly review mail', () => {
  it('is not sent before the first business day after the quarter: 1 January is a holiday, the 2nd and 3rd a weekend', async () => {
    for (const at of ['2026-12-31 18:00', '2027-01-01 09:00', '2027-01-02 09:00', '2027-01-03 23:59', '2027-01-04 08:59']) {
      const outcome = await sendQuarterlyReview({ db: database.db, config, clock: () => ist(at) });
      expect(outcome, at).toEqual({ status: 'not-due', nextAt: ist('2027-01-04 09:00') });
    }
    expect(await reviewsOf('2026-Q4')).toEqual([]);
    expect(await database.db.select().from(scheduledRuns)).toEqual([]);
  });

  it('is sent once on Monday 4 January 2027 at the mailing time, to each manager in their language, from management', async () => {
    let now = ist('2027-01-04 09:00');
    const timer = manualTimer();
    const worker = createQuarterlyReviewWorker({
      db: database.db, config, clock: () => now, logger, wait: timer.wait, maxWaitMs: 120 * 86_400_000,
    });
    const firstWait = timer.nextWait();
    await worker.start();
    await firstWait;
    const mails = await reviewsOf('2026-Q4');
    expect(mails.map((m) => [m.dedupeKey, m.to[0]!.address, m.fromAddress.address, m.subject])).toEqual([
      ['quarterly-review:2026-Q4:eda@sanarise.example', 'eda@sanarise.example', 'management@sanarise.example', 'SLA quarterly review 2026-Q4'],
      ['quarterly-review:2026-Q4:manager@sanarise.example', 'manager@sanarise.example', 'management@sanarise.example',
        'Üç aylık SLA değerlendirmesi 2026-Q4'],
    ]);
    expect(await database.db.select().from(scheduledRuns).where(eq(scheduledRuns.job, QUARTERLY_REVIEW_JOB)))
      .toMatchObject([{ occurrence: '2026-Q4', outcome: 'sent', mails: 2, decidedAt: ist('2027-01-04 09:00') }]);
    // Next: the first business day of April, 09:00 (1 April 2027 is a Thursday).
    expect(timer.waits[0]!.ms).toBe(ist('2027-04-01 09:00').getTime() - now.getTime());

    const [en, tr] = [mails[0]!, mails[1]!];
    const text = en.text;
    // The quarter's seven tickets, the private complaint among them (managers read this).
    expect(text).toContain('# Quarterly SLA review Q4 2026');
    expect(text).toMatch(/## Summary\n\n\| tickets .*\n\| --- .*\n\| 7 \|/);
    expect(text).toContain('Management report: includes private tickets.');
    expect(text).not.toContain('gamma.example');
    // The trend per month, per priority and per client.
    expect(text).toContain('## Month by month\n');
    expect(text).toContain('| month | tickets | first response | resolution | breached |');
    expect(text).toContain('## Month by month, per priority');
    expect(text).toContain('| priority | target | October 2026 | November 2026 | December 2026 |');
    expect(text).toContain('| medium | first response | 0.0% (0/2) | 0.0% (0/1) | 100.0% (1/1) |');
    expect(text).toContain('| high | first response | 100.0% (1/1) | 100.0% (1/1) | — |');
    expect(text).toContain('## Month by month, per client');
    expect(text).toContain('| acme.example | first response | 0.0% (0/2) | 50.0% (1/2) | 100.0% (1/1) |');
    expect(text).toContain('| beta.example | first response | 100.0% (1/1) | 100.0% (1/1) | — |');
    // Where targets were missed most: acme's medium bugs, three of four first responses late.
    expect(text).toContain('## Where targets were missed most');
    expect(text).toContain('| acme.example | Report a Problem/Bug | medium | 3 | 25.0% (1/4) | — |');
    expect(text).not.toMatch(/\| beta\.example \| Website Issue/);
    expect(en.html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(en.html).toContain('<svg');
    expect(en.headers['Auto-Submitted']).toBe('auto-generated');

    expect(tr.text).toContain('# Üç aylık SLA değerlendirmesi 2026 4. çeyrek');
    expect(tr.text).toContain('## Aylara göre, önceliğe göre');
    expect(tr.text).toContain('| öncelik | hedef | Ekim 2026 | Kasım 2026 | Aralık 2026 |');
    expect(tr.text).toContain('## Hedeflerin en çok kaçırıldığı yerler');
    // The policy's Turkish type name (issue 24: one list of names, the policy's).
    expect(tr.text).toContain('| acme.example | Sorun/hata bildirimi | orta | 3 | %25,0 (1/4) | — |');
    expect(tr.text).not.toContain('Report a Problem');

    // Later the same day the worker, woken by a clock jump, finds the quarter decided.
    await database.db.delete(outbox).where(eq(outbox.kind, 'quarterly-review'));
    now = ist('2027-01-04 15:00');
    const secondWait = timer.nextWait();
    timer.waits[0]!.release();
    await secondWait;
    expect(await reviewsOf('2026-Q4')).toEqual([]);
    await worker.close();
  });

  it('is not sent again after a restart, the same day or during the catch-up days, though the mails are gone from the outbox', async () => {
    for (const at of ['2027-01-04 15:00', '2027-01-05 09:00', '2027-01-06 17:00']) {
      const timer = manualTimer();
      const restarted = createQuarterlyReviewWorker({ db: database.db, config, clock: () => ist(at), logger, wait: timer.wait });
      const firstWait = timer.nextWait();
      await restarted.start();
      await firstWait;
      expect(await restarted.tick(), at).toEqual({ status: 'already-sent', quarter: '2026-Q4' });
      await restarted.close();
    }
    expect(await reviewsOf('2026-Q4')).toEqual([]);
    expect(await database.db.select().from(scheduledRuns)).toHaveLength(1);
    // After the catch-up days nothing is due until April.
    expect(quarterlySchedule(ist('2027-01-07 09:00'), config)).toEqual({ due: null, nextAt: ist('2027-04-01 09:00') });
  });

  it('is queued once when two instances decide the same quarter at the same moment', async () => {
    const clock = () => ist('2027-04-01 09:30');
    const outcomes = await Promise.all([1, 2].map(() => sendQuarterlyReview({ db: database.db, config, clock })));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['already-sent', 'sent']);
    expect(outcomes.find((o) => o.status === 'sent')).toEqual({ status: 'sent', quarter: '2027-Q1', enqueued: 2 });
    expect(await reviewsOf('2027-Q1')).toHaveLength(2);
  });

  it('records a quarter with no manager as decided, so a manager added later the same day gets no review out of time', async () => {
    const noManagers = testConfig(database.url, { people: DEFAULT_CONFIG_INPUT.people.filter((p) => p.role !== 'manager') });
    const clock = () => ist('2027-07-01 09:00');
    expect(await sendQuarterlyReview({ db: database.db, config: noManagers, clock })).toEqual({ status: 'no-managers', quarter: '2027-Q2' });
    expect(await sendQuarterlyReview({ db: database.db, config, clock })).toEqual({ status: 'already-sent', quarter: '2027-Q2' });
    expect(await reviewsOf('2027-Q2')).toEqual([]);
  });
});
