import { asc, eq, like } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthlySchedule, sendMonthlyReports } from '../../src/app/jobs/send-monthly-reports.js';
import type { Config } from '../../src/config.js';
import { outbox } from '../../src/db/schema/outbox.js';
import { tickets } from '../../src/db/schema/tickets.js';
import { createReportMailWorker } from '../../src/workers/report-mail-worker.js';
import { testConfig } from '../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);
const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

let database: TestDatabase;
let config: Config;
beforeAll(async () => {
  database = await createTestDatabase();
  config = testConfig(database.url, {
    reports: { clientReports: [{ client: 'ACME.example', to: ['cfo@acme.example', 'it@acme.example'], language: 'en' }] },
  });
  let n = 0;
  const ticket = (over: Partial<typeof tickets.$inferInsert>) => ({
    number: `SR-${++n}`, mailbox: 'support', type: 'problem', typeSource: 'tag', priority: 'medium', priorityReason: 'tag',
    requesterAddress: 'ali@acme.example', subject: 's', receivedAt: ist('2026-05-12 10:00'), status: 'open', ...over,
  });
  await database.db.insert(tickets).values([
    ticket({ requesterAddress: 'ali@acme.example' }),
    ticket({ requesterAddress: 'veli@acme.example', type: 'licenses' }),
    ticket({ requesterAddress: 'someone@other.example', type: 'website' }),
    ticket({ requesterAddress: 'ali@acme.example', private: true, mailbox: 'management', type: 'complaint', priority: 'low' }),
    // April's: not in May's report.
    ticket({ requesterAddress: 'ali@acme.example', type: 'capacity', receivedAt: ist('2026-04-28 10:00') }),
  ]);
});
afterAll(async () => { await database.drop(); });

const reportsOf = (month: string) => database.db.select().from(outbox)
  .where(like(outbox.dedupeKey, `monthly-report:${month}:%`)).orderBy(asc(outbox.dedupeKey));

describe('the monthly report mailing', () => {
  it('waits for the first business day of the month', async () => {
    const outcome = await sendMonthlyReports({ db: database.db, config, clock: () => ist('2026-06-01 08:59') });
    expect(outcome).toEqual({ status: 'not-due', nextAt: ist('2026-06-01 09:00') });
    expect(await database.db.select().from(outbox)).toEqual([]);
  });

  it('mails management\'s report with private tickets to managers, and each client its own without them', async () => {
    const outcome = await sendMonthlyReports({ db: database.db, config, clock: () => ist('2026-06-01 09:00') });
    expect(outcome).toEqual({ status: 'sent', month: '2026-05', enqueued: 3 });
    const mails = await reportsOf('2026-05');
    expect(mails.map((m) => [m.dedupeKey, m.to.map((t) => t.address), m.fromAddress.address])).toEqual([
      ['monthly-report:2026-05:client:acme.example:cfo@acme.example', ['cfo@acme.example'], 'support@sanarise.example'],
      ['monthly-report:2026-05:client:acme.example:it@acme.example', ['it@acme.example'], 'support@sanarise.example'],
      ['monthly-report:2026-05:manager@sanarise.example', ['manager@sanarise.example'], 'management@sanarise.example'],
    ]);
    const [client, , manager] = mails as [typeof mails[0], typeof mails[0], typeof mails[0]];

    // Management: the manager reads Turkish (issue 24: the report inside too), the self-contained
    // HTML report with its charts, private tickets counted.
    expect(manager.subject).toBe('SLA raporu 2026-05');
    expect(manager.html).toMatch(/^<!doctype html>\n<html lang="tr">/);
    expect(manager.html).toContain('<svg');
    expect(manager.html).toContain('Yönetim raporu: gizli talepler dahildir.');
    expect(manager.html).toContain('Doğrudan yönetime şikayet');
    expect(manager.text).toContain('# Aylık SLA raporu Mayıs 2026');
    expect(manager.text).toMatch(/\| talep \| çözüldü .*\n\| --- .*\n\| 4 \|/);
    expect(manager.text).toContain('Hazırlanma: 1 Haziran 2026 09:00.');
    expect(manager.text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);

    // The client: English as configured, only their domain, no private ticket, not even counted.
    expect(client.subject).toBe('SLA report 2026-05: acme.example');
    // Issue 24: no internal remark reaches a client.
    expect(client.html).not.toMatch(/Team report|private tickets/);
    expect(client.html).toContain('Prepared 1 June 2026 09:00.');
    expect(client.html).not.toContain('Submit a Complaint');
    expect(client.html).not.toContain('other.example');
    expect(client.text).toContain('Here is your support report for 2026-05');
    expect(client.text).toMatch(/\| tickets \| resolved .*\n\| --- .*\n\| 2 \|/);
    expect(client.headers['Auto-Submitted']).toBe('auto-generated');
  });

  it('mails each recipient once a month, whatever the ticks and workers', async () => {
    const clock = () => ist('2026-06-02 12:00');
    const workers = [1, 2].map(() => createReportMailWorker({ db: database.db, config, clock, logger }));
    expect(await workers[0]!.tick()).toEqual({ status: 'already-sent', month: '2026-05' });
    expect(await workers[1]!.tick()).toEqual({ status: 'already-sent', month: '2026-05' });
    expect(await reportsOf('2026-05')).toHaveLength(3);
  });

  it('catches up for two business days after the first, but a fresh install late in the month mails nothing', async () => {
    expect((await sendMonthlyReports({ db: database.db, config, clock: () => ist('2026-06-25 10:00') })).status).toBe('not-due');
    expect(monthlySchedule(ist('2026-06-03 23:00'), config).due?.month).toBe('2026-05');
    expect(monthlySchedule(ist('2026-06-04 09:00'), config).due).toBeNull();
    expect(monthlySchedule(ist('2026-06-04 09:00'), config).nextAt).toEqual(ist('2026-07-01 09:00'));
  });

  it('sends a recipient added later in the month only theirs', async () => {
    const more = testConfig(database.url, {
      reports: { clientReports: [
        { client: 'acme.example', to: ['cfo@acme.example', 'it@acme.example'], language: 'en' },
        { client: 'veli@acme.example', to: ['veli@acme.example'], language: 'tr' },
      ] },
    });
    const outcome = await sendMonthlyReports({ db: database.db, config: more, clock: () => ist('2026-06-02 10:00') });
    expect(outcome).toEqual({ status: 'sent', month: '2026-05', enqueued: 1 });
    const [veli] = await database.db.select().from(outbox).where(eq(outbox.dedupeKey, 'monthly-report:2026-05:client:veli@acme.example:veli@acme.example'));
    expect(veli!.subject).toBe('SLA raporu 2026-05: veli@acme.example');
    expect(veli!.text).toMatch(/\| talep \| çözüldü .*\n\| --- .*\n\| 1 \|/);
    expect(veli!.text).not.toMatch(/Ekip raporu|gizli/);
  });

  it('sends April\'s on Monday 4 May, 1 May being a holiday and 2-3 May a weekend', async () => {
    for (const at of ['2026-05-01 09:00', '2026-05-02 09:00', '2026-05-03 23:59']) {
      expect((await sendMonthlyReports({ db: database.db, config, clock: () => ist(at) })).status).toBe('not-due');
    }
    expect(await reportsOf('2026-04')).toEqual([]);
    const waits: number[] = [];
    let release = () => {};
    let arrived = () => {};
    const firstWait = new Promise<void>((resolve) => { arrived = resolve; });
    const worker = createReportMailWorker({
      db: database.db, config, clock: () => ist('2026-05-04 09:00'), logger, maxWaitMs: 40 * 86_400_000,
      wait: (ms, signal) => new Promise((resolve) => {
        waits.push(ms);
        release = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
        arrived();
      }),
    });
    await worker.start();
    await firstWait;
    const april = await reportsOf('2026-04');
    expect(april).toHaveLength(3);
    expect(april.find((m) => m.to[0]!.address === 'cfo@acme.example')!.text).toMatch(/\| tickets \| resolved .*\n\| --- .*\n\| 1 \|/);
    // Next: Monday 1 June 09:00, four weeks on.
    expect(waits).toEqual([28 * 86_400_000]);
    release();
    await worker.close();
  });
});
